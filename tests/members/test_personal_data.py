"""A subscriber's export and erasure reach their network-member entry and event answers."""

import sqlalchemy as sa

from listserve.announcements.event_models import EventRsvp
from listserve.extensions import db
from listserve.members.models import Member
from listserve.subscriptions.models import Subscriber
from listserve.subscriptions.privacy import erase_subscriber, export_subscriber_data
from tests.announcements.event_helpers import answer, post_page, sent_announcement_with_event
from tests.members.helpers import mail_link, press_button, sign_on


def test_export_and_erasure_cover_member_entries_and_answers(app, client, smtp_sink, deliver):
    sign_on(client, kind="individual", email="ana@example.org", name="Ana Person",
            contact_name="", sector="", country="", wants_list="y")
    press_button(client, mail_link(smtp_sink, deliver, "ana@example.org", "/join/verify/"))
    announcement_id, event_id = sent_announcement_with_event(app, client)
    answer(client, post_page(app, announcement_id), event_id, note="Coming by bus")
    press_button(client, mail_link(smtp_sink, deliver, "ana@example.org",
                                   "/events/answers/confirm/"))
    with app.app_context():
        subscriber = db.session.scalar(sa.select(Subscriber).filter_by(email_key="ana@example.org"))
        exported = export_subscriber_data(subscriber)
        assert [m["name"] for m in exported["network_member"]] == ["Ana Person"]
        assert exported["network_member"][0]["principles_sha256"]
        assert [(a["answer"], a["note"]) for a in exported["event_answers"]] == [
            ("yes", "Coming by bus")]
        erase_subscriber(subscriber)
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(Member.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(EventRsvp.id))) == 0
