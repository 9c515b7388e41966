"""Reading an import file: one checked ImportRow per good line, a RowError per bad one.

Columns (named on the first line, in any order, any case): email, name, and optionally
status, consent_date and language (a code of LANGUAGES: the language of the person's mail;
empty: the site default). Other columns are ignored, so a file made by
`listserve subscribers export` reads back in.
"""

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import gettext as _

from listserve.core.addresses import InvalidAddress
from listserve.core.headers import LINE_BREAKS
from listserve.subscriptions.manage.bulk_addresses import normalise_address_quickly
from listserve.subscriptions.models import SubscriptionStatus

NAME_MAX = 200
UNREADABLE = "\ufffd"  # what bytes that are not UTF-8 decode to
# What headers.is_header_safe and has_control_characters refuse, in one regular expression
# (the import checks a hundred thousand names).
NOT_IN_A_NAME = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f" + re.escape("".join(sorted(LINE_BREAKS))) + "]"
)
STATUSES = frozenset(status.value for status in SubscriptionStatus)


class ImportRefused(ValueError):
    """The import as a whole cannot go ahead (no email column, not CSV, no consent source)."""


@dataclass
class ImportRow:
    line: int
    email: str
    email_key: str
    name: str
    status: str | None  # as the file says; what is stored depends on the attestation
    consent_date: datetime | None
    language: str | None = None  # an offered language; None: the site default


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


def read_rows(lines: Iterable[str], now: datetime,
              languages: Iterable[str] = ()) -> Iterator[ImportRow | RowError]:
    """Yield an ImportRow or a RowError for every data line, streaming (raises ImportRefused).
    `languages`: the codes a language column may hold."""
    languages = frozenset(languages)
    reader = csv.reader(lines)
    columns = _read_header(reader)
    width = max(columns.values()) + 1
    while True:
        line = reader.line_num + 1  # where the record starts (a quoted field may span lines)
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield RowError(line, f"not readable as CSV: {exc}")
            continue
        if not any(cell.strip() for cell in record):
            continue  # blank lines are not rows
        if len(record) < width:
            record = record + [""] * (width - len(record))
        try:
            yield _parse_row(line, record, columns, now, languages)
        except ValueError as exc:
            yield RowError(line, str(exc))


def _read_header(reader) -> dict[str, int]:
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRefused(_("The file is empty.")) from None
    except csv.Error as exc:
        raise ImportRefused(_("The file is not readable as CSV: %(error)s", error=exc)) from None
    names = [cell.strip().lstrip("\ufeff").lower().replace(" ", "_") for cell in header]
    if "email" not in names:
        raise ImportRefused(_(
            "The first line must name the columns, and one of them must be 'email' "
            "(found: %(found)s).", found=", ".join(repr(n) for n in names) or _("nothing")
        ))
    wanted = ("email", "name", "status", "consent_date", "language")
    return {name: names.index(name) for name in wanted if name in names}


def _parse_row(line: int, record: list[str], columns: dict[str, int], now,
               languages: frozenset[str]) -> ImportRow:
    def cell(column: str) -> str:
        return record[columns[column]].strip() if column in columns else ""

    if UNREADABLE in "".join(record):
        raise ValueError(_("not valid UTF-8 (save the file as UTF-8 and import it again)"))
    try:
        email, key = normalise_address_quickly(cell("email"))
    except InvalidAddress as exc:
        raise ValueError(_("email: %(error)s", error=exc)) from None
    return ImportRow(
        line=line,
        email=email,
        email_key=key,
        name=_check_name(cell("name")),
        status=_check_status(cell("status")),
        consent_date=_check_date(cell("consent_date"), now),
        language=_check_language(cell("language"), languages),
    )


def _check_language(code: str, languages: frozenset[str]) -> str | None:
    code = code.lower()
    if code and code not in languages:
        raise ValueError(_("language: %(code)r is not one of %(offered)s", code=code,
                           offered=", ".join(sorted(languages))))
    return code or None


def _check_name(name: str) -> str:
    if NOT_IN_A_NAME.search(name):
        raise ValueError(_("name: must be on one line, without control characters"))
    if len(name) > NAME_MAX:
        raise ValueError(_("name: longer than %(max)s characters", max=NAME_MAX))
    return name


def _check_status(status: str) -> str | None:
    status = status.lower()
    if status and status not in STATUSES:
        raise ValueError(_("status: %(status)r is not one of %(choices)s", status=status,
                           choices=", ".join(sorted(STATUSES))))
    return status or None


def _check_date(text: str, now: datetime) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            _("consent_date: %(text)r is not a date like 2024-05-31", text=text)) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment > now:
        raise ValueError(_("consent_date: %(text)r is in the future", text=text))
    return moment.astimezone(UTC)
