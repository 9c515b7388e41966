"""Turn a raw bounce message into the failures it reports (pure: no Flask, no database).

RFC 3464 reports are read from their message/delivery-status part; common non-standard
formats (Exim and qmail classic text, old Gmail, Microsoft NDR text) by their wording.
Inbound mail is hostile input, so nothing here raises: what cannot be read yields [].
compat32 is used on purpose: its headers stay plain strings, while the modern policy's
header parser has raised on odd input in the past.
"""

from __future__ import annotations

import email
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.header import decode_header
from email.message import Message
from email.policy import compat32
from email.utils import collapse_rfc2231_value

__all__ = ["BounceReport", "is_bounce", "parse_bounce"]

DIAGNOSTIC_LIMIT = 500


@dataclass(frozen=True)
class BounceReport:
    recipient: str | None  # failed final recipient, lower-cased, bare address
    kind: str  # "permanent" or "temporary"
    status: str | None  # enhanced status code such as "5.1.1", when known
    diagnostic: str | None  # remote server's text, one line, at most 500 chars


# message/global-delivery-status is RFC 6533's UTF-8 variant of the same thing.
_DSN_TYPES = {"message/delivery-status", "message/global-delivery-status"}
_RECIPIENT_FIELDS = ("Final-Recipient", "Original-Recipient", "Action", "Status")
_NOT_FAILURES = {"delivered", "relayed", "expanded"}

# Look-arounds keep IP addresses ("10.5.0.2") and version numbers from passing as codes.
_STATUS_RE = re.compile(r"(?<![\w.])[245]\.\d{1,3}\.\d{1,3}(?!\.?\d)")
_REPLY_RE = re.compile(r"(?<![\w.])[45]\d\d(?=[ -])")  # a failure reply such as "550 ..."
_TYPE_PREFIX_RE = re.compile(r"^\s*[\w.+-]+\s*;\s*")
# Split, not searched for: a search for "x+@x+" is quadratic on a long value without "@".
_ADDR_SEPARATORS_RE = re.compile(r"[\s<>;,\"()\[\]]+")

# A bounce needs both signs: auto-replies also come from the null sender.
_DAEMON_RE = re.compile(r"(?:^|[\s<])(?:mail(?:er)?[-_]?daemon|postmaster)(?:@|>|\s*$)", re.I)
_SUBJECT_RE = re.compile(
    r"^\s*(?:undeliver|undelivered|non-?deliver|returned mail|failure notice|delayed mail"
    r"|warning: message|delivery (?:status|failure|failed|has failed|notification|report)"
    r"|mail delivery (?:failed|failure|system)|mail system error)",
    re.I,
)

# (wording that opens the list of failed addresses, kind when no status code says otherwise)
_TEXT_FORMATS = (
    (r"could not be delivered to one or more of its\s+recipients", "permanent"),  # Exim
    (r"has not yet been delivered to one or more of its\s+recipients", "temporary"),  # Exim
    (r"This is the qmail-send program", "permanent"),
    (r"Delivery to the following recipients? failed permanently", "permanent"),  # old Gmail
    (r"Delivery to the following recipients? has been delayed", "temporary"),  # old Gmail
    (r"Delivery has failed to these recipients or groups", "permanent"),  # Microsoft
)
# Where the returned copy of the original starts; its headers hold addresses that did not fail.
_RETURNED_COPY_RE = re.compile(
    r"^[ \t]*(?:-+[ \t]*)?(?:This is a copy of the message"
    r"|Below this line is a copy of the message|Original message\b)",
    re.I | re.M,
)
# A line holding nothing but an address: "  a@b", "<a@b>:", "a@b<mailto:a@b>".
_ADDRESS_LINE_RE = re.compile(
    r"^[ \t]*<?([^\s<>@]+@[^\s<>@:]+?)>?:?[ \t]*(?:<mailto:[^>\s]*>)?[ \t]*$"
)


def parse_bounce(raw: bytes) -> list[BounceReport]:
    """Return the failures a bounce message reports; [] when it is not a bounce.

    Also [] for a bounce in a format this module does not know; is_bounce()
    tells those apart from ordinary mail. Never raises on malformed input.
    """
    try:
        msg = email.message_from_bytes(raw, policy=compat32)
        reports = _dsn_reports(msg)
        if reports is not None:
            return reports
        if is_bounce(msg):
            return _text_reports(_plain_text(msg))
        return []
    except Exception:  # hostile input must never take the mail receiver down
        return []


def is_bounce(msg: Message) -> bool:
    """Cheap check: an RFC 3464 report, or a daemon/null sender with a bounce subject."""
    try:
        if msg.get_content_type() == "multipart/report":
            report_type = collapse_rfc2231_value(msg.get_param("report-type", ""))
            if str(report_type).strip().lower() == "delivery-status":
                return True
        senders = [_clean(msg.get(name, "")) for name in ("Return-Path", "From")]
        daemon = senders[0].replace(" ", "") == "<>" or any(map(_DAEMON_RE.search, senders))
        return daemon and bool(_SUBJECT_RE.search(_clean(msg.get("Subject", ""))))
    except Exception:
        return False


# --- RFC 3464 ---------------------------------------------------------------


def _dsn_reports(msg: Message) -> list[BounceReport] | None:
    """Failures from delivery-status parts; None when there are no recipient blocks to read."""
    blocks = [b for part in _parts(msg) if part.get_content_type() in _DSN_TYPES
              for b in _dsn_blocks(part)]
    blocks = [b for b in blocks if any(b.get(name) for name in _RECIPIENT_FIELDS)]
    if not blocks:
        return None  # a garbled report may still carry a readable human part
    return [report for report in map(_dsn_report, blocks) if report is not None]


def _dsn_blocks(part: Message) -> list[Message]:
    blocks = []
    for block in (b for b in part.get_payload() if isinstance(b, Message)):
        blocks.append(block)
        rest = block.get_payload()
        # The parser splits only message/delivery-status into blocks; the RFC 6533
        # global variant arrives as one message whose "body" holds the other blocks.
        if isinstance(rest, str) and rest.strip():
            blocks.extend(_split_blocks(_decoded_text(block)))
    return blocks


def _split_blocks(text: str) -> list[Message]:
    chunks = re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n"))
    return [email.message_from_string(c, policy=compat32) for c in chunks if c.strip()]


def _dsn_report(block: Message) -> BounceReport | None:
    action = re.match(r"[a-z]*", _clean(block.get("Action", "")).lower()).group(0)
    diagnostic = _typed_field(block, "Diagnostic-Code")[:DIAGNOSTIC_LIMIT] or None
    status = _first(_STATUS_RE, _clean(block.get("Status", ""))) or _first(_STATUS_RE, diagnostic)
    kind = _kind(action, status or _first(_REPLY_RE, diagnostic))
    if kind is None:
        return None
    recipient = _address(_typed_field(block, "Final-Recipient")) or _address(
        _typed_field(block, "Original-Recipient")
    )
    return BounceReport(recipient, kind, status, diagnostic)


def _kind(action: str, code: str | None) -> str | None:
    """Kind from the Action field and the first digit of a status or reply code."""
    if action in _NOT_FAILURES:
        return None
    if action == "delayed" or (code or "").startswith("4"):
        return "temporary"
    # "failed" is final even without a code; a lone 2.x.x block is not a failure.
    if action == "failed" or (code or "").startswith("5"):
        return "permanent"
    return None


# --- non-standard text bounces ---------------------------------------------


def _text_reports(text: str) -> list[BounceReport]:
    for pattern, default_kind in _TEXT_FORMATS:
        found = re.search(pattern, text, re.I)
        if found:
            body = text[found.end():]
            cut = _RETURNED_COPY_RE.search(body)
            blocks = _address_blocks(body[: cut.start()] if cut else body)
            return [_text_report(addr, lines, default_kind) for addr, lines in blocks.items()]
    return []


def _address_blocks(body: str) -> dict[str, list[str]]:
    """Map each address-only line to the lines after it; repeats (Microsoft) are merged."""
    blocks: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in body.splitlines():
        match = _ADDRESS_LINE_RE.match(line)
        if match:
            current = blocks.setdefault(match.group(1).lower().rstrip("."), [])
        elif current is not None:
            current.append(line)
    return blocks


def _text_report(address: str, lines: list[str], default_kind: str) -> BounceReport:
    diagnostic = _smtp_reply(lines) or _limit(next((ln for ln in lines if ln.strip()), ""))
    status = _first(_STATUS_RE, diagnostic) or _first(_STATUS_RE, "\n".join(lines))
    kind = _kind("", status) or default_kind
    return BounceReport(address, kind, status, diagnostic)


def _smtp_reply(lines: list[str]) -> str | None:
    """The first SMTP reply in the lines, with its multi-line continuations ("550-...")."""
    for index, line in enumerate(lines):
        match = _REPLY_RE.search(line)
        if match:
            code = match.group(0)
            parts = [line[match.start():]]
            for more in lines[index + 1:]:
                if not more.strip().startswith(code):
                    break
                parts.append(more)
            return _limit(" ".join(parts).strip(" '\"#"))
    return None


# --- small helpers ------------------------------------------------------------


def _parts(msg: Message) -> Iterator[Message]:
    """The MIME tree in order, skipping attached messages: a returned original is not the report."""
    stack = [msg]
    while stack:
        part = stack.pop()
        yield part
        payload = part.get_payload()
        if part.get_content_maintype() == "multipart" and isinstance(payload, list):
            stack.extend(reversed([p for p in payload if isinstance(p, Message)]))


def _plain_text(msg: Message) -> str:
    part = next((p for p in _parts(msg) if p.get_content_type() == "text/plain"), None)
    return _decoded_text(part).replace("\r\n", "\n") if part is not None else ""


def _decoded_text(part: Message) -> str:
    data = part.get_payload(decode=True)
    return _to_text(data, part.get_content_charset()) if isinstance(data, bytes) else ""


def _clean(value: object) -> str:
    """A header value as one line of text: RFC 2047 words decoded, raw 8-bit read as UTF-8."""
    try:
        # decode_header() hands back the original bytes of compat32's unknown-8bit headers.
        text = "".join(_to_text(data, charset) for data, charset in decode_header(value))
    except (HeaderParseError, LookupError, TypeError, ValueError):  # best effort
        text = str(value) if value is not None else ""
    try:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return " ".join(text.split())


def _to_text(data: bytes | str, charset: str | None) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode(charset or "utf-8", "replace")
    except (LookupError, ValueError):  # unknown or non-text charset name
        return data.decode("utf-8", "replace")


def _limit(text: str) -> str | None:
    return " ".join(text.split())[:DIAGNOSTIC_LIMIT] or None


def _typed_field(block: Message, name: str) -> str:
    """A DSN field without its type prefix ("rfc822;", "smtp;", "X-Postfix;")."""
    return _TYPE_PREFIX_RE.sub("", _clean(block.get(name, "")), count=1)


def _address(text: str) -> str | None:
    tokens = _ADDR_SEPARATORS_RE.split(text)
    return next((t.lower().rstrip(".") for t in tokens if "@" in t[1:-1]), None)


def _first(pattern: re.Pattern[str], text: str | None) -> str | None:
    match = pattern.search(text or "")
    return match.group(0) if match else None
