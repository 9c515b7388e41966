"""An announcement in several languages (issue 22): the committee adds translations beside the
source, approvals cover every language, each subscriber gets the version in their language
(else the default), and the archive shows the reader's language with links to the others."""

import re
from collections import Counter

import pytest
import sqlalchemy as sa

from listserve.archive.models import Post
from listserve.core.lists import get_default_list
from listserve.extensions import db
from listserve.subscriptions.models import Subscriber, Subscription
from tests.announcements.helpers import BASE, announcement_state, press, write_draft
from tests.committee.helpers import audit_actions, log_in, make_member
from tests.support import csrf_token

ENGLISH = "We meet on **Tuesday** in the hall.\n"
SPANISH = "Nos reunimos el **martes** en el salón.\n"


@pytest.fixture
def committee(app):
    make_member(app, "ana@example.org", "Ana")
    make_member(app, "ben@example.org", "Ben")
    clients = {}
    for name in ("ana", "ben"):
        clients[name] = app.test_client()
        log_in(clients[name], f"{name}@example.org")
    return clients


def add_speakers(app, languages: dict[str | None, int]) -> None:
    """Confirmed subscribers: for each language (None: none stated), that many of them."""
    with app.app_context():
        mailing_list = get_default_list()
        for language, count in languages.items():
            for n in range(count):
                email = f"{language or 'none'}{n}@example.net"
                subscriber = Subscriber(email=email, email_key=email, name=f"Reader {n}")
                db.session.add(Subscription(subscriber=subscriber, mailing_list=mailing_list,
                                            status="confirmed", language=language))
        db.session.commit()


def translate(client, draft, language="es", subject="Reunión", body=SPANISH, next_steps=""):
    url = f"{BASE}/{draft}/translations/{language}"
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                  "subject": subject, "body": body, "next_steps": next_steps})


def copies_by_language(smtp_sink) -> dict[str, list]:
    found = {}
    for copy in smtp_sink.messages:
        found.setdefault(copy.message["Content-Language"], []).append(copy)
    return found


def test_six_hundred_spanish_and_four_hundred_english_copies(app, committee, deliver, smtp_sink):
    add_speakers(app, {"es": 600, "en": 400})
    draft = write_draft(committee["ana"], "Meeting", ENGLISH)
    # The translation editor shows the source beside it.
    page = committee["ana"].get(f"{BASE}/{draft}/translations/es").get_data(as_text=True)
    assert "We meet on **Tuesday** in the hall." in page and 'lang="es"' in page
    assert translate(committee["ana"], draft).status_code == 303
    assert press(committee["ben"], draft, "approve").status_code == 303

    # Editing the Spanish text alone resets the approvals of the whole set.
    assert translate(committee["ana"], draft, body="Nos reunimos el **miércoles**.\n"
                     ).status_code == 303
    detail = committee["ana"].get(f"{BASE}/{draft}").get_data(as_text=True)
    assert "0 of 1 approval" in detail
    refused = press(committee["ana"], draft, "send")
    assert refused.status_code == 400 and "needs 1 approval" in refused.get_data(as_text=True)
    assert "translated" in [action for action, *_ in audit_actions(app, "announcement", draft)]
    assert translate(committee["ana"], draft).status_code == 303  # back to SPANISH
    assert press(committee["ben"], draft, "approve").status_code == 303
    assert press(committee["ana"], draft, "send").status_code == 303

    deliver()
    copies = copies_by_language(smtp_sink)
    assert Counter({k: len(v) for k, v in copies.items()}) == Counter({"es": 600, "en": 400})
    assert {r for c in copies["es"] for r in c.rcpt_tos} == {f"es{n}@example.net"
                                                             for n in range(600)}
    with app.app_context():
        post = db.session.get(Post, announcement_state(app, draft)["post_id"])
        page_url = f"http://localhost/archive/announcements/{post.year}/{post.slug}"
    for copy in copies["es"]:
        assert copy.message["Subject"] == "Reunión"
        assert "Nos reunimos el **martes**" in copy.text and "Tuesday" not in copy.text
        assert "martes" in copy.html
        # The footer is the Spanish copy's: its words, and its link to the web reads the
        # Spanish page.
        assert "Recibes esto porque te suscribiste a" in copy.text
        assert "Date de baja de la lista con un clic" in copy.text
        assert "You receive this because" not in copy.text + copy.html
        assert f"{page_url}?lang=es" in copy.text and f"{page_url}?lang=es" in copy.html
        assert copy.message["Archived-At"] == f"<{page_url}?lang=es>"
    for copy in copies["en"]:
        assert copy.message["Subject"] == "Meeting"
        assert "We meet on **Tuesday**" in copy.text and "martes" not in copy.text
        assert "You receive this because you subscribed to" in copy.text
        assert "Recibes esto" not in copy.text + copy.html
        assert "?lang=" not in copy.text and copy.message["Archived-At"] == f"<{page_url}>"

    # The archive shows both: the reader's language, with links to the other.
    reader = app.test_client()
    spanish = reader.get(f"/archive/announcements/{post.year}/{post.slug}",
                         headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "<h1>Reunión</h1>" in spanish and "martes" in spanish
    assert f'hreflang="en" href="{page_url}?lang=en"' in spanish
    assert f'hreflang="es" href="{page_url}?lang=es"' in spanish
    english = reader.get(f"/archive/announcements/{post.year}/{post.slug}",
                         headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<h1>Meeting</h1>" in english and "Tuesday" in english
    assert re.search(r'<a href="[^"]*\?lang=es" hreflang="es" lang="es">Español</a>', english)
    asked = reader.get(f"/archive/announcements/{post.year}/{post.slug}?lang=es",
                       headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<h1>Reunión</h1>" in asked and '<article class="post" lang="es">' in asked
    # Search and the feed keep finding the post.
    assert "Meeting" in reader.get("/archive/announcements/search?q=Tuesday").get_data(
        as_text=True)
    assert "Meeting" in reader.get("/archive/announcements/feed.atom").get_data(as_text=True)


def test_no_language_or_one_without_a_translation_gets_the_default(
        app, committee, deliver, smtp_sink):
    add_speakers(app, {None: 2, "pt": 1, "xx": 1, "es": 1, "en": 1})
    draft = write_draft(committee["ana"], "Meeting", ENGLISH)
    translate(committee["ana"], draft)
    press(committee["ben"], draft, "approve")
    assert press(committee["ana"], draft, "send").status_code == 303
    deliver()
    subjects = {c.rcpt_tos[0]: (c.message["Subject"], c.message["Content-Language"])
                for c in smtp_sink.messages}
    assert subjects == {
        "none0@example.net": ("Meeting", "en"), "none1@example.net": ("Meeting", "en"),
        "pt0@example.net": ("Meeting", "en"), "xx0@example.net": ("Meeting", "en"),
        "en0@example.net": ("Meeting", "en"), "es0@example.net": ("Reunión", "es"),
    }


def test_an_announcement_in_one_language_goes_out_as_before(app, committee, deliver, smtp_sink):
    add_speakers(app, {None: 1, "es": 1, "en": 1})
    draft = write_draft(committee["ana"], "Meeting", ENGLISH)
    press(committee["ben"], draft, "approve")
    assert press(committee["ana"], draft, "send").status_code == 303
    deliver()
    assert sorted(c.message["Subject"] for c in smtp_sink.messages) == ["Meeting"] * 3
    assert {c.message["Archived-At"] for c in smtp_sink.messages} == {
        c.message["Archived-At"] for c in smtp_sink.messages if "?lang" not in c.text}
    with app.app_context():
        post = db.session.get(Post, announcement_state(app, draft)["post_id"])
        path = f"/archive/announcements/{post.year}/{post.slug}"
    page = app.test_client().get(path, headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "<h1>Meeting</h1>" in page and 'rel="alternate" hreflang' not in page


def test_a_translation_only_in_a_language_the_site_offers(app, committee):
    draft = write_draft(committee["ana"], "Meeting", ENGLISH)
    assert committee["ana"].get(f"{BASE}/{draft}/translations/de").status_code == 404
    assert committee["ana"].get(f"{BASE}/{draft}/translations/en").status_code == 404
    empty = translate(committee["ana"], draft, subject="")
    assert empty.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 0


def test_every_languages_send_is_watched_and_steered_together(
        app, committee, runner, deliver, smtp_sink):
    add_speakers(app, {"es": 3, "en": 2})
    draft = write_draft(committee["ana"], "Meeting", ENGLISH)
    translate(committee["ana"], draft)
    press(committee["ben"], draft, "approve")
    press(committee["ana"], draft, "send")
    assert committee["ana"].post(f"{BASE}/{draft}/pause", data={
        "csrf_token": csrf_token(committee["ana"].get(f"{BASE}/{draft}/sending")
                                 .get_data(as_text=True))}).status_code == 303
    deliver()
    assert smtp_sink.messages == []  # both languages' mailings were paused
    progress = committee["ana"].get(f"{BASE}/{draft}/progress.json").get_json()
    assert progress["state"] == "paused"
    resumed = runner.invoke(args=["mailings", "resume", "--announcement", str(draft)])
    assert resumed.exit_code == 0 and ", es) resumed" in resumed.output
    deliver()
    assert len(smtp_sink.messages) == 5
    progress = committee["ana"].get(f"{BASE}/{draft}/progress.json").get_json()
    assert progress["state"] == "finished"


def test_a_duplicate_keeps_the_translations(app, committee):
    draft = write_draft(committee["ana"], "Meeting", ENGLISH)
    translate(committee["ana"], draft)
    response = press(committee["ana"], draft, "duplicate")
    assert response.status_code == 303
    copy = int(response.headers["Location"].rstrip("/").rsplit("/", 2)[1])
    with app.app_context():
        from listserve.announcements.models import Announcement

        duplicate = db.session.get(Announcement, copy)
        assert duplicate.current_revision.subject == "Copy of Meeting"
        assert {code: r.body for code, r in duplicate.translations.items()} == {"es": SPANISH}
