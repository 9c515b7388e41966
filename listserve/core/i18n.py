"""Languages: Flask-Babel bound to the app, and the choice of a page's language.

The order (issue 22): an explicit choice kept in a cookie, else the language of the subscriber
a page was reached from (set on `g` by the page that knows them), else Accept-Language, else
the site default."""

from flask import Flask, current_app, g, has_request_context, request
from flask_babel import Babel, get_locale

from listserve.core import language_names, paths

babel = Babel()

COOKIE = "lang"


def languages() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def select_locale() -> str:
    if not has_request_context():
        return current_app.config["DEFAULT_LANGUAGE"]
    offered = languages()
    chosen = request.cookies.get(COOKIE)
    if chosen in offered:
        return chosen
    stored = g.get("subscriber_language")
    if stored in offered:
        return stored
    return request.accept_languages.best_match(offered) or current_app.config["DEFAULT_LANGUAGE"]


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", app.config["DEFAULT_LANGUAGE"])
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(paths.TRANSLATIONS))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
    language_names.register(app)
