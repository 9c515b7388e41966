"""What every feature uses and that imports no feature: the database setup and types, signing,
sessions and security headers, rate limits, tokens, addresses and header checks, Markdown
rendering, the page cache, forms, error pages (and refused bodies read to their end) and the
list model."""

from flask import Flask

from listserve.core import (
    converters,
    db,
    errors,
    i18n,
    pagecache,
    panels,
    personal_data,
    ratelimits,
    refused_bodies,
    security,
    signing,
)
from listserve.extensions import csrf


def init_app(app: Flask) -> None:
    converters.init_app(app)  # before any feature adds a route
    db.init_app(app)
    i18n.init_app(app)  # before anything renders a template or a message
    ratelimits.rate_limits.init_app(app)
    pagecache.init_app(app)
    app.session_interface = security.SessionInterface()
    security.init_app(app)
    csrf.check_token = signing.validate_csrf  # Flask-WTF's check, with kept signers
    errors.init_app(app)
    personal_data.init_app(app)
    panels.init_app(app)
    refused_bodies.init_app(app)
