"""The extension objects, created unbound here and bound to an app in create_app.

A leaf: it imports nothing of listserve's, so every layer may import it."""

from flask import current_app, g, request
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import csrf as flask_wtf_csrf
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase
from wtforms import ValidationError

# Named constraints keep Alembic migrations reviewable and identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class CSRFProtect(flask_wtf_csrf.CSRFProtect):
    """Flask-WTF's CSRFProtect, which checks a request's token with `check_token`: Flask-WTF's
    validate_csrf, until core.signing puts in its own (the same checks and messages, with a
    kept serializer: flask_wtf's makes a new one, and derives its key again, every time)."""

    check_token = staticmethod(flask_wtf_csrf.validate_csrf)

    def protect(self, apply_exemptions=False):
        # Flask-WTF 1.3's protect, calling self.check_token where it calls validate_csrf.
        if apply_exemptions:
            if not request.endpoint:
                return
            if self._is_exempt():
                return
        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            return
        try:
            self.check_token(self._get_csrf_token())
        except ValidationError as e:
            flask_wtf_csrf.logger.info(e.args[0])
            self._error_response(e.args[0])
        if request.is_secure and current_app.config["WTF_CSRF_SSL_STRICT"]:
            if not request.referrer:
                self._error_response("The referrer header is missing.")
            good_referrer = f"https://{request.host}/"
            if not flask_wtf_csrf.same_origin(request.referrer, good_referrer):
                self._error_response("The referrer does not match the host.")
        g.csrf_valid = True  # mark this request as CSRF valid


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
mail = Mail()
csrf = CSRFProtect()
login = LoginManager()


def init_app(app, migrations_dir) -> None:
    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(migrations_dir), render_as_batch=True, compare_type=True
    )
    _init_mail(app)
    csrf.init_app(app)


def _init_mail(app) -> None:
    # Flask-Mail reads its settings once, here; it defaults to suppressing mail under
    # TESTING, but our tests deliver to a real SMTP sink, so say so explicitly.
    app.config.setdefault("MAIL_SUPPRESS_SEND", False)
    if not app.config.get("MAIL_DEFAULT_SENDER"):
        app.config["MAIL_DEFAULT_SENDER"] = f"{app.config['LIST_SLUG']}@{app.config['LIST_DOMAIN']}"
    mail.init_app(app)
