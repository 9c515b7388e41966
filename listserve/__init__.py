"""listserve: the mailing list and public site of a grassroots network."""

import secrets
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from listserve import config as default_config


def create_app(config: dict | None = None) -> Flask:
    """config -> extensions -> core -> features (one blueprint each) -> CLI."""
    from listserve.core import paths

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

    from listserve import core, extensions, models  # noqa: F401  (models: every table)

    extensions.init_app(app, paths.MIGRATIONS)
    core.init_app(app)
    if app.config["PROXY_FIX"]:
        n = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_prefix=n)
    _register_features(app)
    _register_commands(app)
    return app


def _register_features(app: Flask) -> None:
    from listserve import (
        announcements,
        api,
        archive,
        committee,
        inbound,
        members,
        public,
        subscriptions,
    )
    from listserve.announcements import jobs as announcement_jobs
    from listserve.api import imports as api_imports
    from listserve.api import sender as webhook_sender
    from listserve.archive import personal_data as archive_personal_data
    from listserve.committee import auth as committee_auth
    from listserve.delivery import hooks
    from listserve.delivery import views as delivery_views
    from listserve.inbound import moderation as post_moderation
    from listserve.inbound import personal_data as inbound_personal_data
    from listserve.subscriptions import digests
    from listserve.subscriptions import jobs as subscription_jobs

    committee_auth.init_app(app)
    archive_personal_data.init_app(app)  # comments
    inbound_personal_data.init_app(app)  # mail a person sent us
    members.init_app(app)  # network members: their entries, their counts on Numbers
    announcements.init_app(app)  # events: on archive pages; answers in a person's data

    delivery_hooks = hooks.init_app(app)
    subscription_jobs.register(delivery_hooks)  # first: requests to join, then
    announcement_jobs.register(delivery_hooks)  # scheduled announcements and reminders, then
    delivery_hooks.round_jobs.append(digests.queue_digests)  # each list's digest, once a period
    delivery_hooks.round_jobs.append(post_moderation.expire_held_posts)  # held posts expire
    webhook_sender.register(delivery_hooks)  # webhook deliveries queued by events
    api_imports.register(delivery_hooks)  # CSV files uploaded through the API

    for feature in (public, subscriptions, delivery_views, archive, committee, announcements,
                    members, inbound):
        app.register_blueprint(feature.bp)
    app.register_blueprint(announcements.events_bp)
    api.init_app(app)  # /api/v1 with its OpenAPI document, and the committee's API pages


def _register_commands(app: Flask) -> None:
    from listserve.announcements.cli import announcements
    from listserve.api.cli import api_token
    from listserve.archive.cli import archive
    from listserve.cli import serve
    from listserve.committee.cli import members
    from listserve.committee.list_cli import lists
    from listserve.delivery.cli import mailings, worker
    from listserve.delivery.dkim_cli import dkim
    from listserve.inbound.cli import inbound
    from listserve.public.cli import demo, ecosystem
    from listserve.subscriptions.manage.cli import subscribers
    from listserve.translations.cli import translations

    for command in (serve, worker, mailings, inbound, demo, ecosystem, members, announcements,
                    subscribers, lists, dkim, api_token, archive, translations):
        app.cli.add_command(command)


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
