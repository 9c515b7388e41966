"""`listserve archive import FILE… [--list SLUG]`: old archives into a list's archive."""

import sys

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from tqdm import tqdm

from listserve.archive.mbox_import import import_mbox, read_file
from listserve.core.lists import get_default_list, get_list_by_slug


@click.group("archive")
def archive() -> None:
    """The public archive."""


@archive.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--list", "list_slug", default=None, help="The list's slug (default: the main list).")
@with_appcontext
def import_command(files: tuple[str, ...], list_slug: str | None) -> None:
    """Import mbox files (Mailman 3 / HyperKitty exports, Mailman 2 pipermail .txt / .txt.gz);
    a second import of the same file changes nothing."""
    mailing_list = get_list_by_slug(list_slug) if list_slug else get_default_list()
    if mailing_list is None:
        raise click.ClickException(_("No list %(slug)r: see `listserve lists list`.", slug=list_slug))
    totals = [0, 0, 0, 0]
    for path in files:
        data = read_file(path)
        with tqdm(total=data.count(b"\nFrom ") + 1, unit="msg", desc=path,
                  file=sys.stderr, disable=None) as bar:
            last = [0]

            def progress(position: int, bar=bar, last=last) -> None:
                bar.update(position - last[0])
                last[0] = position

            report = import_mbox(data, mailing_list.id, progress)
        for position, why in report.malformed:
            click.echo(_("%(path)s: message %(position)s could not be read: %(why)s", path=path,
                         position=position, why=why))
        click.echo(_("%(path)s: %(imported)s imported, %(duplicates)s already there, "
                     "%(malformed)s malformed, %(threads)s new threads", path=path,
                     imported=report.imported, duplicates=report.duplicates,
                     malformed=len(report.malformed), threads=report.threads))
        for i, count in enumerate((report.imported, report.duplicates, len(report.malformed),
                                   report.threads)):
            totals[i] += count
    if len(files) > 1:
        click.echo(_("In all: %(imported)s imported, %(duplicates)s already there, "
                     "%(malformed)s malformed, %(threads)s new threads, into %(list)s",
                     imported=totals[0], duplicates=totals[1], malformed=totals[2],
                     threads=totals[3], list=mailing_list.name))
