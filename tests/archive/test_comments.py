"""The comment loop: write, prove the address by email, publish; then publish at once."""

import sqlalchemy as sa

from listserve.archive.models import Comment, CommentStatus
from listserve.extensions import db
from tests.archive.helpers import (
    become_verified_reader,
    make_post,
    page_url,
    press,
    verification_link,
    write_comment,
)


def statuses(app):
    with app.app_context():
        return [c.status for c in db.session.scalars(sa.select(Comment).order_by(Comment.id))]


def test_first_comment_waits_for_the_button_then_the_next_publishes_at_once(
    app, client, smtp_sink, deliver
):
    with app.app_context():
        url = page_url(make_post())
    sent = write_comment(client, url, body="Congratulations! *Another economy* is happening.")
    assert sent.status_code == 303
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "we sent you an email" in page
    # Where the redirect's #comments opens the page, not above the post, out of view.
    assert page.index('id="comments"') < page.index("we sent you an email")
    assert "Another economy" not in page
    assert statuses(app) == [CommentStatus.UNVERIFIED]

    link = verification_link(smtp_sink, deliver, "ana@example.org")
    shown = client.get(link)
    assert shown.status_code == 200 and "Publish my comment" in shown.get_data(as_text=True)
    assert statuses(app) == [CommentStatus.UNVERIFIED]  # a GET changes nothing
    assert "verified_reader" not in " ".join(shown.headers.getlist("Set-Cookie"))

    confirmed = press(client, link)
    assert confirmed.status_code == 200
    cookie = confirmed.headers["Set-Cookie"]
    assert cookie.startswith("verified_reader=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=2592000" in cookie
    assert "Secure" not in cookie  # BASE_URL is http in the tests
    page = client.get(url).get_data(as_text=True)
    assert "<em>Another economy</em> is happening." in page
    assert "ana@example.org" not in page

    smtp_sink.clear()
    again = write_comment(client, url, body="And a second thought.")
    assert again.status_code == 303 and "#comment-" in again.headers["Location"]
    assert "And a second thought." in client.get(url).get_data(as_text=True)
    deliver()
    assert smtp_sink.messages == []  # no second verification mail
    assert statuses(app) == [CommentStatus.PUBLISHED, CommentStatus.PUBLISHED]


def test_a_verification_link_works_once(app, client, smtp_sink, deliver):
    with app.app_context():
        url = page_url(make_post())
    write_comment(client, url)
    link = verification_link(smtp_sink, deliver, "ana@example.org")
    assert press(client, link).status_code == 200
    assert client.get(link).status_code == 404
    assert client.get(link[:-3] + "abc").status_code == 404


def test_another_address_from_a_verified_browser_is_proven_again(app, client, smtp_sink, deliver):
    with app.app_context():
        url = page_url(make_post())
    become_verified_reader(client, smtp_sink, deliver, url)
    smtp_sink.clear()
    write_comment(client, url, email="someone-else@example.org", body="Not Ana.")
    assert "Not Ana." not in client.get(url).get_data(as_text=True)
    assert verification_link(smtp_sink, deliver, "someone-else@example.org")


def test_a_new_browser_proves_the_address_again(app, client, smtp_sink, deliver):
    with app.app_context():
        url = page_url(make_post())
    become_verified_reader(client, smtp_sink, deliver, url)
    smtp_sink.clear()
    other_browser = app.test_client()
    write_comment(other_browser, url, body="From my phone.")
    assert "From my phone." not in client.get(url).get_data(as_text=True)
    assert verification_link(smtp_sink, deliver, "ana@example.org")


def test_a_tampered_cookie_counts_for_nothing(app, client, smtp_sink, deliver):
    with app.app_context():
        url = page_url(make_post())
    become_verified_reader(client, smtp_sink, deliver, url)
    forged = client.get_cookie("verified_reader").value[:-2] + "xx"
    client.set_cookie("verified_reader", forged)
    write_comment(client, url, body="Forged.")
    assert statuses(app)[-1] == CommentStatus.UNVERIFIED


def test_waiting_comments_are_all_released_by_one_button(app, client, smtp_sink, deliver):
    with app.app_context():
        url = page_url(make_post())
    write_comment(client, url, body="First.")
    write_comment(client, url, body="Second, before the mail arrived.")
    deliver()
    assert len(smtp_sink.to("ana@example.org")) == 1  # one mail, not one per comment
    press(client, verification_link(smtp_sink, deliver, "ana@example.org"))
    page = client.get(url).get_data(as_text=True)
    assert "First." in page and "Second, before the mail arrived." in page


def test_the_list_setting_holds_every_comment_for_the_committee(app, client, smtp_sink, deliver):
    from listserve.core.lists import get_default_list

    with app.app_context():
        url = page_url(make_post())
        get_default_list().comment_policy = "all_held"
        db.session.commit()
    response = become_verified_reader(client, smtp_sink, deliver, url, body="Held one.")
    assert "once the committee has read it" in response.get_data(as_text=True)
    write_comment(client, url, body="Held two.")
    page = client.get(url).get_data(as_text=True)
    assert "Held one." not in page and "Held two." not in page
    assert statuses(app) == [CommentStatus.HELD, CommentStatus.HELD]


def test_a_bot_filling_the_honeypot_stores_and_sends_nothing(app, client, smtp_sink, deliver):
    with app.app_context():
        url = page_url(make_post())
    response = write_comment(client, url, body="Buy now", website="http://spam.example")
    assert response.status_code == 303
    deliver()
    assert statuses(app) == [] and smtp_sink.messages == []


def test_mistakes_get_a_4xx_and_keep_what_was_typed(app, client):
    with app.app_context():
        url = page_url(make_post())
    typed = "I still don't understand exactly what the solidarity economy is."
    bad_address = write_comment(client, url, email="not-an-address", body=typed, expect=400)
    assert bad_address.status_code == 400
    html = bad_address.get_data(as_text=True)
    assert "I still don&#39;t understand exactly" in html and 'value="not-an-address"' in html
    no_name = write_comment(client, url, name="  ", body=typed, expect=400)
    assert no_name.status_code == 400 and "I still don&#39;t" in no_name.get_data(as_text=True)
    too_long = write_comment(client, url, body="x" * 5001, expect=400)
    assert too_long.status_code == 400
    assert "limited to 5000 characters" in too_long.get_data(as_text=True)
    injected = write_comment(client, url, name="Ana\r\nBcc: x@example.org", body=typed, expect=400)
    assert injected.status_code == 400
    assert statuses(app) == []


def test_comments_from_one_address_are_limited(app, client, smtp_sink, deliver):
    app.config["COMMENT_ADDRESS_HOURLY_LIMIT"] = 2
    with app.app_context():
        url = page_url(make_post())
    write_comment(client, url, body="one")
    write_comment(client, url, body="two")
    third = write_comment(client, url, body="three, kept in the form", expect=429)
    assert third.status_code == 429
    assert "three, kept in the form" in third.get_data(as_text=True)
    assert len(statuses(app)) == 2


def test_a_reply_goes_under_its_comment_and_one_level_deep(app, client, smtp_sink, deliver):
    with app.app_context():
        url = page_url(make_post())
    become_verified_reader(client, smtp_sink, deliver, url, body="Top comment.")
    with app.app_context():
        top = db.session.scalar(sa.select(Comment.id))
    form = client.get(f"{url}?reply_to={top}").get_data(as_text=True)
    assert "Reply to a comment" in form and f'name="parent_id" type="hidden" value="{top}"' in form
    write_comment(client, url, body="A reply.", parent_id=top)
    with app.app_context():
        reply = db.session.scalar(sa.select(Comment.id).where(Comment.parent_id == top))
    write_comment(client, url, body="A reply to the reply.", parent_id=reply)
    with app.app_context():
        parents = db.session.scalars(sa.select(Comment.parent_id).order_by(Comment.id)).all()
    assert parents == [None, top, top]
    html = client.get(url).get_data(as_text=True)
    replies = html.split('class="comment-replies"')[1]
    assert "A reply." in replies and "A reply to the reply." in replies


def test_an_expired_form_comes_back_filled_in(app, client):
    with app.app_context():
        url = page_url(make_post())
    client.get(url)
    response = client.post(f"{url}/comments", data={
        "csrf_token": "expired", "name": "Ana", "email": "ana@example.org",
        "body": "Written slowly over tea.",
    })
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "form had expired" in html and "Written slowly over tea." in html
    assert write_comment(client, url, body="Written slowly over tea.").status_code == 303
