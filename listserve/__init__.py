"""listserve: the mailing list and public site of a grassroots network."""

import secrets
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from listserve import config as default_config
from listserve import paths


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(paths.TEMPLATES),
        static_folder=str(paths.STATIC),
        instance_relative_config=True,
    )
    app.config.from_object(default_config)
    app.config.from_prefixed_env("LISTSERVE")
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        app.config["SQLALCHEMY_DATABASE_URI"] = default_config.database_url_from_environment()
    app.config.update(config or {})
    _resolve_derived_settings(app)

    from listserve import errors, extensions, pagecache, security, sessions
    from listserve.committee import auth as committee_auth

    extensions.init_app(app)
    pagecache.init_app(app)
    app.session_interface = sessions.SessionInterface()
    security.init_app(app)
    errors.init_app(app)
    committee_auth.init_app(app)
    if app.config["PROXY_FIX"]:
        n = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_prefix=n)

    from listserve.blueprints import register_blueprints

    register_blueprints(app)

    from listserve.cli import register_commands

    register_commands(app)
    return app


def _resolve_derived_settings(app: Flask) -> None:
    """Fill in defaults that depend on other settings or on the instance folder."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    cfg = app.config
    if not cfg.get("SQLALCHEMY_DATABASE_URI"):
        cfg["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'listserve.db'}"
    base = urlsplit(cfg["BASE_URL"])
    if not cfg.get("LIST_DOMAIN"):
        cfg["LIST_DOMAIN"] = base.hostname or "localhost"
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if cfg.get(key) is None:
            cfg[key] = base.scheme == "https"
    if not cfg.get("MAILBOX_DIR"):
        cfg["MAILBOX_DIR"] = str(Path(app.instance_path) / "mailbox")
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = _instance_secret(Path(app.instance_path) / "secret_key")


def _instance_secret(path: Path) -> str:
    """A random key kept in the instance folder, so a fresh install is never on a known key."""
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
