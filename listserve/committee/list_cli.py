"""`listserve lists create|list|show|set`: the lists and their settings, from the command line.

Settings are given as NAME=VALUE pairs (`listserve lists set news required_approvals=2
"subject_prefix=[News]"`); they are checked and audited exactly as on the settings page.
"""

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from listserve.committee.audit import COMMAND_LINE
from listserve.committee.list_settings import (
    SETTING_NAMES,
    ListSettingsError,
    change_list,
    create_list,
    settings_of,
)
from listserve.core.lists import all_lists, get_list_by_slug
from listserve.extensions import db


@click.group("lists")
def lists() -> None:
    """Lists and their settings."""


def _pairs(pairs: tuple[str, ...]) -> dict:
    settings = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(_("%(pair)r: write NAME=VALUE (settings: %(names)s)",
                                       pair=pair, names=", ".join(SETTING_NAMES)),
                                     param_hint="SETTINGS")
        settings[name.strip()] = value
    return settings


def _refused(exc: ListSettingsError) -> click.ClickException:
    db.session.rollback()
    lines = [f"  {name}: {message}" for name, message in exc.errors.items()]
    return click.ClickException(_("nothing was saved:") + "\n" + "\n".join(lines))


def _list_or_fail(slug: str):
    mailing_list = get_list_by_slug(slug)
    if mailing_list is None:
        raise click.ClickException(
            _("there is no list %(slug)r (see `listserve lists list`)", slug=slug))
    return mailing_list


@lists.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="The list's name, as subscribers see it.")
@click.argument("settings", nargs=-1)
@with_appcontext
def create(slug: str, name: str, settings: tuple[str, ...]) -> None:
    """Create the list SLUG@LIST_DOMAIN, with optional NAME=VALUE settings."""
    try:
        mailing_list = create_list(COMMAND_LINE, slug, {"name": name, **_pairs(settings)})
    except ListSettingsError as exc:
        raise _refused(exc) from None
    db.session.commit()
    click.echo(_("created %(address)s", address=mailing_list.address))


@lists.command("list")
@with_appcontext
def list_lists() -> None:
    """Every list: address, kind, visibility, confirmed subscribers."""
    for mailing_list in all_lists():
        flags = [mailing_list.kind, _("public") if mailing_list.public else _("hidden")]
        if mailing_list.archived:
            flags.append(_("archived"))
        click.echo(f"{mailing_list.slug}\t{mailing_list.address}\t{', '.join(flags)}\t"
                   f"{mailing_list.name}")


@lists.command("show")
@click.argument("slug")
@with_appcontext
def show(slug: str) -> None:
    """Every setting of one list."""
    mailing_list = _list_or_fail(slug)
    click.echo(_("address: %(address)s", address=mailing_list.address))
    for name, value in settings_of(mailing_list).items():
        text = str(value).replace("\n", "\n    ")
        click.echo(f"{name}: {text}")


@lists.command("set")
@click.argument("slug")
@click.argument("settings", nargs=-1, required=True)
@with_appcontext
def set_settings(slug: str, settings: tuple[str, ...]) -> None:
    """Change NAME=VALUE settings of a list (archived=true archives it)."""
    mailing_list = _list_or_fail(slug)
    try:
        changes = change_list(COMMAND_LINE, mailing_list, _pairs(settings))
    except ListSettingsError as exc:
        raise _refused(exc) from None
    db.session.commit()
    if not changes:
        click.echo(_("nothing changed"))
    for name, (old, new) in changes.items():
        click.echo(f"{name}: {old!r} -> {new!r}")
