"""CSV imports through the API: the upload answers at once, the worker imports with the
committee's own rules (pending and a confirmation mail unless an admin-scope token attests
consent; the consent source on every record; bad lines by number), and it is all audited."""

import io

import sqlalchemy as sa

from listserve.api.models import ApiImport
from listserve.committee.models import AuditEvent
from listserve.extensions import db
from listserve.subscriptions.models import ConsentRecord, Subscription
from tests.api.helpers import admin_token, bearer, make_token
from tests.committee.helpers import make_member

CSV = (b"email,name\n"
       b"dana@example.org,Dana\n"
       b"not an address,Nobody\n"
       b"eli@example.org,Eli\n"
       b"DANA@example.org,\n")


def upload(client, secret, content=CSV, **fields):
    data = {"file": (io.BytesIO(content), "people.csv"), "consent_source": "our 2026 fair",
            **fields}
    return client.post("/api/v1/imports", data=data, headers=bearer(secret),
                       content_type="multipart/form-data")


def test_an_upload_is_imported_by_the_worker_with_confirmation_mails(
        app, client, deliver, smtp_sink):
    secret = admin_token(app, scopes=["subscribers:write", "read"])
    made = upload(client, secret)
    assert made.status_code == 202
    queued = made.get_json()
    assert queued["state"] == "queued" and queued["progress"] == {"lines": 4, "rows_read": 0}
    assert made.headers["Location"] == f"/api/v1/imports/{queued['id']}"
    with app.app_context():  # nothing imported inside the request
        assert db.session.scalar(sa.select(sa.func.count(Subscription.id))) == 0
    deliver()
    done = client.get(made.headers["Location"], headers=bearer(secret)).get_json()
    assert done["state"] == "done" and done["failure"] is None
    assert done["progress"]["rows_read"] == 4
    assert done["counts"] == {"added": 2, "duplicates": 1, "already_on_list": 0, "erased": 0,
                              "invalid": 1, "confirmations_queued": 2}
    [error] = done["errors"]
    assert error["line"] == 3 and error["message"].startswith("email:")
    for address in ("dana@example.org", "eli@example.org"):
        [mail] = smtp_sink.to(address)
        assert "confirm" in mail.message["Subject"].lower()
    with app.app_context():
        statuses = db.session.scalars(sa.select(Subscription.status)).all()
        assert statuses == ["pending", "pending"]
        sources = set(db.session.scalars(sa.select(ConsentRecord.source)))
        [source] = sources
        assert source.startswith("import by ") and "API token lst_" in source
        assert source.endswith(": our 2026 fair")
        assert db.session.scalar(sa.select(ApiImport.content)) is None  # the file is dropped
        actions = db.session.scalars(sa.select(AuditEvent.action)
                                     .where(AuditEvent.subject_type == "api_import")).all()
        assert actions == ["api.create_import", "subscribers imported"]
    listed = client.get("/api/v1/imports", headers=bearer(secret)).get_json()
    assert [item["state"] for item in listed["items"]] == ["done"]
    assert "errors" not in listed["items"][0]


def test_attested_consent_needs_the_admin_scope_and_sends_no_mail(
        app, client, deliver, smtp_sink):
    admin_id = make_member(app, "ana@example.org", role="admin")
    writer = make_token(app, admin_id, ["subscribers:write"], name="writer")
    assert upload(client, writer, consent_attested="true").status_code == 403
    admin = make_token(app, admin_id, ["admin"], name="admin")
    made = upload(client, admin, consent_attested="true")
    assert made.status_code == 202
    deliver()
    done = client.get(made.headers["Location"], headers=bearer(admin)).get_json()
    assert done["counts"]["added"] == 2 and done["counts"]["confirmations_queued"] == 0
    assert smtp_sink.to("dana@example.org") == []
    with app.app_context():
        assert set(db.session.scalars(sa.select(Subscription.status))) == {"confirmed"}
        [source] = set(db.session.scalars(sa.select(ConsentRecord.source)))
        assert source.startswith("import, confirmed elsewhere by ")


def test_unusable_uploads_are_refused_at_once_with_the_reason(app, client):
    secret = admin_token(app, scopes=["subscribers:write"])
    no_email = upload(client, secret, content=b"name,phone\nDana,1\n")
    assert no_email.status_code == 422
    assert "'email'" in no_email.get_json()["detail"]
    assert upload(client, secret, content=b"").status_code == 422
    assert upload(client, secret, consent_source="").status_code == 422
    assert upload(client, secret, list_id="999").status_code == 422
    as_text = client.post("/api/v1/imports", headers=bearer(secret),
                          data={"file": "email\na@example.org\n", "consent_source": "x"},
                          content_type="multipart/form-data")
    assert as_text.status_code == 422
    assert "file" in as_text.get_json()["errors"]["files"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ApiImport.id))) == 0
    read_only = admin_token(app, scopes=["read"], email="bo@example.org")
    assert upload(client, read_only).status_code == 403


def test_a_file_that_is_not_utf8_reports_its_lines(app, client, deliver):
    secret = admin_token(app, scopes=["subscribers:write", "read"])
    made = upload(client, secret, content=b"email\nfi@example.org\n\xff\xfe@example.org\n")
    deliver()
    done = client.get(made.headers["Location"], headers=bearer(secret)).get_json()
    assert done["state"] == "done" and done["counts"]["added"] == 1
    assert [e["line"] for e in done["errors"]] == [3]
    assert "UTF-8" in done["errors"][0]["message"]
    assert client.get("/api/v1/imports/999", headers=bearer(secret)).status_code == 404


def test_a_file_name_no_database_can_store_is_cleaned(app, client):
    secret = admin_token(app, scopes=["subscribers:write", "read"])
    made = client.post("/api/v1/imports", headers=bearer(secret),
                       content_type="multipart/form-data",
                       data={"file": (io.BytesIO(CSV), "peo\x00ple\x07.csv"),
                             "consent_source": "our 2026 fair"})
    assert made.status_code == 202
    assert made.get_json()["filename"] == "people.csv"
