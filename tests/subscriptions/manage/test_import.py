"""Importing subscribers from CSV: counts, line-numbered errors, consent, confirmation mail."""

import io

import sqlalchemy as sa

from listserve.delivery.models import OutboxEntry
from listserve.extensions import db
from listserve.subscriptions.manage.import_rows import ImportRefused
from listserve.subscriptions.manage.importing import import_subscribers
from listserve.subscriptions.models import ConsentRecord, Subscription, SubscriptionStatus
from listserve.subscriptions.privacy import erase_subscriber
from tests.subscriptions.helpers import press_button, subscribe, subscription_of

MIXED = """email,name,status,consent_date
ada@example.org,Ada Lovelace,,2024-03-01
not-an-address,Nobody,,
grace@example.org,Grace Hopper,,
ADA@example.org,,,
bob@example.org,"Bob
Breaks",,
carol@example.org,Carol,maybe,
dan@example.org,Dan,,31/12/2023
erin@example.org,,,
erin@example.org,Erin,,
"""


def run_import(app, text, **options):
    with app.app_context():
        report = import_subscribers(io.StringIO(text), options.pop("source", "assembly sheet"),
                                    **options)
        db.session.commit()
        return report


def statuses(app) -> dict[str, str]:
    from listserve.subscriptions.models import Subscriber

    with app.app_context():
        rows = db.session.execute(
            sa.select(Subscriber.email_key, Subscription.status).join(Subscription)
        )
        return {key: value for key, value in rows}


def test_good_bad_and_duplicate_rows_are_counted_and_bad_lines_named(app):
    report = run_import(app, MIXED)
    assert (report.rows, report.added, report.duplicates, report.invalid) == (9, 3, 2, 4)
    lines = {error.line: error.message for error in report.errors}
    assert sorted(lines) == [3, 6, 8, 9]  # the broken name spans lines 6-7; line 6 starts it
    assert lines[3].startswith("email:")
    assert "status" in lines[8] and "date" in lines[9]
    assert statuses(app) == {
        "ada@example.org": "pending", "grace@example.org": "pending", "erin@example.org": "pending"
    }


def test_duplicates_merge_across_batches_and_fill_a_missing_name(app):
    text = "email,name\nerin@example.org,\na@example.org,\nb@example.org,\nERIN@example.org,Erin\n"
    report = run_import(app, text, batch_size=2)
    assert (report.added, report.duplicates) == (3, 1)
    with app.app_context():
        assert subscription_of(app, "erin@example.org").status == "pending"
    from listserve.subscriptions.models import Subscriber

    with app.app_context():
        assert db.session.scalar(
            sa.select(Subscriber.name).where(Subscriber.email_key == "erin@example.org")
        ) == "Erin"


def test_imported_addresses_are_pending_and_confirm_through_their_own_mail(
    app, client, deliver, smtp_sink
):
    run_import(app, "email,name\nada@example.org,Ada\ngrace@example.org,Grace\n")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OutboxEntry.id))) == 2
    assert deliver() == 2
    [mail] = smtp_sink.to("ada@example.org")
    assert mail.message["Subject"].startswith("Please confirm")
    link = mail.link_to("/confirm/")
    assert press_button(client, link).status_code == 200
    assert statuses(app)["ada@example.org"] == "confirmed"
    assert statuses(app)["grace@example.org"] == "pending"
    # Single-use: the same link does nothing a second time but say so (issue 20, item 10).
    again = client.get(link)
    assert again.status_code == 200 and b"You are already subscribed" in again.data
    with app.app_context():
        consent = db.session.scalar(sa.select(ConsentRecord).order_by(ConsentRecord.id))
        assert consent.source == "import: assembly sheet"
        assert consent.confirmed_at is not None


def test_confirmed_only_with_the_attestation(app, deliver, smtp_sink):
    text = "email,name,status,consent_date\nada@example.org,Ada,,2024-03-01\n" \
           "bob@example.org,Bob,unsubscribed,\ncarol@example.org,Carol,pending,\n"
    report = run_import(app, text, already_confirmed=True)
    assert report.confirmations_queued == 1
    assert statuses(app) == {"ada@example.org": "confirmed", "bob@example.org": "unsubscribed",
                             "carol@example.org": "pending"}
    with app.app_context():
        ada = subscription_of(app, "ada@example.org")
        assert ada.confirmed_at.date().isoformat() == "2024-03-01"
        sources = db.session.scalars(sa.select(ConsentRecord.source)).all()
        assert sources == ["import, confirmed elsewhere: assembly sheet"] * 2
    deliver()
    assert [m.rcpt_tos for m in smtp_sink.messages] == [["carol@example.org"]]


def test_without_attestation_a_confirmed_column_still_means_pending(app):
    run_import(app, "email,status\nada@example.org,confirmed\nbob@example.org,unsubscribed\n")
    assert statuses(app) == {"ada@example.org": "pending", "bob@example.org": "unsubscribed"}


def test_people_already_on_the_list_are_left_as_they_were(app, client):
    subscribe(client, "ada@example.org", "Ada")
    run_import(app, "email,name\nada@example.org,Someone Else\n", already_confirmed=True)
    assert statuses(app) == {"ada@example.org": "pending"}
    report = run_import(app, "email\nada@example.org\n")
    assert (report.added, report.already_on_list) == (0, 1)


def test_erased_addresses_are_reported_not_imported(app, client):
    subscribe(client, "ada@example.org", "Ada")
    ada = subscription_of(app, "ada@example.org")
    with app.app_context():
        erase_subscriber(db.session.get(Subscription, ada.id).subscriber)
        db.session.commit()
    report = run_import(app, "email\nbob@example.org\nada@example.org\n")
    assert (report.added, report.erased) == (1, 1)
    assert report.errors[0].line == 3 and "erased" in report.errors[0].message


def test_a_file_without_an_email_column_or_a_consent_source_is_refused(app):
    with app.app_context():
        for text, source in (("name\nAda\n", "sheet"), ("email\na@example.org\n", "  ")):
            try:
                import_subscribers(io.StringIO(text), source)
            except ImportRefused as exc:
                assert str(exc)
            else:
                raise AssertionError("import went ahead")
    assert statuses(app) == {}


def test_cli_import_reports_counts_and_errors(app, runner, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(MIXED.encode())
    result = runner.invoke(args=["subscribers", "import", str(path),
                                 "--consent-source", "assembly sheet"])
    assert result.exit_code == 0, result.output
    assert "3 added, 2 duplicates merged" in result.output
    assert "line 3: email:" in result.output
    assert "3 confirmation mails queued" in result.output
    assert statuses(app)["ada@example.org"] == SubscriptionStatus.PENDING


def test_cli_import_refuses_without_consent_source(app, runner, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("email\nada@example.org\n")
    result = runner.invoke(args=["subscribers", "import", str(path), "--consent-source", ""])
    assert result.exit_code == 2
    assert "consent" in result.output
    assert statuses(app) == {}
