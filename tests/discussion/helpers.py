"""A discussion list with members, and mail written as a mail client writes it."""

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid

import sqlalchemy as sa

from listserve.core.lists import MailingList
from listserve.extensions import db
from listserve.inbound.models import InboundMessage
from listserve.subscriptions.models import Subscriber, Subscription

DOMAIN = "lists.example.org"
TALK = f"talk@{DOMAIN}"


def discussion_list(app, members=(), **settings) -> int:
    """The list talk@lists.example.org (kind discussion) with confirmed `members`."""
    with app.app_context():
        mailing_list = MailingList(slug="talk", name="Talk", domain=DOMAIN, kind="discussion",
                                   subject_prefix="[talk]", consent_text="Talk with us.",
                                   footer="Talk is the network's open list.", **settings)
        db.session.add(mailing_list)
        for email in members:
            subscriber = db.session.scalar(sa.select(Subscriber).filter_by(email_key=email))
            subscriber = subscriber or Subscriber(email=email, email_key=email,
                                                  name=email.split("@")[0].title())
            db.session.add(Subscription(subscriber=subscriber, mailing_list=mailing_list,
                                        status="confirmed"))
        db.session.commit()
        return mailing_list.id


def post(sender: str, subject: str, body: str, to: str = TALK, message_id: str | None = None,
         **headers) -> bytes:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = message_id or make_msgid(domain="example.net")
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes()


def rows(app) -> list[InboundMessage]:
    with app.app_context():
        found = db.session.scalars(sa.select(InboundMessage).order_by(InboundMessage.id)).all()
        for row in found:
            db.session.expunge(row)
        return found


def resolver_with(records: dict[str, str]):
    """A DMARC resolver answering from `records` ({domain: TXT}); every name asked is kept."""
    asked = []

    def resolve(name: str) -> list[str]:
        asked.append(name)
        domain = name.removeprefix("_dmarc.")
        return [records[domain]] if domain in records else []

    resolve.asked = asked
    return resolve
