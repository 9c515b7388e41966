"""Mail we receive (listserve inbound): joins, leaves, replies, bounces and posts to discussion
lists; `bp` holds the moderators' pages for held posts (/committee/held, /moderate/<token>)."""

from flask import Blueprint

bp = Blueprint("inbound", __name__)

from listserve.inbound import moderation_views  # noqa: E402,F401  (routes)
