"""A long-running worker never sends an old mailing's body under a reused id."""

from datetime import timedelta

import sqlalchemy as sa

from listserve.core.lists import get_default_list
from listserve.delivery.batch import CopyMaker
from listserve.delivery.models import Mailing, MailingKind
from listserve.extensions import db


def _mailing(mailing_list, body, **extra) -> Mailing:
    mailing = Mailing(list_id=mailing_list.id, kind=MailingKind.NOTICE, purpose="test",
                      subject="Hello", text_body=body, html_body=None, **extra)
    db.session.add(mailing)
    db.session.flush()
    return mailing


def test_reused_mailing_id_is_rendered_afresh(app):
    with app.app_context():
        mailing_list = get_default_list()
        first = _mailing(mailing_list, "the old body\n")
        reused_id, created = first.id, first.created_at
        db.session.commit()
        maker = CopyMaker()
        maker.load({reused_id})
        assert b"the old body" in b"".join(maker.templates[reused_id].body_pieces)

        db.session.execute(sa.delete(Mailing).where(Mailing.id == reused_id))
        db.session.expunge(first)
        _mailing(mailing_list, "the new body\n", id=reused_id,
                 created_at=created + timedelta(seconds=1))
        db.session.commit()
        maker.load({reused_id})
        body = b"".join(maker.templates[reused_id].body_pieces)
        assert b"the new body" in body and b"the old body" not in body
