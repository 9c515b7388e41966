"""The preview shows the email as subscribers will get it, with and without JavaScript."""

import re

import pytest

from listserve.public.services import load_aims_and_next_steps
from tests.announcements.helpers import write_draft
from tests.committee.helpers import log_in, make_member
from tests.support import csrf_token

BODY = "Hello **all**.\n\nSee [the archive](/archive) <script>alert(1)</script>\n"


@pytest.fixture
def ana(app, client):
    make_member(app, "ana@example.org", "Ana")
    log_in(client, "ana@example.org")
    return client


def test_the_preview_endpoint_renders_html_text_and_the_footer(ana):
    page = ana.get("/committee/announcements/new").get_data(as_text=True)
    assert 'src="/static/announcement-preview.js"' in page and "<iframe sandbox" in page
    response = ana.post("/committee/announcements/preview.json", data={
        "csrf_token": csrf_token(page), "subject": "Hi", "body": BODY, "next_steps": "- Meet"})
    preview = response.get_json()
    assert "<strong>all</strong>" in preview["html"]
    assert '<a href="http://localhost/archive"' in preview["html"]
    assert "<script" not in preview["html"]
    assert "Hello **all**." in preview["text"] and "## Next steps" in preview["text"]
    assert "Leave the list with one click" in preview["text"]
    assert "Leave the list with one click" in preview["html"]


def test_the_preview_button_works_without_javascript_and_saves_nothing(app, ana):
    page = ana.get("/committee/announcements/new").get_data(as_text=True)
    response = ana.post("/committee/announcements/new", data={
        "csrf_token": csrf_token(page), "action": "preview", "subject": "Hi", "body": BODY})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "&lt;strong&gt;all&lt;/strong&gt;" in text  # inside the iframe's srcdoc
    assert "Hello **all**." in text
    assert ana.get("/committee/announcements/").get_data(as_text=True).count("<td><a") == 0


def test_next_steps_can_be_pulled_from_the_public_page(app, ana):
    with app.app_context():
        from listserve.extensions import db

        load_aims_and_next_steps(["Aim"], [{"title": "Found a co-op bank", "body": "Soon."},
                                           {"title": "Hold a congress", "body": ""}])
        db.session.commit()
    page = ana.get("/committee/announcements/new").get_data(as_text=True)
    assert "Found a co-op bank" in page
    step_id = re.search(r'value="(\d+)"> <label for="pull_steps-0">Found a co-op bank', page)
    response = ana.post("/committee/announcements/new", data={
        "csrf_token": csrf_token(page), "action": "pull", "subject": "Hi", "body": "Body",
        "pull_steps": [step_id.group(1)]})
    text = response.get_data(as_text=True)
    assert "- **Found a co-op bank**: Soon." in text
    draft = write_draft(ana, "Steps", "Body\n", "- **Found a co-op bank**: Soon.")
    detail = ana.get(f"/committee/announcements/{draft}").get_data(as_text=True)
    assert "Next steps" in detail
