"""Sections a feature adds to another feature's page, so that neither imports the other.

The Numbers page (subscriptions) shows the network members' counts, and an archive post shows
the events of its announcement; the feature that owns the numbers or the events registers a
panel from create_app, and the page's template asks `panels_on("numbers")` for what to show.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, render_template
from markupsafe import Markup


@dataclass(frozen=True)
class Panel:
    template: str
    # The template's context from the page's own arguments; None: this page shows nothing.
    context: Callable[..., dict | None]


def init_app(app: Flask) -> None:
    app.extensions["panels"] = {}
    app.add_template_global(panels_on)


def register(app: Flask, page: str, panel: Panel) -> None:
    app.extensions["panels"].setdefault(page, []).append(panel)


def panels_on(page: str, **arguments) -> list[Markup]:
    """Each registered panel of `page`, rendered (in the order they registered)."""
    shown = []
    for panel in current_app.extensions["panels"].get(page, []):
        context = panel.context(**arguments)
        if context is not None:
            shown.append(Markup(render_template(panel.template, **context)))  # noqa: S704
    return shown
