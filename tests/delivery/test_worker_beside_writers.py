"""The worker keeps going while the site writes beside it. On SQLite a read left open across
the SMTP conversation went stale when a request committed meanwhile, and recording the results
then failed at once with "database is locked", which stopped the worker."""

import sqlalchemy as sa

from listserve.delivery.models import OutboxEntry, OutboxStatus
from listserve.extensions import db
from tests.delivery.test_announcement import add_subscribers, announce


def test_a_write_committed_during_a_batch_leaves_every_copy_recorded(
    app, database_url, smtp_sink, deliver, monkeypatch
):
    add_subscribers(app, {f"s{n}@example.net": "confirmed" for n in range(3)})
    announce(app)
    beside = sa.create_engine(database_url)  # another process's connection: the web site
    receive = smtp_sink.handler.handle_DATA

    async def receive_while_the_site_writes(server, session, envelope):
        with beside.begin() as connection:
            # A change of value: SQLite writes nothing for an UPDATE that changes nothing.
            connection.execute(sa.text(
                "UPDATE mailing_list SET required_approvals = required_approvals + 1"))
        return await receive(server, session, envelope)

    monkeypatch.setattr(smtp_sink.handler, "handle_DATA", receive_while_the_site_writes)
    try:
        assert deliver() == 3
    finally:
        beside.dispose()
    assert len(smtp_sink.messages) == 3
    with app.app_context():
        statuses = db.session.scalars(sa.select(OutboxEntry.status)).all()
    assert statuses == [OutboxStatus.SENT] * 3
