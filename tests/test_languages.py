"""The language of a page (issue 22): ?lang (kept in a cookie), the cookie, the subscriber's
stored language on pages reached from their mail, Accept-Language, the site default. The
switcher and hreflang links on every page, Vary on negotiated pages, kept pages per language,
dates in the page's language.

The Spanish seen here is the switcher's own label ("Idioma") and the navigation this branch
translated in es/messages.po."""

import re
from datetime import datetime

import pytest
from flask_babel import force_locale

from listserve.core.i18n import format_moment


def lang_of(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_accept_language_chooses_and_the_default_is_english(client):
    assert lang_of(client.get("/")) == "en"
    spanish = client.get("/", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    assert lang_of(spanish) == "es"
    page = spanish.get_data(as_text=True)
    assert 'aria-label="Idioma"' in page and "Objetivos y próximos pasos" in page
    assert lang_of(client.get("/", headers={"Accept-Language": "de, fr"})) == "en"


def test_a_negotiated_page_varies_with_accept_language_and_the_cookie(client):
    response = client.get("/", headers={"Accept-Language": "es"})
    vary = {value.strip().lower() for value in response.headers["Vary"].split(",")}
    assert {"accept-language", "cookie"} <= vary
    # A page whose address names its language does not vary with them.
    chosen = client.get("/?lang=es")
    assert "accept-language" not in chosen.headers.get("Vary", "").lower()


def test_lang_in_the_address_chooses_and_is_kept_in_a_cookie(client):
    response = client.get("/?lang=es", headers={"Accept-Language": "en"})
    assert lang_of(response) == "es"
    assert "lang=es" in response.headers["Set-Cookie"]
    # The choice now beats Accept-Language on every page.
    assert lang_of(client.get("/ecosystem", headers={"Accept-Language": "en"})) == "es"
    assert lang_of(client.get("/subscribe", headers={"Accept-Language": "en"})) == "es"
    # Switching back is one link away, and kept too.
    assert lang_of(client.get("/subscribe?lang=en", headers={"Accept-Language": "es"})) == "en"
    assert lang_of(client.get("/", headers={"Accept-Language": "es"})) == "en"


def test_an_unknown_language_in_the_address_or_cookie_is_ignored(client):
    response = client.get("/?lang=xx", headers={"Accept-Language": "es"})
    assert lang_of(response) == "es"
    assert not any(c.startswith("lang=") for c in response.headers.getlist("Set-Cookie"))
    client.set_cookie("lang", "klingon")
    assert lang_of(client.get("/", headers={"Accept-Language": "es"})) == "es"


def test_every_page_has_the_switcher_and_hreflang_alternates(client):
    for path in ("/", "/subscribe", "/committee/login", "/no-such-page"):
        page = client.get(path + "?page=2").get_data(as_text=True)
        assert '<nav class="language-switcher"' in page, path
        # The switcher keeps the page's own query and swaps the language.
        assert re.search(rf'href="{re.escape(path)}\?page=2&amp;lang=es" hreflang="es" '
                         r'lang="es">Español</a>', page), path
        assert (f'<link rel="alternate" hreflang="es" href="http://localhost{path}'
                f'?page=2&amp;lang=es">') in page, path
        assert (f'<link rel="alternate" hreflang="en" href="http://localhost{path}'
                f'?page=2&amp;lang=en">') in page, path
        assert (f'<link rel="alternate" hreflang="x-default" href="http://localhost{path}'
                f'?page=2">') in page, path


def test_kept_pages_are_kept_per_language(client):
    # Home is a kept page: each language gets its own copy, in any order of visits.
    for _ in range(2):
        assert lang_of(client.get("/", headers={"Accept-Language": "es"})) == "es"
        assert lang_of(client.get("/", headers={"Accept-Language": "en"})) == "en"
        spanish = client.get("/?lang=es").get_data(as_text=True)
        assert 'lang="es"' in spanish and 'aria-current="true">Español' in spanish
        client.delete_cookie("lang")
    # A kept copy still sets the cookie and says what it varies with.
    again = client.get("/?lang=es")
    assert "lang=es" in again.headers["Set-Cookie"]
    client.delete_cookie("lang")
    assert "Accept-Language" in client.get("/").headers["Vary"]


@pytest.mark.parametrize("language, expected", [
    ("en", "7 December 2026"), ("es", "7 de diciembre de 2026"),
])
def test_dates_follow_the_language(app, language, expected):
    with app.test_request_context(), force_locale(language):
        assert format_moment(datetime(2026, 12, 7, 9, 30), "long_date") == expected
        rendered = app.jinja_env.from_string("{{ 1234567|number }}").render()
        assert rendered == {"en": "1,234,567", "es": "1.234.567"}[language]
