"""Committee members edit the public pages; every change is a version with its author."""

import sqlalchemy as sa

from listserve.extensions import db
from listserve.public.models import EcosystemEntry, EcosystemSection, PageVersion
from tests.committee.helpers import log_in, make_member, post
from tests.support import csrf_token


def member(app, client):
    make_member(app, "ana@example.org", name="Ana")
    log_in(client, "ana@example.org")


def versions(app, page) -> list[tuple[dict, str]]:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(PageVersion).where(PageVersion.page == page).order_by(PageVersion.id))
        return [(v.snapshot, v.author_label) for v in rows]


def test_editing_aims_keeps_versions_and_shows_last_updated(app, client, post_form):
    member(app, client)
    assert "Last updated" not in client.get("/").get_data(as_text=True)
    post_form("/committee/pages/aims", {"aims": "Build the commons\n\nShare the tools\n"})
    post_form("/committee/pages/aims", {"aims": "Share the tools\nBuild the commons"})
    home = client.get("/").get_data(as_text=True)
    assert home.index("Share the tools") < home.index("Build the commons")
    assert "Last updated" in home
    assert versions(app, "aims") == [
        ({"aims": ["Build the commons", "Share the tools"]}, "Ana <ana@example.org>"),
        ({"aims": ["Share the tools", "Build the commons"]}, "Ana <ana@example.org>"),
    ]
    listed = client.get("/committee/pages/aims").get_data(as_text=True)
    assert listed.count("by Ana &lt;ana@example.org&gt;") == 2


def test_next_steps_with_status_date_and_owner(app, client, post_form):
    member(app, client)
    response = post_form("/committee/pages/next-steps", {
        "steps-0-title": "Hold the assembly", "steps-0-status": "under way",
        "steps-0-due": "2024-06-01", "steps-0-owner": "Ana", "steps-0-body": "",
        "steps-1-title": "", "steps-1-status": "planned",
    })
    assert response.status_code == 303
    home = client.get("/").get_data(as_text=True)
    assert "Hold the assembly" in home and "under way" in home and "2024-06-01" in home
    [(snapshot, _)] = versions(app, "next_steps")
    assert snapshot["next_steps"][0]["owner"] == "Ana"


def test_a_bad_next_step_keeps_what_was_typed(app, client, post_form):
    member(app, client)
    response = post_form("/committee/pages/next-steps", {
        "steps-0-title": "Hold the assembly", "steps-0-status": "someday",
        "steps-0-due": "not a date",
    })
    assert response.status_code == 400
    assert 'value="Hold the assembly"' in response.get_data(as_text=True)
    assert versions(app, "next_steps") == []


def test_directory_add_reorder_edit_remove(app, client, post_form):
    member(app, client)
    editor = "/committee/pages/ecosystem"
    post_form(editor, {"title": "National networks", "kind": "national"},
              action=f"{editor}/sections")
    with app.app_context():
        section_id = db.session.scalar(sa.select(EcosystemSection.id))
    for name in ("First", "Second"):
        post_form(editor, {"name": name, "url": f"https://{name.lower()}.example.org"},
                  action=f"{editor}/sections/{section_id}/entries")
    bad = post_form(editor, {"name": "Third", "url": "javascript:alert(1)"},
                    action=f"{editor}/sections/{section_id}/entries")
    assert bad.status_code == 400 and 'value="Third"' in bad.get_data(as_text=True)
    with app.app_context():
        second = db.session.scalar(sa.select(EcosystemEntry.id).filter_by(name="Second"))
    post(client, f"{editor}/entries/{second}/up")
    page = client.get("/ecosystem").get_data(as_text=True)
    assert page.index("Second") < page.index("First") and "Last updated" in page
    token = csrf_token(client.get(f"{editor}/entries/{second}").get_data(as_text=True))
    client.post(f"{editor}/entries/{second}", data={
        "csrf_token": token, "name": "Second, renamed", "url": "https://second.example.org"})
    post(client, f"{editor}/entries/{second}/remove")
    snapshots = [s for s, _ in versions(app, "ecosystem")]
    names = [[e["name"] for e in s["sections"][0]["entries"]] for s in snapshots]
    assert names == [[], ["First"], ["First", "Second"], ["Second", "First"],
                     ["Second, renamed", "First"], ["First"]]


def test_anonymous_visitors_cannot_edit(client):
    assert client.post("/committee/pages/aims", data={"aims": "x"}).status_code in (400, 401)
