"""Every feature's blueprint, registered in one place (one line per blueprint)."""

from flask import Flask

# Modules that add routes to a blueprint defined elsewhere must be imported for their routes.
ROUTE_MODULES = (
    "listserve.announcements.send_views",
    "listserve.committee.admin_views",
    "listserve.admin.import_views",
    "listserve.public.directory_views",
)

BLUEPRINTS = (
    "listserve.public.views",
    "listserve.subscriptions.views",
    "listserve.delivery.views",
    "listserve.archive.views",
    "listserve.archive.moderation_views",
    "listserve.committee.views",
    "listserve.announcements.views",
    "listserve.admin.views",
    "listserve.public.editor_views",
)


def register_blueprints(app: Flask) -> None:
    from importlib import import_module

    for name in ROUTE_MODULES:
        import_module(name)
    for name in BLUEPRINTS:
        app.register_blueprint(import_module(name).bp)
