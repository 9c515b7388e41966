"""Export holds every field and reads back in; the upload form imports like the command."""

import csv
import io
import json

from listserve.extensions import db
from listserve.subscriptions.manage.exporting import Selection, export_csv, export_json
from listserve.subscriptions.manage.importing import import_subscribers
from tests.committee.helpers import log_in, make_member
from tests.subscriptions.helpers import subscribe
from tests.subscriptions.manage.helpers import seed
from tests.support import csrf_token, empty_all_tables

COMPARED = ("email", "name", "status", "consent_date")


def exported_rows(app, **selection) -> list[dict]:
    with app.app_context():
        return list(csv.DictReader(io.StringIO("".join(export_csv(Selection(**selection))))))


def test_export_holds_every_field_and_the_consent_records(app, client):
    subscribe(client, "ada@example.org", "Ada")
    [row] = exported_rows(app)
    assert row["email"] == "ada@example.org" and row["status"] == "pending"
    assert row["requested_at"] and row["confirmation_sent_at"] and row["list"] == "announcements"
    [consent] = json.loads(row["consent_records"])
    assert consent["source"] == "web form /subscribe" and consent["consent_text"]
    assert "confirm_nonce" not in row
    with app.app_context():
        [as_json] = json.loads("".join(export_json(Selection())))
    assert as_json["consent_records"] == [consent]


def test_export_filters_by_status(app):
    seed(app, "ada@example.org")
    seed(app, "bob@example.org", status="unsubscribed")
    assert [r["email"] for r in exported_rows(app, statuses=["unsubscribed"])] == [
        "bob@example.org"]


def test_export_round_trips_through_import(app):
    seed(app, "ada@example.org", name="Ada", confirmed="2024-01-02T10:00:00")
    seed(app, "bob@example.org", name="Bob, Jr.", status="unsubscribed", requested="2024-02-01")
    seed(app, "cy@example.org", name="Cy", status="pending", requested="2024-03-01")
    seed(app, "di@example.org", name="Di", status="disabled", confirmed="2024-01-05")
    before = exported_rows(app)
    text = "".join(r for r in _csv_text(app))
    with app.app_context():
        empty_all_tables(db)
    with app.app_context():
        report = import_subscribers(io.StringIO(text), "earlier export", already_confirmed=True)
        db.session.commit()
    assert (report.added, report.invalid) == (4, 0)
    after = exported_rows(app)
    assert [{k: r[k] for k in COMPARED} for r in after] == [
        {k: r[k] for k in COMPARED} for r in before]


def _csv_text(app):
    with app.app_context():
        return list(export_csv(Selection()))


def test_cli_export_streams_json_to_a_file(app, runner, tmp_path):
    seed(app, "ada@example.org", name="Ada")
    out = tmp_path / "out.json"
    result = runner.invoke(args=["subscribers", "export", "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert [p["email"] for p in json.loads(out.read_text())] == ["ada@example.org"]


def admin(app, client):
    make_member(app, "root@example.org", role="admin")
    log_in(client, "root@example.org")


def upload(client, data: dict, csv_text: str | None):
    token = csrf_token(client.get("/committee/subscribers/import").get_data(as_text=True))
    form = {"csrf_token": token, **data}
    if csv_text is not None:
        form["file"] = (io.BytesIO(csv_text.encode()), "people.csv")
    return client.post("/committee/subscribers/import", data=form,
                       content_type="multipart/form-data")


def test_upload_imports_and_lists_bad_lines(app, client):
    admin(app, client)
    response = upload(client, {"consent_source": "assembly sheet"},
                      "email,name\nada@example.org,Ada\nnope,No\n")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<dt>Added</dt><dd>1</dd>" in page
    assert "<td>3</td><td>email:" in page
    [row] = exported_rows(app)
    assert "import by Root &lt;root@example.org&gt;" not in row["consent_records"]
    assert json.loads(row["consent_records"])[0]["source"] == (
        "import by Root <root@example.org>: assembly sheet")


def test_upload_without_consent_source_keeps_the_form(app, client):
    admin(app, client)
    response = upload(client, {"consent_source": "", "already_confirmed": "y"},
                      "email\nada@example.org\n")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Say where these people gave their consent" in page
    assert '<input checked id="already_confirmed"' in page  # what was ticked stays ticked
    assert exported_rows(app) == []


def test_upload_of_a_file_without_email_column_is_refused(app, client):
    admin(app, client)
    response = upload(client, {"consent_source": "sheet"}, "name\nAda\n")
    assert response.status_code == 400
    assert "&#39;email&#39;" in response.get_data(as_text=True)
