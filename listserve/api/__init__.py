"""/api/v1 (OpenAPI 3.1 by flask-smorest), tokens, webhooks.

Two blueprints: `bp`, the API itself (a flask-smorest Blueprint, so its routes are read into the
OpenAPI document), and `pages`, the committee's pages for tokens and webhooks.
"""

from flask import Blueprint, Flask
from flask_smorest import Blueprint as ApiBlueprint

from listserve.api.inputs import ApiParser

bp = ApiBlueprint(
    "api", __name__, url_prefix="/api/v1",
    description="listserve's REST API: token-authenticated, every change audited.",
)
bp.ARGUMENTS_PARSER = ApiParser()  # multipart bodies: files and text parts together
pages = Blueprint("api_pages", __name__, url_prefix="/committee/api")


def init_app(app: Flask) -> None:
    """Bind the OpenAPI document, the API's error pages, the event listeners and the blueprints."""
    from listserve.api import docs, token_cache, webhooks
    from listserve.extensions import csrf

    api = docs.init_app(app)
    csrf.exempt(bp)  # token-authenticated: no cookies, so no cross-site forgery
    api.register_blueprint(bp)
    app.register_blueprint(pages)
    webhooks.init_app(app)
    token_cache.init_app(app)


from listserve.api import (  # noqa: E402,F401  (routes)
    announcement_routes,
    archive_routes,
    audit_routes,
    import_routes,
    list_routes,
    pages_views,
    subscriber_routes,
)
