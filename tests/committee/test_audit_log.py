"""Issue 20, item 4: the audit log reads as words, newest first, filters, exports as CSV, and
records page edits, moderation, imports, exports, erasures, steering a send and logins."""

import csv
import io
import re
from urllib.parse import urlsplit

from tests.announcements.helpers import press, write_draft
from tests.announcements.test_sending import committee  # noqa: F401  (fixture)
from tests.archive.helpers import add_comment, make_post
from tests.committee.helpers import audit_actions, post
from tests.subscriptions.helpers import press_button
from tests.support import csrf_token


def test_values_read_as_words_and_the_newest_comes_first(app, committee, deliver):  # noqa: F811
    draft = write_draft(committee["ana"], "Story", "Words.\n")
    press(committee["ben"], draft, "approve")
    press(committee["ana"], draft, "send")
    page = committee["root"].get("/committee/audit").get_data(as_text=True)
    assert "None" not in page and "['" not in page
    assert re.search(r"approved by:</span> Ben", page)
    actions = re.findall(r"<td>([a-z][a-z .]+)</td>", page)
    assert actions.index("sent") < actions.index("approved") < actions.index("drafted")


def test_filters_and_csv_export(app, committee):  # noqa: F811
    write_draft(committee["ana"], "One", "Words.\n")
    page = committee["root"].get("/committee/audit?action=logged+in&who=Ben")
    text = page.get_data(as_text=True)
    assert text.count("<td>logged in</td>") == 1 and "Ben" in text
    exported = committee["root"].get("/committee/audit.csv?action=logged+in")
    assert exported.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert rows[0][:3] == ["when (UTC)", "who", "what"]
    assert sorted(row[1].split(" ")[0] for row in rows[1:]) == ["Ana", "Ben", "Root"]
    assert committee["ana"].get("/committee/audit.csv").status_code == 403


def test_the_missing_events_are_recorded(app, committee, deliver, smtp_sink):  # noqa: F811
    root = committee["root"]
    # a page edit
    aims = root.get("/committee/pages/aims").get_data(as_text=True)
    root.post("/committee/pages/aims", data={"csrf_token": csrf_token(aims),
                                              "aims": "Share what works"})
    # comment moderation
    with app.app_context():
        from listserve.extensions import db
        found = make_post(subject="Notes", body="Text")
        comment = add_comment(found, "Hello", name="Bea", email="bea@example.org")
        db.session.commit()
        comment_id = comment.id
    post(root, f"/committee/comments/{comment_id}/hide", page="/committee/comments")
    # an export and an import
    root.get("/committee/subscribers/export.csv").get_data()
    form = root.get("/committee/subscribers/import").get_data(as_text=True)
    root.post("/committee/subscribers/import", data={
        "csrf_token": csrf_token(form), "consent_source": "Sheet",
        "file": (io.BytesIO(b"email\nnew@example.net\n"), "sheet.csv")})
    # a send that goes out, then one paused, resumed and cancelled
    story = write_draft(committee["ana"], "Story", "Words.\n")
    press(committee["ben"], story, "approve")
    press(committee["ana"], story, "send")
    deliver()
    draft = write_draft(committee["ana"], "Long", "Words.\n")
    press(committee["ben"], draft, "approve")
    press(committee["ana"], draft, "send")
    for action in ("pause", "resume", "cancel"):
        press(committee["ana"], draft, action)
    # an erasure by the person, from the link in a mail sent before the cancel
    [copy] = [m for m in smtp_sink.to("sub1@example.net") if m.message["Subject"] == "Story"]
    data_page = urlsplit(copy.link_to("/u/")).path + "/data"
    press_button(app.test_client(), data_page, {"really": "y"})
    actions = [action for action, *_ in audit_actions(app)]
    for expected in ("page edited", "comment hide", "subscribers exported",
                     "subscribers imported", "paused", "resumed", "cancelled", "data erased",
                     "logged in"):
        assert expected in actions, expected


def test_garbage_in_the_filters_is_no_error(app, committee):  # noqa: F811
    for query in ("who=%00x", "action=a%00b", "type=" + "x" * 5000, "id=99999999999999999999",
                  "id=-5", "who=%ff%fe"):
        assert committee["root"].get(f"/committee/audit?{query}").status_code == 200, query
        assert committee["root"].get(f"/committee/audit.csv?{query}").status_code == 200, query
