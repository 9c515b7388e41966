"""The committee edits the public pages; every change is kept as a version with its author.

Services flush, never commit. Raise PageEditError for input a person can correct.
"""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from listserve.committee.audit import COMMAND_LINE, record_audit
from listserve.committee.models import CommitteeMember
from listserve.extensions import db
from listserve.public import services
from listserve.public.models import Aim, NextStep, NextStepStatus, PageVersion

PAGES = {"aims": "Aims", "next_steps": "Next steps", "ecosystem": "Ecosystem directory"}
AIM_MAX = 2000


class PageEditError(ValueError):
    """The edit cannot be saved as given; the message says why, for the person."""


@dataclass
class StepInput:
    title: str
    status: str = NextStepStatus.PLANNED
    due: date | None = None
    owner: str = ""
    body: str = ""


def save_version(page: str, author: CommitteeMember | None) -> PageVersion:
    """Record the page as it now stands."""
    version = PageVersion(
        page=page,
        snapshot=_snapshot(page),
        author_id=author.id if author else None,
        author_label=author.label if author else COMMAND_LINE,
    )
    db.session.add(version)
    db.session.flush()
    record_audit(author, "page edited", "page", version.id, detail={"page": PAGES.get(page, page)})
    return version


def _snapshot(page: str) -> dict:
    if page == "aims":
        return {"aims": [aim.text for aim in services.list_aims()]}
    if page == "next_steps":
        return {"next_steps": [
            {"title": s.title, "status": s.status, "due": s.due.isoformat() if s.due else None,
             "owner": s.owner, "body": s.body}
            for s in services.list_next_steps()
        ]}
    return {"sections": [
        {"title": section.title, "kind": section.kind, "entries": [
            {"name": e.name, "url": e.url, "abbreviation": e.abbreviation, "sector": e.sector,
             "description": e.description}
            for e in sorted(section.entries, key=lambda e: (e.position, e.id))
        ]}
        for section in services.list_sections()
    ]}


def update_aims(author: CommitteeMember | None, aims: list[str]) -> PageVersion:
    """Replace the aims with these, in this order (blank ones dropped); raises PageEditError."""
    aims = [text.strip() for text in aims if text.strip()]
    if any(len(text) > AIM_MAX for text in aims):
        raise PageEditError(_("An aim can be at most %(max)s characters long.", max=AIM_MAX))
    db.session.execute(sa.delete(Aim))
    db.session.add_all(Aim(position=i, text=text) for i, text in enumerate(aims))
    db.session.flush()
    return save_version("aims", author)


def update_next_steps(author: CommitteeMember | None, steps: list[StepInput]) -> PageVersion:
    """Replace the next steps with these, in this order; raises PageEditError."""
    statuses = {status.value for status in NextStepStatus}
    for number, step in enumerate(steps, start=1):
        if not step.title.strip():
            raise PageEditError(_("Step %(number)s needs a title.", number=number))
        if step.status not in statuses:
            raise PageEditError(_("Step %(number)s: the status must be one of %(statuses)s.",
                                  number=number, statuses=", ".join(sorted(statuses))))
    db.session.execute(sa.delete(NextStep))
    db.session.add_all(
        NextStep(position=i, title=s.title.strip()[:200], status=s.status, due=s.due,
                 owner=(s.owner or "").strip()[:200] or None, body=(s.body or "").strip())
        for i, s in enumerate(steps)
    )
    db.session.flush()
    return save_version("next_steps", author)


def last_updated(page: str) -> datetime | None:
    return db.session.scalar(
        sa.select(sa.func.max(PageVersion.created_at)).where(PageVersion.page == page)
    )


def list_versions(page: str, limit: int = 50) -> list[PageVersion]:
    return list(db.session.scalars(
        sa.select(PageVersion).where(PageVersion.page == page)
        .order_by(PageVersion.id.desc()).limit(limit)
    ))


def get_version(version_id: int) -> PageVersion | None:
    return db.session.get(PageVersion, version_id)
