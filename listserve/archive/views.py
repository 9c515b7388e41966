from flask import Blueprint, abort, render_template
from markupsafe import Markup

from listserve.archive import services

bp = Blueprint("archive", __name__, url_prefix="/archive")


@bp.get("/<int:year>/<slug>")
def post(year: int, slug: str):
    found = services.get_post(year, slug)
    if found is None:
        abort(404)
    # body_html was cleaned by listserve.rendering when it was published.
    body = Markup(found.body_html)  # noqa: S704
    return render_template(
        "archive/post.html", post=found, body=body, canonical_url=services.post_url(found)
    )
