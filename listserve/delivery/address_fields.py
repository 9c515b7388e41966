"""Header fields that name people: From, To, Reply-To (and the phrase of List-Id).

Written here word by word rather than by the email package's folder, which re-encodes a display
name one word at a time: only the words with non-ASCII letters become encoded words, the rest
stay plain text, so the name 'Bcc: Bcc: news é:' came out as
`To: Bcc: Bcc: news =?utf-8?b?w6k6?= <ann@example.net>`, which every reader parses as an
empty group called "Bcc" and no address at all.

A name is written whole, in one of three ways:
* words of letters and digits, as they are;
* other printable ASCII that fits on the line, as one quoted string (unless it holds "=?");
* anything else as RFC 2047 encoded words (UTF-8, base64): each one an atom, whatever the name
  holds (colons, quotes, commas, "=?", angle brackets), and decoded back to exactly the name.
"""

import base64
import re
from email.message import EmailMessage
from email.policy import SMTP

from listserve.core.headers import UnsafeHeaderValue, check_header_value, is_header_safe

LINE = 78  # RFC 5322's recommended limit; only an address longer than a line goes over it
WORD_BYTES = 45  # UTF-8 bytes per encoded word: 60 base64 characters, 72 with the markers

_PLAIN_NAME = re.compile(r"[A-Za-z0-9]+(?: [A-Za-z0-9]+)*")
_PRINTABLE = re.compile(r"[\x20-\x7e]*")
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_ATOM}(?:\.{_ATOM})*")
_PLAIN_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")


class UnwritableAddress(ValueError):
    """An address that is not a plain dot-atom (a quoted local part, a domain literal, a
    non-ASCII or broken one): it cannot go in a header as it is."""


def is_writable_address(address: str) -> bool:
    return _ADDRESS.fullmatch(address) is not None


def mailbox_field(field: str, name: str, address: str) -> bytes:
    """`field: name <address>` (or just the address when there is no name), folded, CRLF."""
    # Most recipients: plain words and a plain address on one line, written at once (the
    # worker makes a To for every copy); the same bytes mailbox_list_field would write.
    if ((not name or _PLAIN_NAME.fullmatch(name)) and _PLAIN_ADDRESS.fullmatch(address)
            and len(field) + len(name) + len(address) < 71):
        if name:
            return f"{field}: {name} <{address}>\r\n".encode("ascii")
        return f"{field}: {address}\r\n".encode("ascii")
    return mailbox_list_field(field, [(name, address)])


def mailbox_list_field(field: str, mailboxes: list[tuple[str, str]]) -> bytes:
    """Several mailboxes, comma-separated. Raises UnwritableAddress. A name that holds a line
    break or NUL is left out (they are refused before anything is stored; this is the last
    guard)."""
    words: list[str] = []
    for position, (name, address) in enumerate(mailboxes):
        if not is_writable_address(address):
            raise UnwritableAddress(address)
        last = position == len(mailboxes) - 1
        comma = "" if last else ","
        name = name if name and is_header_safe(name) else ""
        if name:
            words += phrase_words(name, room=LINE - len(field) - 2)
            words.append(f"<{address}>{comma}")
        else:
            words.append(f"{address}{comma}")
    return fold(field, words)


def phrase_words(name: str, room: int = LINE) -> list[str]:
    """The name as words that may each go on a line of their own."""
    if _PLAIN_NAME.fullmatch(name):
        return name.split(" ")
    if _PRINTABLE.fullmatch(name) and "=?" not in name:  # readers decode "=?…?=" even quoted
        quoted = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if len(quoted) <= room:
            return [quoted]
    return encoded_words(name)


def encoded_words(text: str) -> list[str]:
    """RFC 2047 B-encoded words of at most WORD_BYTES bytes each, never splitting a letter."""
    words, chunk = [], b""
    for letter in text:
        data = letter.encode("utf-8")
        if len(chunk) + len(data) > WORD_BYTES:
            words.append(chunk)
            chunk = b""
        chunk += data
    words.append(chunk)
    return [f"=?utf-8?b?{base64.b64encode(word).decode('ascii')}?=" for word in words]


def fold(field: str, words: list[str]) -> bytes:
    """Join words with spaces, starting a new line (CRLF and a space) where the next word
    would pass LINE."""
    lines, line = [], f"{field}:"
    for word in words:
        if len(line) + 1 + len(word) > LINE and line.strip() != f"{field}:":
            lines.append(line)
            line = ""
        line += " " + word
    lines.append(line)
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def check_reply_to(value: str) -> str:
    """Return value if it makes a sound Reply-To header; raise UnsafeHeaderValue otherwise."""
    reply_to_field(value)
    return value


def reply_to_field(value: str) -> bytes:
    """The Reply-To header for `value` (one or more addresses, with or without names), written
    by listserve.delivery.address_fields; raises UnsafeHeaderValue when it is not that."""
    check_header_value(value, "reply-to")
    trial = EmailMessage(policy=SMTP)
    try:
        trial["Reply-To"] = value
        mailboxes = [(address.display_name, address.addr_spec)
                     for address in trial["Reply-To"].addresses]
        if mailboxes:  # an empty group (":;") names nobody
            return mailbox_list_field("Reply-To", mailboxes)
    # The email package's parser gives up; a group (":;") even raises AttributeError.
    except (ValueError, IndexError, TypeError, AttributeError):
        pass  # UnwritableAddress is a ValueError
    raise UnsafeHeaderValue("The reply-to must be an email address.")
