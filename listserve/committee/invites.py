"""Invite and password-reset links: timed tokens, each purpose with its own salt, bound to the
member's security stamp so that using one (which rotates the stamp) spends it."""

from flask import current_app
from flask_babel import gettext as _

from listserve.committee.audit import record_audit
from listserve.committee.models import CommitteeMember, Role
from listserve.committee.services import (
    add_member,
    get_member,
    member_by_email,
    set_password,
)
from listserve.core.lists import get_default_list
from listserve.core.tokens import TokenError, make_timed_token, read_timed_token
from listserve.core.urls import external_url
from listserve.delivery.outbox import enqueue_notice
from listserve.extensions import db

INVITE = "committee.invite"
RESET = "committee.password-reset"


def _token_for(member: CommitteeMember, purpose: str) -> str:
    return make_timed_token(purpose, [member.id, member.security_stamp])


def member_for_token(purpose: str, token: str) -> CommitteeMember:
    """The member a link is for; raises TokenExpired, or TokenError when tampered or used."""
    setting = "INVITE_MAX_AGE" if purpose == INVITE else "PASSWORD_RESET_MAX_AGE"
    max_age = current_app.config[setting]
    payload = read_timed_token(purpose, token, max_age)
    try:
        member_id, stamp = payload
    except (TypeError, ValueError):
        raise TokenError(_("This link is not valid.")) from None
    member = get_member(member_id) if isinstance(member_id, int) else None
    if member is None or member.security_stamp != stamp or not member.enabled:
        raise TokenError(_("This link is not valid or has already been used."))
    if purpose == INVITE and member.password_hash is not None:
        raise TokenError(_("This invitation has already been accepted."))
    return member


def invite_member(admin: CommitteeMember, email: str, name: str, role: str = Role.MEMBER):
    """Create the account without a password and mail its invite link.

    Raises CommitteeError, InvalidAddress, UnsafeHeaderValue.
    """
    member = add_member(email, name, role)
    url = external_url("committee.accept_invite", token=_token_for(member, INVITE))
    enqueue_notice(
        purpose="committee.invite",
        template="committee/invite",
        subject=_("You are invited to the %(network)s committee",
                  network=current_app.config["NETWORK_NAME"]),
        mailing_list=get_default_list(),
        recipient=member.email,
        recipient_name=member.name,
        invite_url=url,
        inviter=admin,
        days=current_app.config["INVITE_MAX_AGE"] // 86400,
    )
    record_audit(admin, "invited", "member", member.id,
                 detail={"member": member.email, "role": role})
    return member


def accept_invite(token: str, password: str) -> CommitteeMember:
    """Set the invited member's first password. Raises TokenError, CommitteeError."""
    member = member_for_token(INVITE, token)
    set_password(member, password)
    record_audit(member, "accepted invite", "member", member.id)
    return member


def request_password_reset(email: str) -> None:
    """Mail a reset link if the address is an active account; silently nothing otherwise."""
    member = member_by_email(email)
    if member is None or not member.is_active:
        return
    url = external_url("committee.reset_password", token=_token_for(member, RESET))
    enqueue_notice(
        purpose="committee.password-reset",
        template="committee/password_reset",
        subject=_("Resetting your committee password"),
        mailing_list=get_default_list(),
        recipient=member.email,
        recipient_name=member.name,
        reset_url=url,
        minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
    )
    db.session.flush()


def reset_password(token: str, password: str) -> CommitteeMember:
    """Raises TokenError, CommitteeError."""
    member = member_for_token(RESET, token)
    set_password(member, password)
    record_audit(member, "reset password", "member", member.id)
    return member

