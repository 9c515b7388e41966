"""The public directory of approved members (only what each chose to show), the committee's
counts by sector and region, and its CSV export of every entry."""

import csv
import io
from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from listserve.extensions import db
from listserve.members.models import Member, MemberStatus
from listserve.members.sectors import sector_label

EXPORT_COLUMNS = (
    "id", "kind", "status", "name", "contact_name", "email", "sector", "region", "country",
    "website", "description", "affiliation", "shown_fields", "wants_list", "principles_sha256",
    "source", "ip", "asked_at", "verified_at", "decided_at", "decision_message",
)


@dataclass(frozen=True)
class Listing:
    """One entry as the public sees it: the name, and only the fields its member shows."""

    kind: str
    name: str
    shown: dict[str, str]


def _approved() -> list[Member]:
    return list(db.session.scalars(
        sa.select(Member).where(Member.status == MemberStatus.APPROVED)
        .order_by(sa.func.lower(Member.name), Member.id)
    ))


def listing(member: Member) -> Listing:
    shown = {name: getattr(member, name) for name in member.shown_fields or []
             if getattr(member, name, "")}
    if "sector" in shown:
        shown["sector"] = sector_label(shown["sector"])
    return Listing(member.kind, member.name, shown)


def search_directory(query: str = "", sector: str = "", region: str = "") -> list[Listing]:
    """Approved entries matching a text (in the name and shown fields), a sector and a region;
    a filter never matches a field its member keeps hidden."""
    words = (query or "").lower().split()
    found = []
    for member in _approved():
        if sector and not (member.shows("sector") and member.sector == sector):
            continue
        if region and not (member.shows("region") and
                           member.region.casefold() == region.casefold()):
            continue
        entry = listing(member)
        haystack = " ".join([entry.name, *entry.shown.values()]).lower()
        if all(word in haystack for word in words):
            found.append(entry)
    return found


def shown_regions() -> list[str]:
    """The regions a filter can offer: those members show."""
    return sorted({m.region for m in _approved() if m.shows("region")}, key=str.casefold)


def member_counts() -> dict:
    """Counts for the committee's Numbers page: by status, and approved by sector and region."""
    by_status = dict(db.session.execute(
        sa.select(Member.status, sa.func.count(Member.id)).group_by(Member.status)).all())
    approved = _approved()
    return {
        "by_status": by_status,
        "by_sector": Counter(sector_label(m.sector) if m.sector else _("(none)")
                             for m in approved).most_common(),
        "by_region": Counter(m.region or _("(none)") for m in approved).most_common(),
    }


def _cell(value) -> str:
    text = "" if value is None else (value.isoformat() if hasattr(value, "isoformat")
                                     else str(value))
    # A spreadsheet runs a cell that starts with one of these as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_csv() -> str:
    """Every entry, every field, for the committee."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for member in db.session.scalars(sa.select(Member).order_by(Member.id)):
        writer.writerow([_cell(" ".join(getattr(member, c)) if c == "shown_fields"
                               else getattr(member, c)) for c in EXPORT_COLUMNS])
    return out.getvalue()
