"""Subscribing and leaving (double opt-in, RFC 8058 one-click, a person's own data), and in
manage/ the committee's roster, import, export and numbers."""

from flask import Blueprint

bp = Blueprint("subscriptions", __name__)

from listserve.subscriptions import views  # noqa: E402,F401  (the routes)
from listserve.subscriptions.manage import bp as manage_bp  # noqa: E402

bp.register_blueprint(manage_bp)
