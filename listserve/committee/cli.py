import sys

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from listserve.committee.audit import COMMAND_LINE, record_audit
from listserve.committee.models import Role
from listserve.committee.services import CommitteeError, add_member
from listserve.core.addresses import InvalidAddress
from listserve.core.headers import UnsafeHeaderValue
from listserve.extensions import db


@click.group("members")
def members() -> None:
    """Committee accounts."""


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt(_("Password"), hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@members.command("add")
@click.argument("email")
@click.option("--name", required=True, help="The member's name as the committee sees it.")
@click.option("--admin", is_flag=True, help="An admin: invites members, sees the audit log.")
@with_appcontext
def add(email: str, name: str, admin: bool) -> None:
    """Add a committee account. The password is prompted for, or read from stdin."""
    password = _read_password()
    role = Role.ADMIN if admin else Role.MEMBER
    try:
        member = add_member(email, name, role, password)
    except (CommitteeError, InvalidAddress, UnsafeHeaderValue) as exc:
        raise click.ClickException(str(exc)) from None
    record_audit(COMMAND_LINE, "added", "member", member.id,
                 detail={"member": member.email, "role": role})
    db.session.commit()
    click.echo(_("Added %(member)s as %(role)s.", member=member.label, role=role))
