"""Languages: Flask-Babel bound to the app, and the choice of a page's language.

The order (issue 22): an explicit choice (`?lang=xx` in the address, which is also kept, or the
`lang` cookie it sets), else the language of the subscriber a page was reached from (set by the
page that read their token: use_subscriber_language), else Accept-Language, else the site
default (DEFAULT_LANGUAGE, one of LANGUAGES).

Every HTML page whose language was negotiated says so (`Vary: Accept-Language, Cookie`); the
page cache keys kept pages by the language and the full address, so the switcher's links and the
hreflang alternates (language_links) are right in a kept copy too.

Dates and numbers follow the page's language through the Jinja filters registered here."""

import functools
from datetime import date, datetime
from urllib.parse import urlencode

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.support import Translations
from flask import Flask, Response, current_app, g, has_request_context, request
from flask_babel import Babel, force_locale, get_locale, refresh
from wtforms.i18n import messages_path

from listserve.core import language_names, paths

babel = Babel()

COOKIE = "lang"
QUERY = "lang"  # ?lang=es: the choice of a link (the switcher, hreflang alternates)
COOKIE_MAX_AGE = 365 * 86400

# Each language named in itself: the switcher shows these, never translated.
def languages() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def default_language() -> str:
    return current_app.config["DEFAULT_LANGUAGE"]


def offered_or_none(code: str | None) -> str | None:
    """`code` when it is an offered language (a stored value, a form's), else None."""
    code = (code or "").strip().lower()
    return code if code in current_app.config["LANGUAGES"] else None


def language_name(code: str) -> str:
    """A language's name as its speakers write it (\"Español\")."""
    return language_names.language_name(code)


def language_choices() -> list[tuple[str, str]]:
    """(code, name in itself) of each offered language, for a select."""
    return [(code, language_name(code)) for code in languages()]


def _asked_in_address() -> str | None:
    asked = request.args.get(QUERY)
    return asked if asked in current_app.config["LANGUAGES"] else None


def select_locale() -> Locale:
    return _parsed(_chosen_language())


@functools.cache
def _parsed(code: str) -> Locale:
    # Flask-Babel parses what the selector returns on every request (tens of microseconds, as
    # much again as the rest of a kept page's choice); a Locale it takes as it is.
    return Locale.parse(code)


def _chosen_language() -> str:
    if not has_request_context():
        return default_language()
    # Each context object looked up once: a read through Flask's proxies (and werkzeug's
    # cached properties) costs about a microsecond, and every page asks this.
    req, config = request._get_current_object(), current_app.config
    offered = config["LANGUAGES"]
    asked = req.args.get(QUERY)
    if asked in offered:
        return asked
    chosen = req.cookies.get(COOKIE)
    if chosen in offered:
        return chosen
    stored = g.get("subscriber_language")
    if stored in offered:
        return stored
    # Most robots and scripts send none: nothing to match. (The environ, which
    # request.headers reads, without its KeyError raised and caught.)
    if "HTTP_ACCEPT_LANGUAGE" not in req.environ:
        return config["DEFAULT_LANGUAGE"]
    return req.accept_languages.best_match(list(offered)) or config["DEFAULT_LANGUAGE"]


def use_subscriber_language(language: str | None) -> None:
    """A page reached through a subscriber's personal link speaks their stored language
    (unless the visitor chose one). Call it where the token is read, before rendering."""
    if has_request_context() and language:
        g.subscriber_language = language
        refresh()  # the locale may have been looked up already


def mail_language(language: str | None) -> str:
    """The language a mail to someone who stored `language` goes out in."""
    return offered_or_none(language) or default_language()


def page_language() -> str:
    """The language of the current page (what a web subscription stores)."""
    return str(get_locale()) if has_request_context() else default_language()


def _query(code: str | None) -> str:
    """This page's query with the language set to `code` (None: no language named)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != QUERY]
    args += [(QUERY, code)] if code else []
    return f"?{urlencode(args)}" if args else ""


def language_links() -> list[tuple[str, str, str]]:
    """(code, name, this page's address in that language) for each offered language: the
    switcher's links."""
    path = request.script_root + request.path
    return [(code, language_name(code), path + _query(code)) for code in languages()]


def alternate_links() -> list[tuple[str, str]]:
    """(hreflang, absolute address) of this page in each language, and x-default (no
    language named): built on BASE_URL, the site's public address, so a kept page holds the
    same links whichever host name its first visitor used."""
    base = current_app.config["BASE_URL"].rstrip("/") + request.path
    return [*((code, base + _query(code)) for code in languages()),
            ("x-default", base + _query(None))]


def keep_language_choice(response: Response) -> Response:
    """`?lang=xx` becomes the visitor's choice (the cookie); a page whose language was
    negotiated varies with Accept-Language and the cookie."""
    req = request._get_current_object()  # one look-up through the proxy
    asked = req.args.get(QUERY)  # _asked_in_address, with the request in hand
    if asked not in current_app.config["LANGUAGES"]:
        asked = None
    if asked and req.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=COOKIE_MAX_AGE, samesite="Lax",
                            secure=req.is_secure, httponly=True)
    if response.mimetype == "text/html" and not asked:
        if any(name.lower() == "vary" for name, _ in response.headers):
            response.vary.add("Accept-Language")
            response.vary.add("Cookie")
        else:
            # The header werkzeug's two adds write, in one step: each add parses the header
            # and writes it back, and asking for a missing one raises and catches KeyError.
            response.headers.add("Vary", "Accept-Language, Cookie")
    return response


# Dates: English keeps the network's day-first style; other languages take CLDR's pattern
# for the same fields (Spanish "7 de diciembre de 2026").
_ENGLISH_PATTERNS = {"long_date": "d MMMM y", "long_datetime": "d MMMM y HH:mm",
                     "day_month": "d MMMM", "month_year": "MMMM y",
                     "short_date": "dd MMM y", "short_day_month": "dd MMM"}
_SKELETONS = {"long_date": "yMMMMd", "long_datetime": "yMMMMdHm", "day_month": "MMMMd",
              "month_year": "yMMMM", "short_date": "yMMMd", "short_day_month": "MMMd"}


def format_moment(value: date | datetime | None, style: str) -> str:
    if value is None:
        return ""
    locale = get_locale()
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    # As stored (UTC), as strftime showed it; committee pages use local_time.
    if locale.language == "en":
        return babel_dates.format_datetime(value, _ENGLISH_PATTERNS[style],
                                           tzinfo=value.tzinfo, locale=locale)
    return babel_dates.format_skeleton(_SKELETONS[style], value, tzinfo=value.tzinfo,
                                       locale=locale)


def format_number(value) -> str:
    """A count or a decimal in the page's language (1,234 / 1.234)."""
    return babel_numbers.format_decimal(value, locale=get_locale())


def _filters() -> dict:
    def style(name):
        return lambda value: format_moment(value, name)

    filters = {name: style(name) for name in _SKELETONS}
    filters["number"] = format_number
    return filters


def init_app(app: Flask) -> None:
    if app.config["DEFAULT_LANGUAGE"] not in app.config["LANGUAGES"]:
        raise ValueError(f"DEFAULT_LANGUAGE {app.config['DEFAULT_LANGUAGE']!r} is not one of "
                         f"LANGUAGES {app.config['LANGUAGES']!r}")
    app.config.setdefault("BABEL_DEFAULT_LOCALE", app.config["DEFAULT_LANGUAGE"])
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(paths.TRANSLATIONS))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(get_locale=get_locale, language_links=language_links,
                                 alternate_links=alternate_links, language_name=language_name)
    app.jinja_env.filters.update(_filters())
    app.jinja_env.globals["default_language"] = app.config["DEFAULT_LANGUAGE"]
    app.after_request(keep_language_choice)


__all__ = ["force_locale", "mail_language", "page_language", "use_subscriber_language"]


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
