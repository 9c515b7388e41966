import gc
import signal
import threading
import time

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from listserve.delivery import control
from listserve.delivery.worker import run_worker
from listserve.extensions import db


@click.command("worker")
@click.option("--burst", is_flag=True, help="Deliver what is due now, then exit.")
@click.option("--concurrency", type=click.IntRange(min=1), default=None,
              help="SMTP connections this worker keeps (default WORKER_CONCURRENCY).")
@click.option("--rate", type=click.FloatRange(min=0), default=None,
              help="At most this many messages a second (default WORKER_MAX_RATE; 0: no cap).")
@with_appcontext
def worker(burst: bool, concurrency: int | None, rate: float | None) -> None:
    """Send queued mail: claim due copies, send them, record the results.

    SIGTERM or Ctrl-C: finish the group in flight, give the rest back, exit.
    """
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    # What start-up made (the app, its modules and their objects: ~136k) lives as long as
    # the worker. Frozen, it is no longer traversed by the full collections that sending
    # sets off: measured on a 100k send (bench/delivery.py, PostgreSQL), such a collection
    # took ~100 ms before and 3 ms after, and the collector's share of the worker's CPU fell
    # from ~3% to ~2%.
    gc.freeze()
    handled = run_worker(burst=burst, concurrency=concurrency, rate=rate, stop=stop)
    if burst or stop.is_set():
        click.echo(ngettext("%(num)d copy handled", "%(num)d copies handled", handled))


@click.group("mailings")
def mailings() -> None:
    """Watch and control sends (pause, resume, cancel).

    Name a send by its announcement (--announcement N, the number the committee's pages show)
    or by its mailing id (as `listserve announcements send` prints it)."""


def _which_mailing(command):
    command = click.argument("mailing_id", type=int, required=False)(command)
    announcement = click.option(
        "--announcement", "announcement_id", type=int,
        help="The announcement whose send this is (instead of MAILING_ID).",
    )
    return announcement(command)


def _load(mailing_id: int | None, announcement_id: int | None):
    if (mailing_id is None) == (announcement_id is None):
        raise click.UsageError(_("Name one send: a MAILING_ID or --announcement N."))
    try:
        if announcement_id is not None:
            return control.get_announcement_mailing(announcement_id)
        return control.get_mailing(mailing_id)
    except control.MailingNotFound as exc:
        raise click.ClickException(str(exc)) from None


def _label(mailing) -> str:
    """Both ids, so either can be used next time."""
    announcement_id = control.announcement_id_of(mailing)
    if announcement_id is None:
        return _("Mailing %(id)s", id=mailing.id)
    translated = mailing.purpose != control.announcement_purpose(announcement_id)
    if translated and mailing.language:
        return _("Announcement %(id)s (mailing %(mailing)s, %(language)s)", id=announcement_id,
                 mailing=mailing.id, language=mailing.language)
    return _("Announcement %(id)s (mailing %(mailing)s)", id=announcement_id, mailing=mailing.id)


@mailings.command("progress")
@_which_mailing
@click.option("--watch", is_flag=True, help="Redraw every second until the send is done.")
@with_appcontext
def progress(mailing_id: int | None, announcement_id: int | None, watch: bool) -> None:
    """Counts, rate and time left for one send, as a progress bar."""
    mailing = _load(mailing_id, announcement_id)
    label = _label(mailing)
    while True:
        state = control.mailing_progress(mailing.id)
        db.session.rollback()  # a fresh snapshot next time round
        line = f"{label}: {progress_line(state, mailing.status)}"
        click.echo("\r" + line if watch else line, nl=not watch)
        if not watch or state.finished:
            break
        time.sleep(1)
        db.session.refresh(mailing)
    if watch:
        click.echo()


def progress_line(state: control.Progress, status: str, width: int = 30) -> str:
    share = state.done / state.total if state.total else 1.0
    filled = int(share * width)
    left = "–" if state.seconds_left is None else _duration(state.seconds_left)
    return f"[{'#' * filled}{'.' * (width - filled)}] {share:4.0%} " + _(
        "%(sent)s sent · %(queued)s queued · %(retrying)s retrying · %(failed)s failed · "
        "%(cancelled)s cancelled · %(rate)s/s · %(left)s left · %(state)s",
        sent=f"{state.sent:,}", queued=f"{state.queued:,}", retrying=f"{state.retrying:,}",
        failed=f"{state.failed:,}", cancelled=f"{state.cancelled:,}",
        rate=f"{state.rate_per_second:,.0f}", left=left, state=state.state(status))


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def _control_command(name: str, action, done: str):
    @mailings.command(name, help=f"{name.capitalize()} a send.")
    @_which_mailing
    @with_appcontext
    def command(mailing_id: int | None, announcement_id: int | None) -> None:
        mailing = _load(mailing_id, announcement_id)
        # An announcement in several languages is one mailing per language: steered together.
        every = (control.announcement_mailings(announcement_id)
                 if announcement_id is not None else [mailing])
        try:
            for each in every:
                action(each)
        except control.MailingFinished as exc:
            raise click.ClickException(str(exc)) from None
        db.session.commit()
        for each in every:
            click.echo(done % {"mailing": _label(each)})

    return command


_control_command("pause", control.pause_mailing, _l("%(mailing)s paused."))
_control_command("resume", control.resume_mailing, _l("%(mailing)s resumed."))
_control_command("cancel", control.cancel_mailing,
                 _l("%(mailing)s cancelled; unsent copies will not go out."))
