"""`listserve inbound`: run the receiver; `listserve inbound held`: what waits for a person."""

import sys

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from listserve.core.addresses import InvalidAddress, normalise_address
from listserve.core.lists import ensure_default_list
from listserve.extensions import db
from listserve.inbound.models import InboundMessage, InboundStatus
from listserve.inbound.server import run_receiver
from listserve.subscriptions.models import BounceEvent, Subscriber

WAITING = (InboundStatus.HELD, InboundStatus.UNROUTED, InboundStatus.FAILED)


@click.group("inbound", invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8024, show_default=True, type=int)
@click.option("--smtp", is_flag=True, help="Speak SMTP instead of LMTP.")
@click.pass_context
@with_appcontext
def inbound(ctx: click.Context, host: str, port: int, smtp: bool) -> None:
    """Receive mail: commands (-join, -leave, -request, -confirm+…), bounces and replies."""
    if ctx.invoked_subcommand is not None:
        return
    app = current_app._get_current_object()
    ensure_default_list(db.session.connection())
    db.session.commit()
    protocol = "SMTP" if smtp else "LMTP"
    limit = app.config["INBOUND_MAX_BYTES"]

    def ready() -> None:
        click.echo(_("listserve inbound: %(protocol)s on %(host)s:%(port)s, messages up to "
                     "%(limit)s bytes", protocol=protocol, host=host, port=port, limit=limit))
        sys.stdout.flush()

    run_receiver(app, host, port, lmtp=not smtp, ready=ready)


@inbound.command("held")
@click.option("--all", "everything", is_flag=True, help="Handled messages too.")
@click.option("--limit", default=50, show_default=True)
@with_appcontext
def held(everything: bool, limit: int) -> None:
    """List received messages kept for a committee member, newest first."""
    query = sa.select(InboundMessage).order_by(InboundMessage.id.desc()).limit(limit)
    if not everything:
        query = query.where(InboundMessage.status.in_(WAITING))
    rows = db.session.scalars(query).all()
    if not rows:
        click.echo(_("Nothing is waiting.") if not everything else _("No inbound messages."))
    for row in rows:
        when = row.received_at.strftime("%Y-%m-%d %H:%M")
        click.echo(_("#%(id)s %(when)s %(status)s %(kind)s to %(recipient)s", id=row.id, when=when,
                     status=row.status, kind=row.kind, recipient=row.recipient))
        click.echo("    " + _("from %(sender)s: %(subject)r",
                              sender=row.sender or row.envelope_from or _("(nobody)"),
                              subject=row.subject))
        click.echo(f"    {row.reason}")


@inbound.command("show")
@click.argument("message_id", type=int)
@with_appcontext
def show(message_id: int) -> None:
    """Print a kept message exactly as it arrived."""
    row = db.session.get(InboundMessage, message_id)
    if row is None:
        raise click.ClickException(_("No inbound message #%(id)s.", id=message_id))
    if row.raw is None:
        raise click.ClickException(
            _("#%(id)s was handled; only its summary is kept.", id=message_id))
    sys.stdout.buffer.write(row.raw)
    if row.raw_truncated:
        click.echo("\n" + _("[cut at %(kept)s of %(size)s bytes]", kept=len(row.raw),
                             size=row.size))


@inbound.command("bounces")
@click.argument("email")
@with_appcontext
def bounces(email: str) -> None:
    """A subscriber's bounce score and bounce history (DSNs received, 5xx replies)."""
    try:
        key = normalise_address(email)[1]
    except InvalidAddress as exc:
        raise click.ClickException(str(exc)) from None
    subscriber = db.session.scalar(sa.select(Subscriber).filter_by(email_key=key))
    if subscriber is None:
        raise click.ClickException(_("%(email)s is not a subscriber.", email=email))
    for subscription in subscriber.subscriptions:
        last = subscription.last_bounce_at
        click.echo(
            _("%(address)s: %(status)s, score %(score)s", address=subscription.mailing_list.address,
              status=subscription.status, score=f"{subscription.bounce_score:g}")
            + (", " + _("last bounce %(when)s", when=f"{last:%Y-%m-%d %H:%M}") if last else "")
        )
        events = db.session.scalars(
            sa.select(BounceEvent)
            .where(BounceEvent.subscription_id == subscription.id)
            .order_by(BounceEvent.id.desc())
        )
        for event in events:
            click.echo(
                f"    {event.created_at:%Y-%m-%d %H:%M} {event.kind} {event.source} "
                f"{event.status or '-'} {(event.diagnostic or '')[:120]}"
            )
