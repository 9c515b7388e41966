"""Editing the ecosystem directory: sections and their entries, each change a saved version.

Services flush, never commit; raise PageEditError for input a person can correct.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import gettext as _

from listserve.committee.models import CommitteeMember
from listserve.extensions import db
from listserve.public.editing import PageEditError, save_version
from listserve.public.models import EcosystemEntry, EcosystemSection, SectionKind

PAGE = "ecosystem"


@dataclass
class EntryInput:
    name: str
    url: str
    abbreviation: str = ""
    sector: str = ""
    description: str = ""


def _checked_entry(values: EntryInput) -> dict:
    name, url = values.name.strip(), values.url.strip()
    if not name:
        raise PageEditError(_("An entry needs a name."))
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PageEditError(
            _("The link must be a web address starting with http:// or https://."))
    return {
        "name": name[:300], "url": url[:2000],
        "abbreviation": values.abbreviation.strip()[:40] or None,
        "sector": values.sector.strip()[:120] or None,
        "description": values.description.strip(),
    }


def _checked_section(title: str, kind: str, section: EcosystemSection | None = None):
    title = title.strip()
    if not title:
        raise PageEditError(_("A section needs a title."))
    if kind not in {k.value for k in SectionKind}:
        raise PageEditError(_("Choose what kind of section this is."))
    clash = db.session.scalar(sa.select(EcosystemSection).filter_by(title=title[:200]))
    if clash is not None and clash is not section:
        raise PageEditError(_("There is already a section called %(title)r.", title=title))
    return title[:200], kind


def _ordered_sections() -> list[EcosystemSection]:
    return list(db.session.scalars(
        sa.select(EcosystemSection).order_by(EcosystemSection.position, EcosystemSection.id)
    ))


def add_section(author: CommitteeMember | None, title: str, kind: str) -> EcosystemSection:
    title, kind = _checked_section(title, kind)
    section = EcosystemSection(title=title, kind=kind, position=len(_ordered_sections()))
    db.session.add(section)
    db.session.flush()
    save_version(PAGE, author)
    return section


def update_section(author, section: EcosystemSection, title: str, kind: str) -> None:
    section.title, section.kind = _checked_section(title, kind, section)
    db.session.flush()
    save_version(PAGE, author)


def remove_section(author, section: EcosystemSection) -> None:
    """Remove the section and every entry in it."""
    db.session.delete(section)
    db.session.flush()
    save_version(PAGE, author)


def _move(items: list, item, offset: int) -> None:
    index = items.index(item)
    target = index + offset
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    for position, each in enumerate(items):
        each.position = position


def move_section(author, section: EcosystemSection, offset: int) -> None:
    """Move the section up (offset -1) or down (+1)."""
    _move(_ordered_sections(), section, offset)
    db.session.flush()
    save_version(PAGE, author)


def _check_url_free(section: EcosystemSection, url: str, entry: EcosystemEntry | None = None):
    clash = db.session.scalar(
        sa.select(EcosystemEntry).filter_by(section_id=section.id, url=url)
    )
    if clash is not None and clash is not entry:
        raise PageEditError(_("%(name)s already has that link in this section.", name=clash.name))


def add_entry(author, section: EcosystemSection, values: EntryInput) -> EcosystemEntry:
    checked = _checked_entry(values)
    _check_url_free(section, checked["url"])
    entry = EcosystemEntry(position=len(section.entries), **checked)
    section.entries.append(entry)
    db.session.flush()
    save_version(PAGE, author)
    return entry


def update_entry(author, entry: EcosystemEntry, values: EntryInput) -> None:
    checked = _checked_entry(values)
    _check_url_free(entry.section, checked["url"], entry)
    for key, value in checked.items():
        setattr(entry, key, value)
    db.session.flush()
    save_version(PAGE, author)


def remove_entry(author, entry: EcosystemEntry) -> None:
    section = entry.section
    section.entries.remove(entry)
    for position, each in enumerate(section.entries):
        each.position = position
    db.session.flush()
    save_version(PAGE, author)


def move_entry(author, entry: EcosystemEntry, offset: int) -> None:
    """Move the entry up (offset -1) or down (+1) within its section."""
    entries = sorted(entry.section.entries, key=lambda e: (e.position, e.id))
    _move(entries, entry, offset)
    db.session.flush()
    save_version(PAGE, author)
