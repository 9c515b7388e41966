import re
from pathlib import Path

import sqlalchemy as sa

from listserve.extensions import db
from listserve.public.models import EcosystemEntry, EcosystemSection
from tests.support import csrf_token

# The network's own ecosystem page (shared/seeds/003_d0fb26332087a8d5.txt), kept with the tests
# so that they run from any clone.
SEED = Path(__file__).with_name("ecosystem_seed.md")


def test_ecosystem_import_loads_every_entry_under_its_section(runner, app, client):
    result = runner.invoke(args=["ecosystem", "import", str(SEED)])
    assert result.exit_code == 0, result.output
    assert "21 entries added" in result.output
    with app.app_context():
        sections = {
            s.title: s
            for s in db.session.scalars(
                sa.select(EcosystemSection).order_by(EcosystemSection.position)
            )
        }
        assert list(sections) == [
            "International Solidarity Economy Networks and Task Forces",
            "National Networks / Coalitions",
            "Examples of Sector-Based Networks",
        ]
        assert [s.kind for s in sections.values()] == ["international", "national", "sector"]
        international = sections["International Solidarity Economy Networks and Task Forces"]
        assert len(international.entries) == 6
        tfsse = international.entries[0]
        assert tfsse.url == "https://unsse.org/"
        assert tfsse.abbreviation == "TFSSE"
        assert tfsse.description.startswith("aims to raise the visibility")
        national = sections["National Networks / Coalitions"]
        assert [e.name for e in national.entries] == [
            "SeedCommons", "New Economy Coalition", "CommonFuture", "US Solidarity Economy Network",
        ]
        sector = sections["Examples of Sector-Based Networks"]
        assert len(sector.entries) == 11
        by_name = {e.name: e for e in sector.entries}
        assert by_name["The US Federation of Worker Cooperatives"].sector == "worker co-ops"
        assert by_name["Right to the City"].sector == "tenants Organizing"
        # The page's mojibake is repaired on the way in.
        assert "Center for Cultural Innovation\u2019s AmbitioUS program" in by_name

    page = client.get("/ecosystem").get_data(as_text=True)
    assert "Global Social Economy Forum" in page
    assert "Innovation\u2019s AmbitioUS" in page
    assert "significant increase" in page  # the page's introduction


def test_second_import_changes_nothing(runner, app):
    runner.invoke(args=["ecosystem", "import", str(SEED)])
    with app.app_context():
        before = db.session.execute(
            sa.select(EcosystemEntry.id, EcosystemEntry.name, EcosystemEntry.url,
                      EcosystemEntry.description, EcosystemEntry.position)
            .order_by(EcosystemEntry.id)
        ).all()
    result = runner.invoke(args=["ecosystem", "import", str(SEED)])
    assert "0 entries added, 0 updated" in result.output
    with app.app_context():
        after = db.session.execute(
            sa.select(EcosystemEntry.id, EcosystemEntry.name, EcosystemEntry.url,
                      EcosystemEntry.description, EcosystemEntry.position)
            .order_by(EcosystemEntry.id)
        ).all()
        assert db.session.scalar(sa.select(sa.func.count(EcosystemSection.id))) == 3
    assert before == after and len(after) == 21


def test_reimport_updates_a_changed_description(runner, app, tmp_path):
    runner.invoke(args=["ecosystem", "import", str(SEED)])
    changed = tmp_path / "eco.md"
    changed.write_text(SEED.read_text().replace("(worker co-ops)", "(worker cooperatives)"))
    result = runner.invoke(args=["ecosystem", "import", str(changed)])
    assert "0 entries added, 1 updated" in result.output


def test_demo_fills_the_home_page(runner, client):
    empty = client.get("/").get_data(as_text=True)
    assert "has not published the aims" in empty
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    page = client.get("/").get_data(as_text=True)
    assert "<ol class=\"aims\">" in page
    assert "Mission statement and structure" in page
    assert "under way" in page and "planned" in page and "done" in page
    assert client.get("/ecosystem").status_code == 200


def test_demo_prints_a_login_and_fills_the_archive(runner, client):
    """Issue 20, item 14: a newcomer logs in with what `listserve demo` prints, and the
    archive, search and feed have posts with comments."""
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    login = re.search(r"Committee login: (\S+)\n\s+email:\s+(\S+)\n\s+password:\s+(\S+)",
                      result.output)
    assert login, result.output
    assert login.group(1).endswith("/committee/login")
    page = client.get("/committee/login").get_data(as_text=True)
    answer = client.post("/committee/login", data={
        "csrf_token": csrf_token(page), "email": login.group(2), "password": login.group(3)})
    assert answer.status_code == 303
    assert client.get("/committee/announcements/").status_code == 200
    archive = client.get("/archive/announcements/").get_data(as_text=True)
    assert archive.count("<li") >= 3 and "spring assembly" in archive.lower()
    found = client.get("/archive/announcements/search?q=sponsorship").get_data(as_text=True)
    assert "The spring assembly: date and draft agenda" in found
    again = runner.invoke(args=["demo"])  # a second run adds nothing and prints no password
    assert again.exit_code == 0 and "password" not in again.output
    again = client.get("/archive/announcements/").get_data(as_text=True)
    assert again.count("<li") == archive.count("<li")


def test_security_headers_on_every_page(client):
    for url in ("/", "/ecosystem", "/subscribe", "/nowhere"):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    missing = client.get("/nowhere")
    assert missing.status_code == 404
    assert b"Page not found" in missing.data
