"""What the receiver needs from a raw message, read defensively: inbound mail is hostile
input, so nothing here raises; a header that cannot be read counts as absent."""

import email
import re
from dataclasses import dataclass, field
from email.message import Message
from email.policy import compat32
from email.utils import getaddresses

from listserve.inbound.bounces import _clean as clean_header
from listserve.inbound.bounces import is_bounce

# Local parts that belong to robots: never answer them (RFC 3834 §2, Mailman's list).
ROBOT_RE = re.compile(
    r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?|owner-.*|.*-(request|owner|"
    r"bounces|confirm))(\+.*)?$",
    re.I,
)
MESSAGE_ID_RE = re.compile(r"<([^<>\s]{1,250})>")
COMMAND_WORDS = {
    "join": "join",
    "subscribe": "join",
    "leave": "leave",
    "unsubscribe": "leave",
    "remove": "leave",
    "signoff": "leave",
    "help": "help",
}
MAX_COMMAND_LINES = 5


@dataclass(frozen=True)
class Incoming:
    envelope_from: str
    sender: str = ""  # the From address as written ("" when there is none we can read)
    sender_name: str = ""
    subject: str = ""
    message_id: str = ""
    references: list[str] = field(default_factory=list)  # In-Reply-To first, then References
    no_reply_reason: str | None = None  # set when answering could start a mail loop
    is_bounce: bool = False  # looks like a delivery report, whether or not we can read it
    command_lines: list[str] = field(default_factory=list)  # subject, then the body's first lines
    # The languages the sender wrote in or asked for (Content-Language, then Accept-Language;
    # RFC 3282), as lower-case primary tags in order: "es-MX, en" gives ["es", "en"].
    languages: list[str] = field(default_factory=list)

    @property
    def command(self) -> str | None:
        """join, leave or help: the first command word found in the subject or body."""
        for line in self.command_lines:
            words = line.split()
            if words and words[0].lower() in COMMAND_WORDS:
                return COMMAND_WORDS[words[0].lower()]
        return None


def read_message(raw: bytes, envelope_from: str, own_domains: set[str]) -> Incoming:
    try:
        msg = email.message_from_bytes(raw, policy=compat32)
        name, address = _from_address(msg)
        subject = clean_header(msg.get("Subject", ""))[:300]
        return Incoming(
            envelope_from=envelope_from,
            sender=address,
            sender_name=name,
            subject=subject,
            message_id=next(iter(_message_ids(msg, "Message-ID")), ""),
            references=_message_ids(msg, "In-Reply-To") + _message_ids(msg, "References"),
            no_reply_reason=no_reply_reason(msg, envelope_from, address, own_domains),
            is_bounce=is_bounce(msg),
            command_lines=[_strip_reply_prefix(subject)] + _first_body_lines(msg),
            languages=_languages(msg),
        )
    except Exception:  # a message we cannot read at all is kept, never answered
        return Incoming(envelope_from=envelope_from, no_reply_reason="unreadable message")


def _languages(msg: Message) -> list[str]:
    found = []
    for name in ("Content-Language", "Accept-Language"):
        for part in clean_header(msg.get(name, ""))[:200].split(","):
            tag = part.split(";")[0].strip().split("-")[0].lower()
            if tag.isalpha() and tag not in found:
                found.append(tag)
    return found


def no_reply_reason(msg: Message, envelope_from: str, sender: str, own: set[str]) -> str | None:
    """Why answering this message could start a loop or spray mail; None when it is safe."""
    auto = clean_header(msg.get("Auto-Submitted", "")).lower()
    if auto and not auto.startswith("no"):
        return f"Auto-Submitted: {auto[:40]}"
    if envelope_from.strip() in ("", "<>"):
        return "null envelope sender (bounce or auto-reply)"
    if is_bounce(msg):
        return "a delivery report"
    if any(msg.get(name) for name in ("List-Id", "List-Unsubscribe", "List-Post")):
        return "mail from a mailing list"
    if clean_header(msg.get("Precedence", "")).lower() in ("bulk", "list", "junk"):
        return "bulk mail"
    suppress = clean_header(msg.get("X-Auto-Response-Suppress", "")).lower()
    if any(word in suppress for word in ("all", "autoreply", "oof")):
        return "asks for no automatic answer"
    if msg.get("X-Autoreply") or msg.get("X-Autorespond"):
        return "an auto-reply"
    for address in (sender, envelope_from):
        local, _, domain = address.strip("<>").rpartition("@")
        if ROBOT_RE.match(local):
            return "sent from a robot address"
        if domain.lower() in own:
            return "sent from our own domain"
    if not sender:
        return "no readable From address"
    return None


def _from_address(msg: Message) -> tuple[str, str]:
    found = [(n, a) for n, a in getaddresses([clean_header(msg.get("From", ""))]) if "@" in a]
    if not found:
        return "", ""
    name, address = found[0]
    return " ".join(name.split())[:200], address.strip()[:320]


def _message_ids(msg: Message, name: str) -> list[str]:
    return MESSAGE_ID_RE.findall(clean_header(msg.get(name, "")))[:20]


def _strip_reply_prefix(subject: str) -> str:
    return re.sub(r"^(\s*(re|fwd?|aw|sv|tr)\s*:\s*)+", "", subject, flags=re.I)


def _first_body_lines(msg: Message) -> list[str]:
    """The first few lines someone typed: no quotes, nothing after a signature."""
    part = next((p for p in msg.walk() if p.get_content_type() == "text/plain"), None)
    if part is None or part.is_multipart():
        return []
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return []
    try:
        text = data[:8192].decode(part.get_content_charset() or "utf-8", "replace")
    except LookupError:
        text = data[:8192].decode("utf-8", "replace")
    lines = []
    for line in text.splitlines():
        if line.rstrip() == "--":
            break
        if line.strip() and not line.lstrip().startswith(">"):
            lines.append(line.strip()[:200])
        if len(lines) == MAX_COMMAND_LINES:
            break
    return lines
