"""The public pages in Spanish (issue 22): the committee translates each text beside its source;
the page shows the reader's language where translated, else the default."""

import re

from listserve.extensions import db
from listserve.public import services
from listserve.public.models import EcosystemEntry, EcosystemSection
from tests.committee.helpers import log_in, make_member
from tests.support import csrf_token

SPANISH = {"Accept-Language": "es"}
ENGLISH = {"Accept-Language": "en"}


def member(app, client):
    make_member(app, "ana@example.org", name="Ana")
    log_in(client, "ana@example.org")


def translate(client, page, translations: dict[str, str], language="es"):
    """Fill the translation beside each source text given; return the response."""
    url = f"/committee/pages/{page}/translations/{language}"
    html = client.get(url).get_data(as_text=True)
    data = {"csrf_token": csrf_token(html)}
    for key, source in re.findall(r'id="source-([0-9a-f]+)" class="source-text">([^<]*)<',
                                  html):
        data[f"t-{key}"] = translations.get(source, "")
    return client.post(url, data=data)


def test_aims_and_next_steps_in_the_readers_language(app, client, post_form):
    member(app, client)
    post_form("/committee/pages/aims", {"aims": "Build the commons\nShare the tools\n"})
    post_form("/committee/pages/next-steps", {
        "steps-0-title": "Hold the assembly", "steps-0-status": "planned",
        "steps-0-body": "In the town hall."})
    page = client.get("/committee/pages/aims/translations/es").get_data(as_text=True)
    assert "Build the commons" in page and 'lang="es"' in page
    assert translate(client, "aims", {"Build the commons": "Construir lo común"}
                     ).status_code == 303
    assert translate(client, "next_steps", {"Hold the assembly": "Celebrar la asamblea",
                                            "In the town hall.": "En el ayuntamiento."}
                     ).status_code == 303
    reader = app.test_client()
    spanish = reader.get("/", headers=SPANISH).get_data(as_text=True)
    # Translated where the committee translated; the rest in the default language.
    assert "Construir lo común" in spanish and "Share the tools" in spanish
    assert "Celebrar la asamblea" in spanish and "En el ayuntamiento." in spanish
    english = reader.get("/", headers=ENGLISH).get_data(as_text=True)
    assert "Build the commons" in english and "Construir" not in english
    # Reordering keeps a translation; rewriting a text shows it in English until translated.
    post_form("/committee/pages/aims", {"aims": "Share the tools\nBuild the commons\nNew aim"})
    spanish = reader.get("/", headers=SPANISH).get_data(as_text=True)
    assert spanish.index("Share the tools") < spanish.index("Construir lo común")
    assert "New aim" in spanish
    with app.app_context():  # the rows themselves keep their default-language text
        assert [a.text for a in services.list_aims()] == ["Share the tools",
                                                          "Build the commons", "New aim"]


def test_the_ecosystem_page_in_spanish(app, client):
    member(app, client)
    with app.app_context():
        services.set_page_text("ecosystem_intro", "Networks we work with.")
        section = EcosystemSection(title="International networks", kind="international")
        section.entries.append(EcosystemEntry(name="RIPESS", url="https://ripess.org",
                                              description="The intercontinental network."))
        db.session.add(section)
        db.session.commit()
    assert translate(client, "ecosystem", {
        "Networks we work with.": "Redes con las que trabajamos.",
        "International networks": "Redes internacionales",
        "The intercontinental network.": "La red intercontinental."}).status_code == 303
    spanish = app.test_client().get("/ecosystem", headers=SPANISH).get_data(as_text=True)
    assert "Redes con las que trabajamos." in spanish and "Redes internacionales" in spanish
    assert "La red intercontinental." in spanish and "RIPESS" in spanish
    english = app.test_client().get("/ecosystem", headers=ENGLISH).get_data(as_text=True)
    assert "International networks" in english and "Redes" not in english


def test_a_refused_form_changes_nothing(app, client):
    member(app, client)
    with app.app_context():
        services.set_page_text("ecosystem_intro", "Networks we work with.")
        db.session.commit()
    url = "/committee/pages/ecosystem/translations/es"
    html = client.get(url).get_data(as_text=True)
    key = re.search(r'id="source-([0-9a-f]+)"', html).group(1)
    response = client.post(url, data={"csrf_token": "stale", f"t-{key}": "Redes amigas."})
    assert response.status_code == 400 and "not sent" in response.get_data(as_text=True)
    spanish = app.test_client().get("/ecosystem", headers=SPANISH).get_data(as_text=True)
    assert "Redes amigas." not in spanish
    assert client.get("/committee/pages/aims/translations/de").status_code == 404
    assert client.get("/committee/pages/other/translations/es").status_code == 404
