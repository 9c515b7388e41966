"""The personal lists page (/u/<token>/lists, from the link in every mail): every list with
its state; join another, leave one or all, each message or a digest."""

from urllib.parse import urlsplit

import sqlalchemy as sa

from listserve.extensions import db
from listserve.subscriptions.models import ConsentRecord, Subscription
from tests.subscriptions.helpers import press_button, subscribe
from tests.subscriptions.lists_helpers import default_list_id, make_list, states
from tests.support import csrf_token


def _confirmed_with_link(client, smtp_sink, deliver, email) -> str:
    """Subscribe to the main list, confirm, and return the welcome mail's personal path."""
    subscribe(client, email)
    deliver()
    press_button(client, urlsplit(smtp_sink.to(email)[-1].link_to("/confirm/")).path)
    deliver()
    return urlsplit(smtp_sink.to(email)[-1].link_to("/u/")).path


def _press(client, page_url, **fields):
    token = csrf_token(client.get(page_url).get_data(as_text=True))
    return client.post(page_url, data={"csrf_token": token, **fields})


def test_join_another_list_leave_one_and_choose_a_digest(app, client, smtp_sink, deliver):
    talk = make_list(app, "talk", "Network talk", consent_text="Talk consent, word for word.")
    main = default_list_id(app)
    link = _confirmed_with_link(client, smtp_sink, deliver, "jo@example.net")
    page = client.get(link).get_data(as_text=True)
    assert "All your lists" in page
    lists_url = f"{link}/lists"
    page = client.get(lists_url).get_data(as_text=True)
    assert "Network announcements" in page and "Network talk" in page
    assert "Talk consent, word for word." in page

    # The personal link proves the address: joining a list never left is at once.
    response = _press(client, lists_url, action="join", list_id=str(talk))
    assert response.status_code == 303
    assert states(app, "jo@example.net") == {main: "confirmed", talk: "confirmed"}
    with app.app_context():
        record = db.session.scalar(sa.select(ConsentRecord).join(Subscription)
                                   .where(Subscription.list_id == talk))
        assert record.source.startswith("preferences page")
        assert record.consent_text.text == "Talk consent, word for word."
        assert record.confirmed_at is not None
    deliver()
    assert smtp_sink.to("jo@example.net")[-1].message["Subject"] == "Welcome to Network talk"

    assert _press(client, lists_url, action="mode", list_id=str(talk),
                  mode="digest").status_code == 303
    with app.app_context():
        modes = dict(db.session.execute(sa.select(Subscription.list_id,
                                                  Subscription.delivery_mode)).all())
    assert modes == {main: "each", talk: "digest"}

    assert _press(client, lists_url, action="leave", list_id=str(main)).status_code == 303
    assert states(app, "jo@example.net") == {main: "unsubscribed", talk: "confirmed"}

    # Rejoining a list left needs a fresh confirmation, by mail.
    sent = len(smtp_sink.to("jo@example.net"))
    assert _press(client, lists_url, action="join", list_id=str(main)).status_code == 303
    assert states(app, "jo@example.net") == {main: "pending", talk: "confirmed"}
    deliver()
    assert "Please confirm" in smtp_sink.to("jo@example.net")[sent].message["Subject"]

    assert _press(client, lists_url, action="leave_all").status_code == 303
    assert set(states(app, "jo@example.net").values()) == {"unsubscribed"}


def test_bad_links_and_bad_posts_are_4xx(app, client, smtp_sink, deliver):
    assert client.get("/u/not-a-token/lists").status_code == 404
    link = _confirmed_with_link(client, smtp_sink, deliver, "kim@example.net")
    lists_url = f"{link}/lists"
    assert _press(client, lists_url, action="explode").status_code == 400
    assert _press(client, lists_url, action="join", list_id="9" * 400).status_code == 400
    assert _press(client, lists_url, action="join", list_id="99999").status_code == 400
    assert client.post(lists_url, data={"action": "leave_all"}).status_code == 400  # no CSRF
    secret = make_list(app, "secret", "Hidden group", public=False)
    assert _press(client, lists_url, action="join", list_id=str(secret)).status_code == 400
    assert states(app, "kim@example.net") == {default_list_id(app): "confirmed"}
