"""Old archives into a list's archive: an mbox (a Mailman 3 / HyperKitty export) or Mailman 2
pipermail monthly files (.txt, .txt.gz, addresses written "ann at example.org").

Messages are split at "From " lines that follow a blank line, decoded (RFC 2047 headers,
quoted-printable and base64 bodies, charset labels), and inserted in batches; threads are
rebuilt from In-Reply-To / References, falling back to the subject. A message whose Message-ID
the list's archive (or the file, earlier) already holds is skipped, so importing a file again
changes nothing; a message without one gets one made from its bytes. A message that cannot be
read is counted and reported by its position, never stopping the import.

Speed (issue 24): the common shapes (one part; multiparts, nested too, whose header blocks,
boundaries and parameters are plain) are cut up and read here as email's compat32 parser
would read them, and their parts decoded by the same email code; anything unusual goes to the
parser. tests/discussion/test_import_fast_paths.py reads generated messages both ways.
"""

import gc
import gzip
import hashlib
import quopri
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from email.policy import compat32
from email.utils import collapse_rfc2231_value, getaddresses, parsedate_to_datetime, unquote

import sqlalchemy as sa

from listserve.archive.import_writer import BatchWriter, reserve_post_ids
from listserve.archive.message_text import Attachment, archive_html, html_to_text
from listserve.archive.models import Post
from listserve.archive.services import slugify
from listserve.archive.threads import base_subject
from listserve.extensions import db

MSGID_RE = re.compile(r"<([^<>\s]+)>")
PIPERMAIL_AT = re.compile(r"^\s*(\S+) at (\S+)\s*(?:\((.*)\))?\s*$")
BATCH = 1000
_NAME = r"[\x21-\x39\x3b-\x7e]+"  # what the compat32 parser takes as a header's name
HEADER_BLOCK = re.compile(rf"{_NAME}:[^\n]*(?:\n(?:{_NAME}:|[ \t])[^\n]*)*")  # folded lines too
HEADER_FIELD = re.compile(rf"^({_NAME}):[ \t]*([^\n]*(?:\n[ \t][^\n]*)*)", re.MULTILINE)
_ATOM = r"[^\s<>()\[\]\\,;:@\".]"
_LOCAL_DOMAIN = rf"{_ATOM}+(?:\.{_ATOM}+)*@{_ATOM}+(?:\.{_ATOM}+)+"
PLAIN_ADDRESS = re.compile(_LOCAL_DOMAIN)
NAMED_ADDRESS = re.compile(rf'(?:"([^"\\]*)"|([\w !#$%&\'*+/=?^`{{|}}~-]*?))\s*<({_LOCAL_DOMAIN})>')
MONTHS = {name: n for n, name in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)}
RFC_DATE = re.compile(r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(\d\d?) "
                      rf"({'|'.join(MONTHS)}) ([1-9]\d\d\d) "
                      r"(\d\d):(\d\d):(\d\d) ([+-]\d{4})", re.ASCII)
CHARSET_PARAM = re.compile(r';\s*charset\s*=\s*"?([^";\s]+)"?', re.IGNORECASE)


@dataclass
class ImportReport:
    imported: int = 0
    duplicates: int = 0
    malformed: list[tuple[int, str]] = field(default_factory=list)  # (position, why)
    threads: int = 0

    @property
    def seen(self) -> int:
        return self.imported + self.duplicates + len(self.malformed)


@dataclass
class Parsed:
    message_id: str
    references: list[str]  # In-Reply-To first, then References oldest first
    subject: str
    author_name: str
    author_email: str
    date: datetime
    text: str
    attachments: list[Attachment]


def read_file(path: str) -> bytes:
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as handle:
        return handle.read()


def split_mbox(data: bytes) -> Iterator[tuple[int, bytes, bytes]]:
    """(position from 1, its "From " line, the message) for each message of an mbox."""
    data = data.replace(b"\r\n", b"\n")
    starts = []  # (where a "From " line starts, where it ends past its newline)
    blank = -2 if data[:5] == b"From " else data.find(b"\n\nFrom ")  # the blank line before
    while blank != -1:
        end = data.find(b"\n", blank + 2)
        if end < 0:
            break  # a last "From " line without its newline is not one
        starts.append((blank + 2, end + 1))
        blank = data.find(b"\n\nFrom ", end)
    for n, (at, end) in enumerate(starts, 1):
        body = data[end:starts[n][0] if n < len(starts) else len(data)]
        if body.startswith(b">From ") or b"\n>From " in body:  # mboxo/mboxrd quoting
            body = re.sub(rb"(?m)^>(>*From )", rb"\1", body)
        yield n, data[at:end], body


def _header(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str) and "=?" not in value:  # nothing encoded (most headers)
        return " ".join(value.split()).replace("\0", "")
    try:
        text = str(make_header(decode_header(str(value))))
    except (LookupError, UnicodeError, ValueError, TypeError):
        text = str(value)
    return " ".join(text.split()).replace("\0", "")


def _ids(value) -> list[str]:
    return MSGID_RE.findall(str(value or ""))  # a Header when the value has 8-bit bytes


def _decode(part) -> str:
    payload = part.get_payload(decode=True) or b""
    charset = _charset(part) or "utf-8"
    try:
        return payload.decode(charset, "replace")
    except LookupError:
        return payload.decode("utf-8", "replace")


def parse_message(raw: bytes, from_line: bytes) -> Parsed:
    """One message of the archive, decoded; raises ValueError when it cannot be read."""
    head, _, body = raw.partition(b"\n\n")
    headers = _simple_headers(head)
    if headers is not None and _is_plain_text(headers):
        # Most messages of an archive are one plain-text part with ASCII headers: read here,
        # as the parser would read them, at a fraction of its cost (issue 24's import bench).
        get, text, attachments = headers.get, _plain_text(headers, body), []
    else:
        parts = _parts(headers, body) if headers is not None else None
        if parts is not None:  # the common shapes, cut up here as the parser would cut them
            get = headers.get
        else:
            msg = _parsed(raw, head, body, whole=headers is not None and headers.get(
                "content-type", "").lstrip()[:10].lower() == "multipart/")
            get = msg.get
            parts = [part for part in msg.walk() if not part.is_multipart()]
        text, attachments = _text_and_attachments(parts)
    if get("from") is None and get("date") is None:
        raise ValueError("no message headers")
    author = _header(get("from"))
    pipermail = PIPERMAIL_AT.match(author) if "@" not in author else None
    if pipermail:  # Mailman 2's "ann at example.org (Ann)"
        name, address = pipermail.group(3) or "", f"{pipermail.group(1)}@{pipermail.group(2)}"
    else:
        name, address = _address(author)
    references = _ids(get("in-reply-to", ""))[:1] + _ids(get("references", ""))
    message_id = next(iter(_ids(get("message-id", ""))), "") or (
        hashlib.sha256(raw).hexdigest()[:40] + "@imported.invalid")
    return Parsed(message_id[:250], references, _header(get("subject"))[:998] or
                  "(no subject)", name[:200], address[:320], _date(get("date"), from_line),
                  text.replace("\r\n", "\n").strip() + "\n", attachments)


def _parsed(raw: bytes, head: bytes, body: bytes, whole: bool = False):
    """The message through the email package; raises ValueError when it has no headers."""
    # Only the header block goes through the parser when the message is one part (the parser
    # would read the body line by line); multipart ones, and any it finds fault with, whole.
    msg = None if whole else message_from_bytes(head + b"\n\n", policy=compat32)
    if msg is None or msg.get_content_maintype() == "multipart" or msg.defects:
        msg = message_from_bytes(raw, policy=compat32)
    else:
        msg.set_payload(body.decode("ascii", "surrogateescape"))
    if not msg.keys():
        raise ValueError("no message headers")
    return msg


def _parts(headers: dict[str, str], body: bytes) -> list[Message] | None:
    """The parts (multipart containers left out) of a message whose header block
    _simple_headers read, made as email's compat32 parser would make them but without its
    line-by-line walk: one part, or a multipart (nested too) whose boundaries and parts' header
    blocks are all plain. None for anything else (message/* parts, digests, a missing or
    doubled boundary, a part without its blank line, non-ASCII or CR in a part's headers...):
    the parser reads those."""
    if b"\r" in body:  # the parser breaks lines at a lone CR too
        return None
    top = _part(headers)
    text = body.decode("ascii", "surrogateescape")  # as email's BytesParser decodes
    kind = top.get_content_maintype()
    if kind == "message":
        return None
    if kind != "multipart":
        top._payload = text
        return [top]
    parts: list[Message] = []
    return parts if _cut(top, text, parts) else None


def _part(headers: dict[str, str]) -> Message:
    part = Message(compat32)
    part._headers = list(headers.items())  # first values only: all that get() ever returns
    return part


def _cut(container: Message, text: str, parts: list[Message]) -> bool:
    """Append the parts of the multipart `container`, whose body is `text`, to `parts`;
    False when the parser might read it otherwise."""
    boundary = _boundary(container)
    if (not boundary or "\n" in boundary or container.get_content_subtype() == "digest"
            or str(container.get("content-transfer-encoding", "8bit")).lower()
            not in ("7bit", "8bit", "binary")):
        return False
    # Its boundary lines: "--" and the boundary at a line's start, then "--" on the last one,
    # then nothing but spaces or tabs (the parser's pattern). The rest after the last is the
    # epilogue.
    text = "\n" + text
    marker = "\n--" + boundary
    lines: list[tuple[int, int, bool]] = []  # (start, end past its newline, is the last)
    at = text.find(marker)
    while at >= 0:
        end = text.find("\n", at + 1)
        end = len(text) if end < 0 else end
        tail = text[at + len(marker):end]
        if not tail.strip(" \t"):
            lines.append((at + 1, end + 1, False))
        elif tail[:2] == "--" and not tail[2:].strip(" \t"):
            lines.append((at + 1, end + 1, True))
            break
        at = text.find(marker, end)
    if len(lines) < 2 or lines[0][2] or not lines[-1][2]:
        return False  # no first boundary or no last one: the parser notes a defect
    for (_, start, _), (end, _, _) in zip(lines, lines[1:], strict=False):
        region = text[start:end]  # ends with the newline that belongs to the next boundary
        if region[:1] == "\n":
            block, body = "", region[1:]
        else:
            block, blank, body = region.partition("\n\n")
            if not blank:
                return False  # no blank line after its headers, or two boundaries in a row
        fields = _fields(block) if block else {}
        if fields is None:
            return False
        part = _part(fields)
        kind = part.get_content_maintype()
        if kind == "multipart":
            if not _cut(part, body, parts):
                return False
        elif kind == "message":
            return False
        else:
            part._payload = body[:-1] if body[-1:] == "\n" else body
            parts.append(part)
    return True


_MISSING = object()


def _param(part: Message, header: str, name: str):
    """part.get_param(name, _MISSING, header): for the plain forms of a header (no RFC 2231,
    no backslash, quotes only around a whole value) read here, for the rest by the method."""
    value = part.get(header)
    if value is None:
        return _MISSING
    if not isinstance(value, str) or "\\" in value or "*" in value:
        return part.get_param(name, _MISSING, header)
    found = _MISSING
    for element in value.split(";"):
        key, _, given = element.partition("=")
        given = given.strip()
        if '"' in element and (element.count('"') != 2 or '"' in key or len(given) < 2
                               or given[0] != '"' or given[-1] != '"'):
            return part.get_param(name, _MISSING, header)
        if found is _MISSING and key.strip().lower() == name:
            found = unquote(given)
    return found


def _filename(part: Message) -> str | None:
    """part.get_filename()"""
    filename = _param(part, "content-disposition", "filename")
    if filename is _MISSING:
        filename = _param(part, "content-type", "name")
    return None if filename is _MISSING else collapse_rfc2231_value(filename).strip()


def _boundary(part: Message) -> str | None:
    """part.get_boundary()"""
    boundary = _param(part, "content-type", "boundary")
    return None if boundary is _MISSING else collapse_rfc2231_value(boundary).rstrip()


def _charset(part: Message) -> str | None:
    """part.get_content_charset()"""
    charset = _param(part, "content-type", "charset")
    if charset is _MISSING:
        return None
    if isinstance(charset, tuple):
        return part.get_content_charset()
    return charset.lower() if charset.isascii() else None


def _text_and_attachments(parts) -> tuple[str, list[Attachment]]:
    """The text and the attachments of a message's parts (multipart containers left out)."""
    text, html, attachments = "", "", []
    for part in parts:
        ctype = part.get_content_type()
        # str(): a header with 8-bit bytes comes back as a Header (its bytes replaced by U+FFFD)
        disposition = str(part.get("Content-Disposition", ""))
        filename = _filename(part) if disposition or "name=" in str(part.get(
            "Content-Type", "")) else None
        if filename or disposition.lower().startswith("attachment"):
            attachments.append(Attachment(_header(filename or "unnamed"), ctype,
                                          len(part.get_payload(decode=True) or b"")))
        elif ctype == "text/plain" and not text:
            text = _decode(part)
        elif ctype == "text/html" and not html:
            html = _decode(part)
    if not text and html:
        text = html_to_text(html)
    return text, attachments


def _simple_headers(head: bytes) -> dict[str, str] | None:
    """{lower-case name: its first value} of an ASCII header block, values as the compat32
    parser gives them (folded lines kept); None when anything is unusual, for the parser."""
    return _fields(head.decode("ascii")) if head.isascii() else None


def _fields(block: str) -> dict[str, str] | None:
    """_simple_headers of a header block already decoded."""
    if not block.isascii() or "\r" in block or not HEADER_BLOCK.fullmatch(block):
        return None  # (the parser breaks lines at a lone CR too)
    # Reversed, so that the first of a repeated header is the one kept.
    return {name.lower(): value for name, value in reversed(HEADER_FIELD.findall(block))}


def _is_plain_text(headers: dict[str, str]) -> bool:
    """One text/plain part, no attachment, in an encoding read here."""
    content_type = headers.get("content-type", "")
    kind = content_type.split(";", 1)[0].strip().lower()
    return (kind in ("", "text/plain") or kind.count("/") != 1) and "name=" not in content_type \
        and "content-disposition" not in headers \
        and headers.get("content-transfer-encoding", "").lower() in ("", "7bit", "8bit",
                                                                   "quoted-printable")


def _plain_text(headers: dict[str, str], body: bytes) -> str:
    if headers.get("content-transfer-encoding", "").lower() == "quoted-printable":
        body = quopri.decodestring(body)
    charset = CHARSET_PARAM.search(headers.get("content-type", ""))
    try:
        return body.decode(charset.group(1).lower() if charset else "utf-8", "replace")
    except LookupError:
        return body.decode("utf-8", "replace")


def _address(author: str) -> tuple[str, str]:
    """(name, address) of a From: the two common forms read here, the rest by the email package."""
    named = NAMED_ADDRESS.fullmatch(author)
    if named:
        return named.group(1) if named.group(1) is not None else named.group(2) or "", \
            named.group(3)
    if PLAIN_ADDRESS.fullmatch(author):
        return "", author
    return (getaddresses([author]) or [("", "")])[0]


def _date(value, from_line: bytes) -> datetime:
    if isinstance(value, str):  # most Date: headers are RFC 5322's form, read here
        match = RFC_DATE.fullmatch(value)
        if match:
            day, month, year, hour, minute, second, zone = match.groups()
            offset = int(zone[1:3]) * 3600 + int(zone[3:]) * 60
            try:  # as parsedate_to_datetime makes it, and fails (a 31 April, a zone of +2400)
                return datetime(int(year), MONTHS[month], int(day), int(hour), int(minute),
                                int(second), tzinfo=timezone(timedelta(
                                    seconds=-offset if zone[0] == "-" else offset))
                                ).astimezone(UTC)
            except ValueError:
                pass  # read as below, to the same end
    return date_by_email_package(value, from_line) or datetime.now(UTC)


def date_by_email_package(value, from_line: bytes) -> datetime | None:
    """The Date header read by the email package, else the mbox From line's date; None when
    neither can be read. What _date's pattern must agree with (tests compare the two)."""
    for candidate in (value, from_line.decode("latin-1")[5:].split(" ", 1)[-1].strip()):
        try:
            when = parsedate_to_datetime(str(candidate))
        except (TypeError, ValueError, IndexError):
            continue
        if when is not None:
            return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)
    return None


def import_mbox(data: bytes, list_id: int, progress: Callable[[int], None] | None = None,
                commit: bool = True) -> ImportReport:
    """Import every message of `data` into the list's archive (commits per batch)."""
    report = ImportReport()
    if commit:
        db.session.commit()
    # Each full collection of the garbage collector would walk every object the process had
    # before the import (the app's and its modules': 160,000 objects, 80 ms a time in the
    # bench); frozen, they are left out until the import ends.
    gc.freeze()
    try:
        return _import(data, list_id, progress, commit, report)
    finally:
        gc.unfreeze()


def _import(data, list_id, progress, commit, report) -> ImportReport:
    writer = BatchWriter(commit)
    try:
        known = dict(db.session.execute(
            sa.select(Post.message_id, Post.thread_id).where(Post.list_id == list_id,
                                                             Post.message_id.isnot(None))).all())
        threads_by_subject = {}
        taken = set(db.session.execute(sa.select(Post.year, Post.slug)).all())
        batch: list[Parsed] = []
        for position, from_line, raw in split_mbox(data):
            try:
                parsed = parse_message(raw, from_line)
            except Exception as exc:  # any message we cannot read is reported, never fatal
                report.malformed.append((position, f"{type(exc).__name__}: {exc}"[:200]))
                continue
            if parsed.message_id in known:
                report.duplicates += 1
                continue
            known[parsed.message_id] = None
            batch.append(parsed)
            if progress:
                progress(position)
            if len(batch) >= BATCH:
                writer.write(_rows(batch, list_id, known, threads_by_subject, taken, report))
                batch = []
        writer.write(_rows(batch, list_id, known, threads_by_subject, taken, report))
    except BaseException:
        writer.abandon()
        raise
    writer.finish()
    return report


def _rows(batch, list_id, known, threads_by_subject, taken, report) -> list[dict]:
    """The batch's rows, each with its id and thread (the map of threads kept up to date)."""
    if not batch:
        return []
    batch.sort(key=lambda p: p.date)
    rows = []
    for parsed, post_id in zip(batch, reserve_post_ids(len(batch)), strict=True):
        refs = parsed.references
        thread = next((known[r] for r in refs[:1] + refs[1:][::-1] if known.get(r)), None)
        subject_key = base_subject(parsed.subject)
        if thread is None and subject_key != parsed.subject.strip().lower():
            thread = threads_by_subject.get(subject_key)
        if thread is None:
            thread = post_id
            report.threads += 1
        threads_by_subject.setdefault(subject_key, thread)
        known[parsed.message_id] = thread
        base = slugify(parsed.subject)
        slug, n = base, 1
        while (parsed.date.year, slug) in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add((parsed.date.year, slug))
        rows.append({
            "id": post_id, "thread_id": thread,
            "year": parsed.date.year, "slug": slug, "subject": parsed.subject,
            "body_markdown": parsed.text, "body_html": archive_html(parsed.text,
                                                                    parsed.attachments),
            "published_at": parsed.date, "list_id": list_id,
            "message_id": parsed.message_id,
            "in_reply_to": refs[0][:250] if refs else None,
            "references": " ".join(f"<{r}>" for r in refs[1:])[:20000] or None,
            "author_name": parsed.author_name, "author_email": parsed.author_email,
        })
    report.imported += len(batch)
    return rows
