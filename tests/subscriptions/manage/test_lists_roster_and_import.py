"""The roster and the import take a list."""

import sqlalchemy as sa

from listserve.core.lists import MailingList
from listserve.extensions import db
from listserve.subscriptions.models import ConsentRecord
from tests.committee.helpers import log_in, make_member
from tests.subscriptions.lists_helpers import default_list_id, make_list, states
from tests.subscriptions.manage.helpers import seed


def test_the_roster_filters_by_list(app, client, tmp_path, runner):
    talk = make_list(app, "talk", "Network talk", consent_text="Talk consent text.")
    seed(app, "main-only@example.org")
    csv = tmp_path / "people.csv"
    csv.write_text("email,name\ntalker@example.org,Talker\n")
    result = runner.invoke(args=["subscribers", "import", str(csv), "--list", "talk",
                                 "--consent-source", "assembly sheet"])
    assert result.exit_code == 0, result.output
    assert states(app, "talker@example.org") == {talk: "pending"}
    with app.app_context():
        [record] = db.session.scalars(sa.select(ConsentRecord)).all()
        assert record.consent_text.text == "Talk consent text."

    make_member(app, "root@example.org", role="admin")
    log_in(client, "root@example.org")
    on_talk = client.get(f"/committee/subscribers?list_id={talk}").get_data(as_text=True)
    assert "talker@example.org" in on_talk and "main-only@example.org" not in on_talk
    main = client.get(f"/committee/subscribers?list_id={default_list_id(app)}").get_data(
        as_text=True)
    assert "main-only@example.org" in main and "talker@example.org" not in main
    assert "Network talk" in client.get("/committee/subscribers").get_data(as_text=True)


def test_import_refuses_an_unknown_or_archived_list(app, runner, tmp_path):
    csv = tmp_path / "people.csv"
    csv.write_text("email\nx@example.org\n")
    unknown = runner.invoke(args=["subscribers", "import", str(csv), "--list", "nope",
                                  "--consent-source", "x"])
    assert unknown.exit_code != 0 and "there is no list 'nope'" in unknown.output
    old = make_list(app, "old", "Old list")
    with app.app_context():
        from listserve.core.db import utcnow

        db.session.get(MailingList, old).archived_at = utcnow()
        db.session.commit()
    archived = runner.invoke(args=["subscribers", "import", str(csv), "--list", "old",
                                   "--consent-source", "x"])
    assert archived.exit_code != 0 and "archived" in archived.output
    assert states(app, "x@example.org") == {}
