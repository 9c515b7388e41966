"""Mail a person sent us (commands, replies) is theirs too: erased with them
(listserve.core.personal_data)."""

import sqlalchemy as sa
from flask import Flask

from listserve.core.personal_data import Holder, register
from listserve.extensions import db
from listserve.inbound.models import InboundMessage


def init_app(app: Flask) -> None:
    register(app, Holder("mail_you_sent", erase=erase_inbound_mail))


def erase_inbound_mail(email_key: str) -> None:
    db.session.execute(
        sa.delete(InboundMessage).where(
            sa.or_(InboundMessage.sender == email_key,
                   sa.func.lower(InboundMessage.envelope_from) == email_key)
        )
    )
