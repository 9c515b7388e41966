"""The extension objects, created unbound here and bound to an app in create_app.

A leaf: it imports nothing of listserve's, so every layer may import it."""

from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

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
