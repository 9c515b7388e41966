"""The mail a member entry sends and the links in it: the verification that proves the address
(as a comment's does), and the personal link to update or withdraw the entry."""

import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _

from listserve.core.db import utcnow
from listserve.core.lists import get_default_list
from listserve.core.tokens import (
    TokenError,
    make_lasting_token,
    make_timed_token,
    read_lasting_token,
    read_timed_token,
)
from listserve.core.urls import external_url
from listserve.delivery.outbox import enqueue_notice
from listserve.extensions import db
from listserve.members.models import Member, MemberStatus

VERIFY_PURPOSE = "verify-member"
ENTRY_PURPOSE = "member-entry"


def _notice(member: Member, purpose: str, template: str, subject: str, **context) -> None:
    enqueue_notice(
        purpose=f"member.{purpose}", template=f"members/{template}", subject=subject,
        mailing_list=get_default_list(), recipient=member.email,
        recipient_name=member.contact_name or member.name, member=member,
        entry_url=entry_link(member), **context,
    )


def send_verification(member: Member) -> None:
    """At most one mail per address per resend interval: the one on its way proves it too."""
    now = utcnow()
    interval = timedelta(seconds=current_app.config["CONFIRM_RESEND_INTERVAL"])
    if member.verification_sent_at and now - member.verification_sent_at < interval:
        return
    member.verification_sent_at = now
    token = make_timed_token(VERIFY_PURPOSE, [member.id, member.verify_nonce])
    _notice(member, "verify", "verify", _("Please confirm your address to join the network"),
            verify_url=external_url("members.verify", token=token),
            max_age_days=current_app.config["CONFIRM_MAX_AGE"] // 86400)


def send_entry_link(member: Member) -> None:
    """Someone signed on again with an address that already has an entry: its owner gets
    their personal link (the page never says whether the address was known)."""
    now = utcnow()
    interval = timedelta(seconds=current_app.config["CONFIRM_RESEND_INTERVAL"])
    if member.verification_sent_at and now - member.verification_sent_at < interval:
        return
    member.verification_sent_at = now
    _notice(member, "again", "already_member", _("Your entry in the network's directory"))


def send_received(member: Member) -> None:
    _notice(member, "received", "received", _("Thank you for signing on"))


def send_decision(member: Member) -> None:
    approved = member.status == MemberStatus.APPROVED
    _notice(member, "decision", "approved" if approved else "declined",
            _("Welcome to the network") if approved
            else _("About your request to join the network"))


def entry_link(member: Member) -> str:
    return external_url("members.entry", token=make_lasting_token(
        ENTRY_PURPOSE, [member.id, member.entry_nonce]))


def _member_from(payload, nonce_of) -> Member:
    try:
        member_id, nonce = payload
    except (TypeError, ValueError):
        raise TokenError("This link is not valid.") from None
    member = db.session.get(Member, member_id) if isinstance(member_id, int) else None
    expected = nonce_of(member) if member is not None else None
    if expected is None or not secrets.compare_digest(str(nonce), expected):
        raise TokenError("This link has already been used or is no longer valid.")
    return member


def member_for_verification(token: str) -> Member:
    """The unverified entry a verification link is for (raises TokenExpired, TokenError)."""
    payload = read_timed_token(VERIFY_PURPOSE, token, current_app.config["CONFIRM_MAX_AGE"])
    return _member_from(payload, lambda m: m.verify_nonce
                        if m.status == MemberStatus.UNVERIFIED else None)


def member_for_entry(token: str) -> Member:
    """The entry a personal link is for (raises TokenError, also once it was withdrawn)."""
    return _member_from(read_lasting_token(ENTRY_PURPOSE, token), lambda m: m.entry_nonce)
