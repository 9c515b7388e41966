"""Each subscription's language (issue 22): stored from the page the person subscribed on,
every notice rendered in it and saying so (Content-Language), pages reached from their mail
speaking it, changeable on the preferences page, a column in import and export."""

import io
from urllib.parse import urlsplit

import sqlalchemy as sa

from listserve.extensions import db
from listserve.subscriptions.manage.exporting import export_csv
from listserve.subscriptions.manage.importing import import_subscribers
from listserve.subscriptions.manage.selection import Selection
from listserve.subscriptions.models import Subscription
from tests.subscriptions.helpers import press_button, subscribe, subscription_of
from tests.support import csrf_token
from tests.test_languages import lang_of


def _in_spanish(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"


def test_a_spanish_page_makes_a_spanish_subscription_with_spanish_mail(
        app, client, deliver, smtp_sink):
    _in_spanish(client)
    subscribe(client, "ana@example.net")
    assert subscription_of(app, "ana@example.net").language == "es"
    deliver()
    [confirmation] = smtp_sink.to("ana@example.net")
    assert confirmation.message["Content-Language"] == "es"
    assert (confirmation.message["Subject"]
            == "Confirma, por favor: suscribirte a Network announcements")

    # The confirmation page (from the mail) speaks Spanish even to a browser asking English.
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    link = urlsplit(confirmation.link_to("/confirm/")).path
    assert lang_of(client.get(link)) == "es"
    press_button(client, link)
    deliver()
    welcome = smtp_sink.to("ana@example.net")[-1]
    assert welcome.message["Content-Language"] == "es"
    assert welcome.message["Subject"] == "Te damos la bienvenida a Network announcements"


def test_an_english_page_makes_english_mail(app, client, deliver, smtp_sink):
    subscribe(client, "bo@example.net")
    assert subscription_of(app, "bo@example.net").language == "en"
    deliver()
    [confirmation] = smtp_sink.to("bo@example.net")
    assert confirmation.message["Content-Language"] == "en"
    assert confirmation.message["Subject"].startswith("Please confirm: join")


def _confirmed(client, smtp_sink, deliver, email) -> str:
    subscribe(client, email)
    deliver()
    press_button(client, urlsplit(smtp_sink.to(email)[-1].link_to("/confirm/")).path)
    deliver()
    return urlsplit(smtp_sink.to(email)[-1].link_to("/u/")).path


def test_the_preferences_page_speaks_and_changes_the_subscription_language(
        app, client, deliver, smtp_sink):
    _in_spanish(client)
    link = _confirmed(client, smtp_sink, deliver, "cy@example.net")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    lists_url = f"{link}/lists"
    page = client.get(lists_url)
    assert lang_of(page) == "es"  # the subscriber's language beats Accept-Language
    assert '<option selected value="es">Español</option>' in page.get_data(as_text=True)

    token = csrf_token(page.get_data(as_text=True))
    answer = client.post(lists_url, data={"csrf_token": token, "action": "language",
                                          "language": "en"}, follow_redirects=True)
    assert answer.status_code == 200
    assert lang_of(answer) == "en"
    assert "Saved: your mail will come in English." in answer.get_data(as_text=True)
    assert subscription_of(app, "cy@example.net").language == "en"

    # A language not offered is refused with the page kept, never a 500.
    token = csrf_token(client.get(lists_url).get_data(as_text=True))
    refused = client.post(lists_url, data={"csrf_token": token, "action": "language",
                                           "language": "xx"})
    assert refused.status_code == 400
    assert subscription_of(app, "cy@example.net").language == "en"

    # An explicit choice of the visitor still wins on a subscriber's page.
    assert lang_of(client.get(lists_url + "?lang=es")) == "es"


def test_notices_after_a_change_follow_the_new_language(app, client, deliver, smtp_sink):
    link = _confirmed(client, smtp_sink, deliver, "di@example.net")
    lists_url = f"{link}/lists"
    token = csrf_token(client.get(lists_url).get_data(as_text=True))
    client.post(lists_url, data={"csrf_token": token, "action": "language", "language": "es"})
    # Subscribing again while subscribed: the "already subscribed" notice, in Spanish.
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    with app.app_context():
        from listserve.subscriptions.models import Subscription as S
        db.session.execute(sa.update(S).values(notice_sent_at=None))
        db.session.commit()
    subscribe(client, "di@example.net")
    deliver()
    notice = smtp_sink.to("di@example.net")[-1]
    assert notice.message["Content-Language"] == "es"
    assert notice.message["Subject"] == "Ya estás en Network announcements"


def test_import_reads_and_export_writes_the_language_column(app, deliver, smtp_sink):
    text = ("email,name,language\nana@example.org,Ana,es\nbo@example.org,Bo,\n"
            "cy@example.org,Cy,EN\nxx@example.org,Xx,tlh\n")
    with app.app_context():
        report = import_subscribers(io.StringIO(text), "assembly sheet")
        db.session.commit()
        assert [error.line for error in report.errors] == [5]
        assert "language" in report.errors[0].message
        languages = dict(db.session.execute(
            sa.select(Subscription.id, Subscription.language)).all())
        assert sorted(languages.values(), key=str) == sorted(["es", None, "en"], key=str)
    assert deliver() == 3
    assert smtp_sink.to("ana@example.org")[0].message["Content-Language"] == "es"
    assert smtp_sink.to("ana@example.org")[0].message["Subject"].startswith("Confirma")
    assert smtp_sink.to("bo@example.org")[0].message["Content-Language"] == "en"
    assert smtp_sink.to("cy@example.org")[0].message["Subject"].startswith("Please confirm")
    with app.app_context():
        exported = "".join(export_csv(Selection()))
    header, *rows = exported.splitlines()
    assert "language" in header.split(",")
    column = header.split(",").index("language")
    by_email = {row.split(",")[0]: row.split(",")[column] for row in rows}
    assert by_email == {"ana@example.org": "es", "bo@example.org": "", "cy@example.org": "en"}
