"""`listserve api-token create|list|revoke`."""

from datetime import timedelta

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from listserve.api import tokens
from listserve.api.models import Scope
from listserve.committee.audit import COMMAND_LINE
from listserve.committee.services import member_by_email
from listserve.core.db import utcnow
from listserve.extensions import db


@click.group("api-token")
def api_token() -> None:
    """API tokens (each acts as one committee member)."""


@api_token.command("create")
@click.option("--member", "email", required=True, help="The committee member it acts as.")
@click.option("--name", required=True, help="What the token is for.")
@click.option("--scope", "scopes", multiple=True, required=True,
              type=click.Choice([s.value for s in Scope]), help="Repeat for several.")
@click.option("--expires-days", type=click.IntRange(0, 3650), default=90, show_default=True,
              help="0: never.")
@with_appcontext
def create(email: str, name: str, scopes: tuple[str, ...], expires_days: int) -> None:
    """Make a token and print it (once: only its hash is kept)."""
    member = member_by_email(email)
    if member is None or not member.is_active:
        raise click.ClickException(_("No active committee member %(email)s.", email=email))
    expires = utcnow() + timedelta(days=expires_days) if expires_days else None
    try:
        made = tokens.create_token(member, name, list(scopes), expires, via="command line")
    except tokens.TokenRefused as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(made.secret)
    click.echo(_("Token %(id)s for %(member)s: %(scopes)s", id=made.token.id, member=member.label,
                 scopes=made.token.scopes), err=True)


@api_token.command("list")
@click.option("--member", "email", help="Only this member's tokens.")
@with_appcontext
def list_command(email: str | None) -> None:
    """Tokens, newest first: id, state, prefix, member, scopes, last use."""
    member = None
    if email:
        member = member_by_email(email)
        if member is None:
            raise click.ClickException(_("No committee member %(email)s.", email=email))
    for token in tokens.list_tokens(member):
        used = token.last_used_at.isoformat() if token.last_used_at else _("never")
        click.echo(f"{token.id}\t{tokens.token_state(token)}\t{token.prefix}…\t"
                   f"{token.member.email}\t{token.name}\t{token.scopes}\t"
                   + _("last used %(when)s", when=used))


@api_token.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def revoke(token_id: int) -> None:
    """Revoke a token at once."""
    token = tokens.get_token(token_id)
    if token is None:
        raise click.ClickException(_("No token %(id)s.", id=token_id))
    changed = tokens.revoke_token(COMMAND_LINE, token)
    db.session.commit()
    click.echo(_("Token %(id)s revoked.", id=token_id) if changed
               else _("Token %(id)s was already revoked.", id=token_id))
