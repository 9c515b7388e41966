"""Signing on to the network, proving the address, the committee's decision, and a member's
own updates and withdrawal (which erases the entry)."""

import hashlib
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import gettext as _

from listserve.committee.audit import record_audit
from listserve.committee.models import CommitteeMember
from listserve.core.addresses import normalise_address
from listserve.core.db import utcnow
from listserve.core.headers import check_header_value, has_control_characters
from listserve.extensions import db
from listserve.members import notices
from listserve.members.models import SHOWABLE, Member, MemberKind, MemberStatus, PrinciplesText
from listserve.members.sectors import SECTORS
from listserve.public.services import list_aims
from listserve.subscriptions.services import Request, subscribe_confirmed


class MemberRefused(ValueError):
    """The entry cannot be taken as written; the message says why, for the person."""


@dataclass(frozen=True)
class MemberDraft:
    """What a person typed into the sign-on form (or the form of their entry)."""

    kind: str
    name: str
    email: str = ""
    contact_name: str = ""
    sector: str = ""
    region: str = ""
    country: str = ""
    website: str = ""
    description: str = ""
    affiliation: str = ""
    shown_fields: tuple[str, ...] = field(default_factory=tuple)
    wants_list: bool = False


def current_principles() -> tuple[str, str]:
    """(SHA-256, text) of the principles as the sign-on page shows them: the network's aims."""
    text = "\n".join(f"- {aim.text.strip()}" for aim in list_aims()) or "(no aims published)"
    return hashlib.sha256(text.encode()).hexdigest(), text


def sign_on_member(draft: MemberDraft, origin: Request, principles_sha256: str) -> Member:
    """Take a sign-on and mail the button that proves the address. `principles_sha256` is the
    version the person saw and agreed to. Raises InvalidAddress, UnsafeHeaderValue and
    MemberRefused before anything is stored."""
    address, key = normalise_address(draft.email)
    details = _checked(draft)
    digest, text = current_principles()
    if principles_sha256 != digest:
        raise MemberRefused(_("The network's principles changed while you were filling in the "
                              "form; please read them again below and agree once more."))
    if db.session.get(PrinciplesText, digest) is None:
        db.session.add(PrinciplesText(sha256=digest, text=text))
    member = db.session.scalar(sa.select(Member).filter_by(email_key=key))
    if member is not None and member.status != MemberStatus.UNVERIFIED:
        notices.send_entry_link(member)
        return member
    if member is None:
        member = Member(email_key=key, entry_nonce=secrets.token_hex(16))
        db.session.add(member)
    for name, value in details.items():
        setattr(member, name, value)
    member.email = address
    member.principles_sha256 = digest
    member.source = origin.source[:200]
    member.ip = (origin.ip or None) and origin.ip[:45]
    member.user_agent = (origin.user_agent or None) and origin.user_agent[:400]
    member.asked_at = utcnow()
    member.verify_nonce = member.verify_nonce or secrets.token_hex(8)
    db.session.flush()
    notices.send_verification(member)
    return member


def _one_line(value: str, label: str, limit: int, required: bool = False) -> str:
    value = " ".join((value or "").split())
    if required and not value:
        raise MemberRefused(_("Please give %(label)s.", label=label))
    if has_control_characters(value):
        raise MemberRefused(_("The %(label)s contains control characters; please retype it.",
                               label=label))
    if len(value) > limit:
        raise MemberRefused(_("Please keep the %(label)s under %(limit)d characters.",
                               label=label, limit=limit))
    return check_header_value(value, label)


def _checked(draft: MemberDraft) -> dict:
    if draft.kind not in set(MemberKind):
        raise MemberRefused(_("Please say whether you join as an organisation or as a person."))
    organisation = draft.kind == MemberKind.ORGANISATION
    details = {
        "kind": draft.kind,
        "name": _one_line(draft.name, _("organisation's name") if organisation else _("name"), 200,
                          required=True),
        "contact_name": _one_line(draft.contact_name, _("contact person"), 200,
                                  required=organisation),
        "region": _one_line(draft.region, _("city or region"), 120, required=True),
        "country": _one_line(draft.country, _("country"), 80, required=organisation),
        "affiliation": _one_line(draft.affiliation, _("affiliation"), 200),
        "website": _website(draft.website),
        "description": _description(draft.description),
        "sector": draft.sector or "",
        "shown_fields": [f for f in SHOWABLE if f in set(draft.shown_fields)],
        "wants_list": bool(draft.wants_list),
    }
    if details["sector"] and details["sector"] not in SECTORS:
        raise MemberRefused(_("Please choose a sector from the list."))
    if organisation and not details["sector"]:
        raise MemberRefused(_("Please choose the organisation's sector."))
    return details


def _website(raw: str) -> str:
    url = (raw or "").strip()
    if not url:
        return ""
    parts = urlsplit(url) if len(url) <= 500 and url.isprintable() else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise MemberRefused(
            _("Please give the website as a full address starting with https://."))
    return url


def _description(raw: str) -> str:
    text = (raw or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if any(has_control_characters(line) for line in text.split("\n")):
        raise MemberRefused(
            _("The description contains control characters; please retype it."))
    if len(text) > 2000:
        raise MemberRefused(_("Please keep the description under 2000 characters; it has "
                              "%(length)d.", length=len(text)))
    return text


def verify_member(token: str) -> Member:
    """Prove the address a link was sent to; the entry then waits for the committee. Joins
    the list too when the person asked to (their one confirmation). Raises TokenError,
    TokenExpired."""
    member = notices.member_for_verification(token)
    member.status = MemberStatus.PENDING
    member.verified_at = utcnow()
    member.verify_nonce = None
    member.verification_sent_at = None
    if member.wants_list:
        subscribe_confirmed(member.email, member.contact_name or member.name, Request(
            source="member sign-on", ip=member.ip, user_agent=member.user_agent,
            asked_at=member.asked_at))
    notices.send_received(member)
    db.session.flush()
    return member


def decide_member(member: Member, actor: CommitteeMember, approve: bool, message: str) -> None:
    """Approve (into the directory) or decline an entry whose address is proven, with a
    message for the member. Raises MemberRefused for an entry not waiting for a decision."""
    if member.status == MemberStatus.UNVERIFIED:
        raise MemberRefused(_("This entry's address is not proven yet."))
    message = (message or "").replace("\r\n", "\n").strip()
    if len(message) > 2000 or any(has_control_characters(x) for x in message.split("\n")):
        raise MemberRefused(
            _("Please keep the message under 2000 characters of plain text."))
    member.status = MemberStatus.APPROVED if approve else MemberStatus.DECLINED
    member.decided_at = utcnow()
    member.decided_by_id = actor.id
    member.decision_message = message
    db.session.flush()
    notices.send_decision(member)
    record_audit(actor, "approved" if approve else "declined", "network member", member.id,
                 detail={"name": member.name, "message": message})


def update_member(member: Member, draft: MemberDraft) -> None:
    """The member's own changes from their personal link (the address and the kind stay: the
    link proves the address). Raises UnsafeHeaderValue, MemberRefused."""
    draft = MemberDraft(**{**draft.__dict__, "kind": member.kind})
    details = _checked(draft)
    details.pop("wants_list")
    for name, value in details.items():
        setattr(member, name, value)
    db.session.flush()


def withdraw_member(member: Member) -> None:
    """Withdrawal erases the entry: nothing of it stays (the audit log keeps only its id)."""
    record_audit("member", "withdrew", "network member", member.id)
    db.session.delete(member)
    db.session.flush()


def erase_members(email_key: str) -> None:
    for member in db.session.scalars(sa.select(Member).filter_by(email_key=email_key)):
        db.session.delete(member)
    db.session.flush()
