"""The committee admin's tools: subscribers (search, import, export), the dashboard.

A blueprint nested in the subscriptions feature's: its endpoints read subscriptions.manage.*."""

from flask import Blueprint

bp = Blueprint("manage", __name__, url_prefix="/committee")

from listserve.subscriptions.manage import import_views, views  # noqa: E402,F401  (routes)
