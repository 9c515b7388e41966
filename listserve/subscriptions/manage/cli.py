"""`listserve subscribers import|export`: bulk work on the list from the command line."""

import sys
import time
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from listserve.core.headers import UnsafeHeaderValue
from listserve.core.lists import get_default_list, get_list_by_slug
from listserve.extensions import db
from listserve.subscriptions.manage import exporting
from listserve.subscriptions.manage.import_rows import ImportRefused
from listserve.subscriptions.manage.importing import ImportReport, import_subscribers


@click.group("subscribers")
def subscribers() -> None:
    """Import and export subscribers."""


@subscribers.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--consent-source", required=True,
              help='Where these people gave consent, e.g. "sign-up sheet, assembly 2024-05".')
@click.option("--already-confirmed", is_flag=True,
              help="I attest these people already confirmed elsewhere: import them as "
                   "confirmed, send no confirmation mail.")
@click.option("--list", "list_slug", default=None,
              help="The list they join (its address before the @); default: the main list.")
@with_appcontext
def import_command(file: Path, consent_source: str, already_confirmed: bool,
                   list_slug: str | None) -> None:
    """Import FILE.csv (columns email, name, optional status, consent_date) into a list."""
    mailing_list = get_list_by_slug(list_slug) if list_slug else get_default_list()
    if mailing_list is None:
        raise click.BadParameter(_("there is no list %(slug)r", slug=list_slug),
                                 param_hint="--list")
    if mailing_list.archived:
        raise click.BadParameter(_("the list %(slug)r is archived", slug=list_slug),
                                 param_hint="--list")
    started = time.monotonic()
    with file.open("rb") as raw, click.progressbar(
        length=file.stat().st_size, label=_("Importing"), show_eta=True, file=sys.stderr,
        item_show_func=lambda report: report and _rate(report, started),
    ) as bar:
        lines = (line.decode("utf-8-sig", errors="replace") for line in raw)

        def progress(report: ImportReport) -> None:
            bar.update(raw.tell() - bar.pos, report)

        try:
            report = import_subscribers(lines, consent_source, already_confirmed,
                                        mailing_list=mailing_list, progress=progress)
        except (ImportRefused, UnsafeHeaderValue) as exc:
            raise click.UsageError(str(exc)) from None
        db.session.commit()
        bar.update(bar.length - bar.pos, report)
    for error in report.errors:
        click.echo(_("line %(line)s: %(message)s", line=error.line, message=error.message),
                   err=True)
    if report.errors_not_listed:
        click.echo(ngettext("… and %(num)d more line not imported",
                            "… and %(num)d more lines not imported",
                            report.errors_not_listed), err=True)
    click.echo(summary(report, time.monotonic() - started))


def _rate(report: ImportReport, started: float) -> str:
    elapsed = max(time.monotonic() - started, 1e-6)
    return _("%(rows)s rows, %(rate)s rows/s", rows=f"{report.rows:,}",
             rate=f"{report.rows / elapsed:,.0f}")


def summary(report: ImportReport, seconds: float) -> str:
    return _(
        "%(rows)s rows read in %(seconds)s s: %(added)s added, %(duplicates)s duplicates merged, "
        "%(already)s already on the list (left as they were), %(invalid)s invalid, %(erased)s "
        "erased earlier (skipped); %(queued)s confirmation mails queued",
        rows=report.rows, seconds=f"{seconds:.1f}", added=report.added,
        duplicates=report.duplicates, already=report.already_on_list, invalid=report.invalid,
        erased=report.erased, queued=report.confirmations_queued,
    )


@subscribers.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
@click.option("--status", multiple=True,
              type=click.Choice(["pending", "confirmed", "unsubscribed", "disabled"]),
              help="Only these statuses (repeatable); default: everyone.")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-",
              help="File to write (default: standard output).")
@with_appcontext
def export_command(fmt: str, status: tuple[str, ...], output) -> None:
    """Export subscribers with every stored field, consent records included (streamed)."""
    selection = exporting.Selection(statuses=list(status))
    chunks = exporting.export_csv(selection) if fmt == "csv" else exporting.export_json(selection)
    for chunk in chunks:
        output.write(chunk)
