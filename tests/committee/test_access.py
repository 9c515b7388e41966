"""Every committee page refuses anonymous visitors, and admin pages refuse plain members.

The routes are read from the app's URL map, so a page added later cannot be forgotten.
"""

import pytest

from tests.committee.helpers import log_in, make_member
from tests.support import csrf_token

# Pages a person without a session must reach: to log in, or to use a link from an email.
PUBLIC = {"committee.login", "committee.request_reset", "committee.reset_password",
          "committee.accept_invite"}
ADMIN_ONLY = {"committee.members", "committee.invite", "committee.change_role",
              "committee.disable_member", "committee.enable_member", "committee.audit_log",
              "committee.lists", "committee.new_list", "committee.edit_list",
              "committee.archive_list", "committee.audit_csv"}
FILLERS = {"token": "not-a-real-token", "member_id": 1, "announcement_id": 1, "number": 1,
           "event_id": 1, "list_id": 1, "language": "es"}


def committee_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("committee.", "announcements.", "members.review.")):
            url = rule.rule
            for name in rule.arguments:
                url = url.replace(f"<int:{name}>", str(FILLERS[name]))
                url = url.replace(f"<{name}>", str(FILLERS[name]))
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule.endpoint, method, url


def test_the_walk_covers_the_committee(app):
    endpoints = {endpoint for endpoint, _, _ in committee_routes(app)}
    assert len(endpoints) >= 30
    assert endpoints >= ADMIN_ONLY | PUBLIC


def test_anonymous_visitors_are_sent_to_log_in_or_refused(app, client):
    token = csrf_token(client.get("/committee/login").get_data(as_text=True))
    for endpoint, method, url in committee_routes(app):
        if endpoint in PUBLIC:
            continue
        if method == "GET":
            response = client.get(url)
            if url.endswith(".json"):
                assert response.status_code == 401, url
            else:
                assert response.status_code == 302, url
                assert "/committee/login?next=" in response.headers["Location"], url
        else:
            response = client.open(url, method=method, data={"csrf_token": token})
            assert response.status_code == 401, (method, url)


def test_plain_members_are_refused_admin_pages(app, client):
    make_member(app, "root@example.org", role="admin")  # id 1, the target of member pages
    make_member(app, "ana@example.org")
    log_in(client, "ana@example.org")
    token = csrf_token(client.get("/committee/settings").get_data(as_text=True))
    for endpoint, method, url in committee_routes(app):
        if endpoint not in ADMIN_ONLY:
            continue
        response = client.open(url, method=method, data={"csrf_token": token, "role": "admin"})
        assert response.status_code == 403, (method, url)


@pytest.mark.parametrize("url", ["/committee/members", "/committee/audit",
                                 "/committee/members/invite"])
def test_admins_see_admin_pages(app, client, url):
    make_member(app, "root@example.org", role="admin")
    log_in(client, "root@example.org")
    assert client.get(url).status_code == 200


def test_after_login_the_member_lands_where_they_were_going_but_never_off_site(app, client):
    make_member(app, "ana@example.org")
    response = client.get("/committee/audit")
    assert response.status_code == 302
    for target, expected in [("/committee/settings", "/committee/settings"),
                             ("https://evil.example/", "/committee/announcements/"),
                             ("//evil.example/", "/committee/announcements/")]:
        page = client.get("/committee/login")
        response = client.post(f"/committee/login?next={target}", data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "email": "ana@example.org", "password": "correct horse battery staple"})
        assert response.headers["Location"] == expected
        client.post("/committee/logout",
                    data={"csrf_token": csrf_token(client.get("/committee/settings").get_data(
                        as_text=True))})


def test_a_disabled_member_is_logged_out_at_once(app):
    make_member(app, "root@example.org", role="admin")
    ana_id = make_member(app, "ana@example.org")
    admin, ana = app.test_client(), app.test_client()
    log_in(admin, "root@example.org")
    log_in(ana, "ana@example.org")
    assert ana.get("/committee/announcements/").status_code == 200
    page = admin.get("/committee/members").get_data(as_text=True)
    response = admin.post(f"/committee/members/{ana_id}/disable",
                          data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303
    assert ana.get("/committee/announcements/").status_code == 302
    audit = admin.get("/committee/audit").get_data(as_text=True)
    assert "<td>disabled</td>" in audit


def test_admins_change_roles_but_never_remove_the_last_admin(app, client):
    root_id = make_member(app, "root@example.org", role="admin")
    ana_id = make_member(app, "ana@example.org")
    log_in(client, "root@example.org")

    def set_role(member_id, role):
        page = client.get("/committee/members").get_data(as_text=True)
        return client.post(f"/committee/members/{member_id}/role",
                           data={"csrf_token": csrf_token(page), "role": role},
                           follow_redirects=True)

    assert "The committee must keep at least one active admin." in set_role(
        root_id, "member").get_data(as_text=True)
    set_role(ana_id, "admin")
    set_role(root_id, "member")
    assert client.get("/committee/members").status_code == 403
    audit = app.test_client()
    log_in(audit, "ana@example.org")
    assert audit.get("/committee/audit").get_data(as_text=True).count("<td>role changed</td>") == 2
