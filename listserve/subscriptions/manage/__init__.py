"""The committee admin's tools: subscribers (search, import, export), the dashboard.

A blueprint nested in the subscriptions feature's: its endpoints read subscriptions.manage.*."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("manage", __name__, url_prefix="/committee")

# A subscription's status as the committee's pages show it.
STATUS_LABELS = {"pending": _l("pending"), "confirmed": _l("confirmed"),
                 "unsubscribed": _l("unsubscribed"), "disabled": _l("disabled")}


@bp.app_template_global()
def subscription_status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))

from listserve.subscriptions.manage import import_views, views  # noqa: E402,F401  (routes)
