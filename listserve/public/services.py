"""Reading and loading the public pages' content."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from listserve.extensions import db
from listserve.public.ecosystem_import import ParsedDirectory
from listserve.public.models import (
    Aim,
    EcosystemEntry,
    EcosystemSection,
    NextStep,
    PageText,
)


def list_aims() -> list[Aim]:
    return list(db.session.scalars(sa.select(Aim).order_by(Aim.position, Aim.id)))


def list_next_steps() -> list[NextStep]:
    return list(db.session.scalars(sa.select(NextStep).order_by(NextStep.position, NextStep.id)))


def list_sections() -> list[EcosystemSection]:
    return list(
        db.session.scalars(
            sa.select(EcosystemSection)
            .options(selectinload(EcosystemSection.entries))
            .order_by(EcosystemSection.position, EcosystemSection.id)
        )
    )


def get_page_text(key: str) -> str:
    page_text = db.session.get(PageText, key)
    return page_text.body if page_text else ""


def set_page_text(key: str, body: str) -> None:
    page_text = db.session.get(PageText, key) or PageText(key=key)
    page_text.body = body
    db.session.add(page_text)
    db.session.flush()


def import_directory(directory: ParsedDirectory) -> dict[str, int]:
    """Load parsed sections and entries; re-importing updates in place, never duplicates.

    Returns counts of sections and entries added and updated.
    """
    counts = {"sections_added": 0, "entries_added": 0, "entries_updated": 0}
    if directory.intro:
        set_page_text("ecosystem_intro", directory.intro)
    for position, parsed in enumerate(directory.sections):
        section = db.session.scalar(sa.select(EcosystemSection).filter_by(title=parsed.title))
        if section is None:
            section = EcosystemSection(title=parsed.title)
            db.session.add(section)
            counts["sections_added"] += 1
        section.kind = parsed.kind
        section.position = position
        db.session.flush()
        existing = {entry.url: entry for entry in section.entries}
        for entry_position, parsed_entry in enumerate(parsed.entries):
            entry = existing.get(parsed_entry.url)
            values = {
                "name": parsed_entry.name,
                "abbreviation": parsed_entry.abbreviation,
                "sector": parsed_entry.sector,
                "description": parsed_entry.description,
                "position": entry_position,
            }
            if entry is None:
                section.entries.append(EcosystemEntry(url=parsed_entry.url, **values))
                counts["entries_added"] += 1
            elif any(getattr(entry, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(entry, key, value)
                counts["entries_updated"] += 1
    db.session.flush()
    return counts


def load_aims_and_next_steps(aims: list[str], next_steps: list[dict]) -> None:
    """Replace the aims and next steps (used by the demo loader)."""
    db.session.execute(sa.delete(Aim))
    db.session.execute(sa.delete(NextStep))
    db.session.add_all(Aim(position=i, text=text) for i, text in enumerate(aims))
    db.session.add_all(NextStep(position=i, **step) for i, step in enumerate(next_steps))
    db.session.flush()
