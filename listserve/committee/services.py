"""Committee accounts: adding, logging in, passwords, roles. Flush, never commit."""

from datetime import timedelta
from zoneinfo import available_timezones

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from listserve.committee.audit import record_audit
from listserve.committee.models import CommitteeMember, Role, new_security_stamp
from listserve.committee.passwords import hash_password, needs_rehash, verify_password
from listserve.core.addresses import InvalidAddress, normalise_address
from listserve.core.db import utcnow
from listserve.core.headers import check_header_value
from listserve.extensions import db


class CommitteeError(Exception):
    """A request about a committee account that cannot be done; the message says why."""


class LoginRefused(CommitteeError):
    """Wrong address or password, a disabled or locked account: deliberately one message."""


LOGIN_REFUSED = _l(
    "That email address and password do not match an active account, or the account is "
    "locked for a few minutes after too many tries."
)


def member_by_email(email: str) -> CommitteeMember | None:
    try:
        key = normalise_address(email)[1]
    except InvalidAddress:
        return None
    return db.session.scalar(sa.select(CommitteeMember).filter_by(email_key=key))


def check_password_rules(password: str) -> None:
    """Raise CommitteeError when the password is too short."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise CommitteeError(
            _("Please choose a password of at least %(num)s characters.", num=minimum))


def add_member(
    email: str, name: str, role: str = Role.MEMBER, password: str | None = None
) -> CommitteeMember:
    """Create an account (without a password it must be claimed through an invite).

    Raises CommitteeError (address taken, bad password), InvalidAddress, UnsafeHeaderValue.
    """
    check_header_value(name, "name")
    email, key = normalise_address(email)
    if member_by_email(key) is not None:
        raise CommitteeError(_("There is already a committee account for this address."))
    if role not in set(Role):
        raise CommitteeError(_("Unknown role %(role)r.", role=role))
    member = CommitteeMember(
        email=email, email_key=key, name=name.strip(), role=role,
        time_zone=current_app.config["TIME_ZONE"], security_stamp=new_security_stamp(),
    )
    if password is not None:
        check_password_rules(password)
        member.password_hash = hash_password(password)
    db.session.add(member)
    db.session.flush()
    return member


def authenticate_member(email: str, password: str) -> CommitteeMember:
    """The member these credentials open; raises LoginRefused, always with the same message."""
    member = member_by_email(email)
    now = utcnow()
    if member is None:
        verify_password(None, password)  # spend the same time as for a real account
        raise LoginRefused(LOGIN_REFUSED)
    if member.locked_until and member.locked_until > now:
        raise LoginRefused(LOGIN_REFUSED)
    if not verify_password(member.password_hash, password) or not member.is_active:
        _count_failure(member, now)
        raise LoginRefused(LOGIN_REFUSED)
    if needs_rehash(member.password_hash):
        member.password_hash = hash_password(password)
    member.failed_logins = 0
    member.locked_until = None
    member.last_login_at = now
    db.session.flush()
    return member


def _count_failure(member: CommitteeMember, now) -> None:
    cfg = current_app.config
    member.failed_logins += 1
    if member.failed_logins >= cfg["LOGIN_MAX_FAILURES"]:
        member.locked_until = now + timedelta(seconds=cfg["LOGIN_LOCKOUT_SECONDS"])
        member.failed_logins = 0
    db.session.flush()


def set_password(member: CommitteeMember, password: str) -> None:
    """Set a new password and rotate the security stamp (ending other sessions and links).

    Raises CommitteeError for a password that breaks the rules.
    """
    check_password_rules(password)
    member.password_hash = hash_password(password)
    member.security_stamp = new_security_stamp()
    member.failed_logins = 0
    member.locked_until = None
    db.session.flush()


def change_password(member: CommitteeMember, current: str, new: str) -> None:
    """Raises CommitteeError when the current password is wrong or the new one too short."""
    if not verify_password(member.password_hash, current):
        raise CommitteeError(_("Your current password is not right."))
    set_password(member, new)
    record_audit(member, "password changed", "member", member.id)


def set_time_zone(member: CommitteeMember, time_zone: str) -> None:
    if time_zone not in available_timezones():
        raise CommitteeError(_("Please choose a time zone from the list."))
    member.time_zone = time_zone
    db.session.flush()


def set_member_role(admin: CommitteeMember, member: CommitteeMember, role: str) -> None:
    """Raises CommitteeError for an unknown role or for the last admin demoting themself."""
    if role not in set(Role):
        raise CommitteeError(_("Unknown role %(role)r.", role=role))
    if member.role == Role.ADMIN and role != Role.ADMIN:
        _keep_one_admin(member)
    old, member.role = member.role, role
    db.session.flush()
    record_audit(admin, "role changed", "member", member.id,
                 detail={"member": member.email, "from": old, "to": role})


def set_member_enabled(admin: CommitteeMember, member: CommitteeMember, enabled: bool) -> None:
    """Disable (ending their sessions) or enable an account. Raises CommitteeError."""
    if not enabled and member.id == admin.id:
        raise CommitteeError(_("You cannot disable your own account."))
    if not enabled and member.role == Role.ADMIN:
        _keep_one_admin(member)
    member.enabled = enabled
    member.security_stamp = new_security_stamp()
    db.session.flush()
    record_audit(admin, "enabled" if enabled else "disabled", "member", member.id,
                 detail={"member": member.email})


def _keep_one_admin(member: CommitteeMember) -> None:
    """Refuse to leave the committee without an admin who can log in.

    An invited admin who has not set a password yet does not count: the invitation may never
    be accepted. The admins' rows are locked (PostgreSQL; SQLite's POSTs already hold the write
    lock), so two admins demoting each other at the same moment cannot both succeed: the second
    waits, then sees the first one's change.
    """
    admins = db.session.scalars(
        sa.select(CommitteeMember.id)
        .where(
            CommitteeMember.role == Role.ADMIN,
            CommitteeMember.enabled.is_(True),
            CommitteeMember.password_hash.is_not(None),
        )
        .with_for_update()
    ).all()
    if not set(admins) - {member.id}:
        raise CommitteeError(_(
            "The committee must keep at least one active admin. Make another member admin "
            "first (one who has accepted their invitation)."
        ))


def list_members() -> list[CommitteeMember]:
    return list(db.session.scalars(sa.select(CommitteeMember).order_by(CommitteeMember.name)))


def get_member(member_id: int) -> CommitteeMember | None:
    return db.session.get(CommitteeMember, member_id)
