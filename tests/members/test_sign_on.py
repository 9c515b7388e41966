"""An organisation or a person signs on, proves the address by mail, the committee decides,
and the directory shows only what the member chose; withdrawal erases the entry."""

import csv
import io

import sqlalchemy as sa

from listserve.extensions import db
from listserve.members.models import Member
from listserve.subscriptions.models import Subscription, SubscriptionStatus
from tests.committee.helpers import log_in, make_member
from tests.members.helpers import ORGANISATION, mail_link, press_button, sign_on
from tests.support import csrf_token


def _approve(app, client, name="Riverside Worker Co-op", decision="approve", message="Welcome!"):
    make_member(app, "admin@example.org", role="admin")
    log_in(client, "admin@example.org")
    page = client.get("/committee/network-members").get_data(as_text=True)
    assert name in page
    with app.app_context():
        member_id = db.session.scalar(sa.select(Member.id).filter_by(name=name))
    url = f"/committee/network-members/{member_id}"
    token = csrf_token(client.get(url).get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, "decision": decision,
                                      "message": message})
    assert response.status_code == 303
    client.post("/committee/logout", data={"csrf_token": token})


def test_an_organisation_joins_and_shows_only_what_it_chose(app, client, smtp_sink, deliver):
    sign_on(client)
    assert "Riverside" not in client.get("/members").get_data(as_text=True)
    press_button(client, mail_link(smtp_sink, deliver, "coop@example.org", "/join/verify/"))
    # Proven but not yet approved: still not public.
    assert "Riverside" not in client.get("/members").get_data(as_text=True)
    _approve(app, client)
    deliver()
    assert "Welcome!" in smtp_sink.to("coop@example.org")[-1].text
    directory = client.get("/members").get_data(as_text=True)
    assert "Riverside Worker Co-op" in directory
    assert "Springfield, MA" in directory and "https://riverside.example.org" in directory
    # Not chosen: contact person, address, description, country.
    for hidden in ("Dana Contact", "coop@example.org", "bakery", "USA"):
        assert hidden not in directory
    assert "Riverside" in client.get("/members?sector=cooperatives").get_data(as_text=True)
    assert "Riverside" not in client.get("/members?sector=media").get_data(as_text=True)
    assert "Riverside" in client.get("/members?region=springfield,+ma").get_data(as_text=True)
    assert "Riverside" in client.get("/members?q=riverside").get_data(as_text=True)
    # A hidden field is never searched: its words find nothing.
    assert "Riverside" not in client.get("/members?q=bakery").get_data(as_text=True)


def test_nothing_is_listed_without_the_mailed_button(app, client, smtp_sink, deliver):
    sign_on(client)
    with app.app_context():
        member = db.session.scalar(sa.select(Member))
        assert member.status == "unverified" and member.principles.text
    log_in_page = client.get("/join/verify/not-a-token")
    assert log_in_page.status_code == 404


def test_member_counts_and_export_for_the_committee(app, client, smtp_sink, deliver):
    sign_on(client)
    press_button(client, mail_link(smtp_sink, deliver, "coop@example.org", "/join/verify/"))
    _approve(app, client)
    log_in(client, "admin@example.org")
    numbers = client.get("/committee/dashboard").get_data(as_text=True)
    assert "Network members" in numbers and "Cooperatives" in numbers
    assert "Springfield, MA" in numbers
    exported = client.get("/committee/network-members/export.csv")
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert [(r["name"], r["email"], r["status"]) for r in rows] == [
        ("Riverside Worker Co-op", "coop@example.org", "approved")]


def test_withdrawal_erases_the_entry(app, client, smtp_sink, deliver):
    sign_on(client)
    press_button(client, mail_link(smtp_sink, deliver, "coop@example.org", "/join/verify/"))
    entry = mail_link(smtp_sink, deliver, "coop@example.org", "/members/entry/")
    page = client.get(entry).get_data(as_text=True)
    response = client.post(entry, data={**ORGANISATION, "csrf_token": csrf_token(page),
                                        "shown_fields": ["sector"], "name": "Riverside Co-op"})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(Member.name)) == "Riverside Co-op"
    page = client.get(entry).get_data(as_text=True)
    assert client.post(f"{entry}/withdraw",
                       data={"csrf_token": csrf_token(page)}).status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Member.id))) == 0
    assert client.get(entry).status_code == 404


def test_one_confirmation_also_joins_the_list(app, client, smtp_sink, deliver):
    sign_on(client, kind="individual", email="ana@example.org", name="Ana Person",
            contact_name="", sector="", country="", wants_list="y")
    press_button(client, mail_link(smtp_sink, deliver, "ana@example.org", "/join/verify/"))
    with app.app_context():
        subscription = db.session.scalar(sa.select(Subscription))
        assert subscription.status == SubscriptionStatus.CONFIRMED
        assert subscription.consents[-1].source == "member sign-on"
    deliver()
    subjects = [m.message["Subject"] for m in smtp_sink.to("ana@example.org")]
    assert not any("Please confirm: join" in s for s in subjects)


def test_bad_input_gets_a_clear_400_and_keeps_what_was_typed(app, client):
    cases = [
        ({"name": ""}, "This field is required"),
        ({"email": "not an address"}, "not an address"),
        ({"website": "javascript:alert(1)"}, "https://"),
        ({"sector": "bogus"}, "Not a valid choice"),
        ({"agrees": ""}, "agree to the network"),
        ({"name": "x" * 100_000}, "Field cannot be longer"),
        ({"contact_name": "Dana\r\nBcc: x@example.org"}, "line breaks"),
        ({"kind": "individual", "region": ""}, "This field is required"),
        ({"kind": "organisation", "sector": ""}, "sector"),
        ({"principles": "0" * 64}, "principles changed"),
    ]
    for change, message in cases:
        response = sign_on(client, expect=400, **change)
        page = response.get_data(as_text=True)
        assert message in page, (change, message)
        assert "A bakery owned by its workers." in page  # what was typed is still there
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Member.id))) == 0


def test_a_declined_entry_gets_the_message_and_stays_out_of_the_directory(app, client,
                                                                          smtp_sink, deliver):
    sign_on(client)
    press_button(client, mail_link(smtp_sink, deliver, "coop@example.org", "/join/verify/"))
    _approve(app, client, decision="decline", message="Please tell us more about your work.")
    deliver()
    mail = smtp_sink.to("coop@example.org")[-1]
    assert "Please tell us more about your work." in mail.text
    assert "No member matches." in client.get("/members").get_data(as_text=True)
    # Its personal link still lets the organisation correct the entry, keeping what it typed
    # when something is wrong.
    entry = mail.link_to("/members/entry/")
    page = client.get(entry).get_data(as_text=True)
    response = client.post(entry, data={**ORGANISATION, "csrf_token": csrf_token(page),
                                        "website": "not a link",
                                        "description": "We bake and teach baking."})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "https://" in body and "We bake and teach baking." in body


def test_signing_on_again_never_says_whether_the_address_is_known(app, client, smtp_sink,
                                                                 deliver):
    sign_on(client)
    press_button(client, mail_link(smtp_sink, deliver, "coop@example.org", "/join/verify/"))
    first = sign_on(client, name="Someone Else").get_data(as_text=True)
    assert "Check your inbox" in first
    deliver()
    mail = smtp_sink.to("coop@example.org")[-1]
    assert mail.link_to("/members/entry/")  # the owner gets their own link, nobody else
    with app.app_context():
        assert db.session.scalar(sa.select(Member.name)) == "Riverside Worker Co-op"


def test_a_decision_without_a_choice_keeps_the_message(app, client, smtp_sink, deliver):
    sign_on(client)
    press_button(client, mail_link(smtp_sink, deliver, "coop@example.org", "/join/verify/"))
    make_member(app, "admin@example.org", role="admin")
    log_in(client, "admin@example.org")
    with app.app_context():
        url = f"/committee/network-members/{db.session.scalar(sa.select(Member.id))}"
    for bad in ({"decision": "maybe"}, {}, {"decision": "approve", "message": "\x00" * 3}):
        token = csrf_token(client.get(url).get_data(as_text=True))
        response = client.post(url, data={"csrf_token": token, "message": "Thanks, but…",
                                          **bad})
        assert response.status_code == 400, bad
        assert "Thanks, but…" in response.get_data(as_text=True) or "\x00" in bad.get(
            "message", "")
    with app.app_context():
        assert db.session.scalar(sa.select(Member.status)) == "pending"
