"""Languages: Flask-Babel bound to the app, and the choice of a page's language.

The order (issue 22): an explicit choice kept in a cookie, else the language of the subscriber
a page was reached from (set on `g` by the page that knows them), else Accept-Language, else
the site default."""

from babel.support import Translations
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import Babel, get_locale
from wtforms.i18n import messages_path

from listserve.core import paths

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


class WTFormsMessages:
    """WTForms' own messages (a field's default label, "This field is required." …) in the
    page's language, as Flask-WTF gives them, for less: Flask-WTF loads and parses WTForms'
    catalogue again on every request that makes a form (over half a subscribe POST's time)
    and asks for the page's language as soon as a form is made, since a field without a
    label gets one through gettext. Here each catalogue is loaded once per process, and a
    text that no offered language translates is returned as it is without asking for the
    page's language, so a POST that answers with a redirect never chooses one."""

    def __init__(self):
        self._catalogues: dict[str, Translations] = {}
        # (languages offered, (text,) or (singular, plural, n)): no language offered changes it
        self._plain: dict[tuple, bool] = {}

    def _catalogue(self, language: str) -> Translations:
        catalogue = self._catalogues.get(language)
        if catalogue is None:
            catalogue = self._catalogues[language] = Translations.load(
                messages_path(), [language], domain="wtforms")
        return catalogue

    def _translate(self, language: str, texts: tuple) -> str:
        catalogue = self._catalogue(language)
        return catalogue.ugettext(*texts) if len(texts) == 1 else catalogue.ungettext(*texts)

    def _in_page_language(self, untranslated: str, texts: tuple) -> str:
        config = current_app.config
        offered = (config["DEFAULT_LANGUAGE"], *config["LANGUAGES"])
        plain = self._plain.get((offered, texts))
        if plain is None:
            plain = self._plain[(offered, texts)] = all(
                self._translate(language, texts) == untranslated for language in offered)
        return untranslated if plain else self._translate(str(get_locale()), texts)

    def gettext(self, string: str) -> str:
        return self._in_page_language(string, (string,))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._in_page_language(singular if n == 1 else plural, (singular, plural, n))


wtforms_messages = WTFormsMessages()
