"""Scripted announcements: `listserve announcements create` and `send`."""

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from listserve.announcements.sending import send_announcement
from listserve.announcements.services import (
    AnnouncementError,
    create_announcement,
    get_announcement,
)
from listserve.committee.audit import COMMAND_LINE
from listserve.committee.services import member_by_email
from listserve.core.headers import UnsafeHeaderValue
from listserve.core.lists import get_list_by_slug
from listserve.extensions import db


@click.group("announcements")
def announcements() -> None:
    """Draft and send announcements from scripts."""


def _member(email: str | None):
    if email is None:
        return None
    member = member_by_email(email)
    if member is None or not member.is_active:
        raise click.ClickException(
            _("No active committee member has the address %(email)s.", email=email))
    return member


def _list(slug: str | None):
    if slug is None:
        return None
    mailing_list = get_list_by_slug(slug)
    if mailing_list is None:
        raise click.BadParameter(_("there is no list %(slug)r", slug=slug), param_hint="--list")
    return mailing_list


@announcements.command("create")
@click.option("--subject", required=True)
@click.option("--body", "body_file", required=True, type=click.Path(exists=True, dir_okay=False),
              help="A Markdown file.")
@click.option("--next-steps", "steps_file", type=click.Path(exists=True, dir_okay=False),
              help="An optional Markdown file for the next-steps block.")
@click.option("--author", help="The committee member's email address it is drafted as.")
@click.option("--list", "list_slug", help="The list it goes to (default: the main list).")
@with_appcontext
def create(subject: str, body_file: str, steps_file: str | None, author: str | None,
           list_slug: str | None) -> None:
    """Create a draft; it still needs its approvals on the web before it can be sent."""
    body = Path(body_file).read_text(encoding="utf-8")
    steps = Path(steps_file).read_text(encoding="utf-8") if steps_file else ""
    try:
        announcement = create_announcement(_member(author), subject, body, steps, COMMAND_LINE,
                                           _list(list_slug))
    except (AnnouncementError, UnsafeHeaderValue) as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(_("Created announcement %(id)s (revision hash %(hash)s).", id=announcement.id,
                 hash=announcement.current_revision.content_hash))


@announcements.command("send")
@click.argument("announcement_id", type=int)
@click.option("--author", help="Who sends it: the author (the default) or an admin.")
@click.option("--reason", help="An admin's reason for sending without the approvals.")
@with_appcontext
def send(announcement_id: int, author: str | None, reason: str | None) -> None:
    """Send an approved announcement now (recorded as sent from the command line)."""
    announcement = get_announcement(announcement_id)
    if announcement is None:
        raise click.ClickException(_("There is no announcement %(id)s.", id=announcement_id))
    sender = _member(author) if author else announcement.author
    if sender is None:
        raise click.ClickException(
            _("This announcement has no author: say who sends it (--author)."))
    try:
        mailing = send_announcement(announcement, sender, reason, via=COMMAND_LINE)
    except AnnouncementError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(_("Sending announcement %(id)s (mailing %(mailing)s); `listserve worker` delivers "
                 "it.", id=announcement_id, mailing=mailing.id))
