"""Reads a directory page shaped like the network's ecosystem page.

Headings name sections; under each, lines `- [Name](https://…) (ABBR) description` are
entries. Headings with no entries under them (the page title) are not sections; the first
paragraph under the page title is the directory's introduction.
"""

import re
from dataclasses import dataclass, field

from listserve.public.models import SectionKind

HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
ENTRY = re.compile(r"^\s*[-*+]\s+\[(?P<name>[^\]]+)\]\((?P<url>[^)\s]+)\)\s*(?P<rest>.*)$")
LEADING_PARENS = re.compile(r"^\((?P<inner>[^)]*)\)\s*[,;.]?\s*(?P<rest>.*)$")


@dataclass
class ParsedEntry:
    name: str
    url: str
    abbreviation: str | None
    sector: str | None
    description: str


@dataclass
class ParsedSection:
    title: str
    kind: SectionKind
    entries: list[ParsedEntry] = field(default_factory=list)


@dataclass
class ParsedDirectory:
    intro: str
    sections: list[ParsedSection]


def repair_mojibake(text: str) -> str:
    """UTF-8 read as Windows-1252 ("Innovationâ€™s") is put back ("Innovation’s")."""
    if "â€" not in text and "Ã" not in text:
        return text
    try:
        return text.encode("cp1252").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def section_kind(title: str) -> SectionKind:
    lowered = title.lower()
    for word, kind in (
        ("international", SectionKind.INTERNATIONAL),
        ("national", SectionKind.NATIONAL),
        ("sector", SectionKind.SECTOR),
    ):
        if word in lowered:
            return kind
    return SectionKind.OTHER


def parse_entry(match: re.Match, kind: SectionKind) -> ParsedEntry:
    rest = match["rest"].strip()
    inner = None
    if parens := LEADING_PARENS.match(rest):
        inner, rest = parens["inner"].strip(), parens["rest"].strip()
    rest = rest.rstrip(",;").strip()
    # In a sector-based section the bracket names the sector; elsewhere it is an acronym.
    sector = inner if kind == SectionKind.SECTOR else None
    abbreviation = inner if kind != SectionKind.SECTOR else None
    return ParsedEntry(
        name=match["name"].strip(),
        url=match["url"].strip(),
        abbreviation=abbreviation or None,
        sector=sector or None,
        description=rest,
    )


def parse_directory(markdown: str) -> ParsedDirectory:
    text = repair_mojibake(markdown)
    lines = _without_front_matter(text.splitlines())
    sections: list[ParsedSection] = []
    current: ParsedSection | None = None
    intro_lines: list[str] = []
    seen_heading = False
    for line in lines:
        if heading := HEADING.match(line):
            title = heading.group(2).strip().rstrip(":").strip()
            current = ParsedSection(title=title, kind=section_kind(title))
            sections.append(current)
            seen_heading = True
        elif (entry := ENTRY.match(line)) and current is not None:
            current.entries.append(parse_entry(entry, current.kind))
        elif seen_heading and len(sections) == 1 and line.strip():
            intro_lines.append(line.strip())
    return ParsedDirectory(
        intro=" ".join(intro_lines), sections=[s for s in sections if s.entries]
    )


def _without_front_matter(lines: list[str]) -> list[str]:
    if lines and lines[0].strip() == "---":
        for index, line in enumerate(lines[1:], start=1):
            if line.strip() == "---":
                return lines[index + 1 :]
    return lines
