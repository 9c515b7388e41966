from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

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
    click.echo(
        f"{len(directory.sections)} sections, {entries} entries read: "
        f"{counts['sections_added']} sections added, {counts['entries_added']} entries added, "
        f"{counts['entries_updated']} updated"
    )


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Load demo content: a welcome, the aims, next steps and a small directory."""
    upgrade(directory=current_app.extensions["migrate"].directory)
    ensure_default_list(db.session.connection())
    services.set_page_text("home_welcome", demo_content.WELCOME)
    services.load_aims_and_next_steps(demo_content.AIMS, demo_content.NEXT_STEPS)
    services.import_directory(parse_directory(demo_content.DIRECTORY))
    db.session.commit()
    click.echo("Demo content loaded: open the home page.")
