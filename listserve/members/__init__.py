"""The network's members: the public sign-on for organisations and individuals, the address
check by mail, the public directory, each member's personal link to update or withdraw, and
(the nested `review` blueprint, under /committee/network-members) the committee's decisions,
counts and export."""

from flask import Blueprint, Flask

bp = Blueprint("members", __name__)
review_bp = Blueprint("review", __name__, url_prefix="/committee/network-members")


def init_app(app: Flask) -> None:
    """What the members feature plugs into others: erasure and export, the Numbers page."""
    from listserve.core import panels
    from listserve.members import directory, personal_data

    personal_data.init_app(app)
    panels.register(app, "numbers", panels.Panel(
        "members/_numbers.html", lambda: {"counts": directory.member_counts()}))


from listserve.members import review_views, views  # noqa: E402,F401  (routes)

bp.register_blueprint(review_bp)
