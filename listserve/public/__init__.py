"""The public site: the home page with the aims and next steps, the ecosystem directory, and
(the nested `editor` blueprint, under /committee/pages) the committee's editing of them."""

from flask import Blueprint

bp = Blueprint("public", __name__)
editor_bp = Blueprint("editor", __name__, url_prefix="/committee/pages")

from listserve.public import (  # noqa: E402,F401  (routes)
    directory_views,
    editor_views,
    translation_views,
    views,
)

bp.register_blueprint(editor_bp)
