"""Languages: Flask-Babel bound to the app, and the choice of a page's language.

The order (issue 22): an explicit choice kept in a cookie, else the language of the subscriber
a page was reached from (set on `g` by the page that knows them), else Accept-Language, else
the site default."""

import functools

from babel import Locale
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import Babel, get_locale

from listserve.core import paths

babel = Babel()

COOKIE = "lang"


def languages() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def select_locale() -> Locale:
    return _parsed(_chosen_language())


@functools.cache
def _parsed(code: str) -> Locale:
    # Flask-Babel parses what the selector returns on every request (tens of microseconds, as
    # much again as the rest of a kept page's choice); a Locale it takes as it is.
    return Locale.parse(code)


def _chosen_language() -> str:
    if not has_request_context():
        return current_app.config["DEFAULT_LANGUAGE"]
    offered = languages()
    chosen = request.cookies.get(COOKIE)
    if chosen in offered:
        return chosen
    stored = g.get("subscriber_language")
    if stored in offered:
        return stored
    if "Accept-Language" not in request.headers:  # most robots and scripts: nothing to match
        return current_app.config["DEFAULT_LANGUAGE"]
    return request.accept_languages.best_match(offered) or current_app.config["DEFAULT_LANGUAGE"]


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", app.config["DEFAULT_LANGUAGE"])
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(paths.TRANSLATIONS))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
