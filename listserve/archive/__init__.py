"""The archive: posts, search, the Atom feed, comments and (the nested `moderation`
blueprint, under /committee/comments) their moderation."""

from flask import Blueprint

# No url_prefix: the nested committee pages live under /committee, the reader's under /archive.
bp = Blueprint("archive", __name__)
moderation_bp = Blueprint("moderation", __name__, url_prefix="/committee/comments")

from listserve.archive import moderation_views, views  # noqa: E402,F401  (routes)

bp.register_blueprint(moderation_bp)
