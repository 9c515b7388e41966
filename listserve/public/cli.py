import secrets
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_migrate import upgrade

from listserve.archive.demo import load_demo_posts
from listserve.committee.models import Role
from listserve.committee.services import add_member, member_by_email
from listserve.core.lists import ensure_default_list
from listserve.extensions import db
from listserve.public import demo as demo_content
from listserve.public import services
from listserve.public.ecosystem_import import parse_directory


@click.group("ecosystem")
def ecosystem() -> None:
    """The ecosystem directory of allied networks."""


@ecosystem.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(file: Path) -> None:
    """Load the directory from a Markdown page (re-importing updates, never duplicates)."""
    directory = parse_directory(file.read_text(encoding="utf-8", errors="replace"))
    counts = services.import_directory(directory)
    db.session.commit()
    entries = sum(len(section.entries) for section in directory.sections)
    click.echo(_(
        "%(sections)d sections, %(entries)d entries read: %(sections_added)d sections added, "
        "%(entries_added)d entries added, %(entries_updated)d updated",
        sections=len(directory.sections), entries=entries, **counts,
    ))


DEMO_ADMIN = "admin@example.org"


@click.command("demo")
@click.option("--pages-only", is_flag=True,
              help="Only the public pages: no archived posts, no committee account.")
@with_appcontext
def demo(pages_only: bool) -> None:
    """Load demo content: the public pages, a few archived announcements with comments, and a
    committee admin whose password is printed."""
    upgrade(directory=current_app.extensions["migrate"].directory)
    ensure_default_list(db.session.connection())
    services.set_page_text("home_welcome", demo_content.WELCOME)
    services.load_aims_and_next_steps(demo_content.AIMS, demo_content.NEXT_STEPS)
    services.import_directory(parse_directory(demo_content.DIRECTORY))
    password = None
    if not pages_only:
        load_demo_posts()
        if member_by_email(DEMO_ADMIN) is None:
            password = "-".join(secrets.token_urlsafe(6) for _part in range(3))
            add_member(DEMO_ADMIN, "Demo Admin", Role.ADMIN, password)
    db.session.commit()
    click.echo(_("Demo content loaded: open the home page."))
    if password:
        login = current_app.config["BASE_URL"].rstrip("/") + "/committee/login"
        click.echo(_("Committee login: %(login)s\n  email:    %(email)s\n"
                     "  password: %(password)s   (shown once; change it under your name)",
                     login=login, email=DEMO_ADMIN, password=password))
