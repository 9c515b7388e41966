"""What a person wrote in an emailed reply, without the quoted announcement or a signature.

Pure functions on text (and one on a raw message), so the shapes mail clients produce can be
tested one by one. Where a rule is unsure, it keeps the person's words: a stray line of quote
attribution is less harm than a lost sentence.
"""

import email
import re
from email import policy
from html.parser import HTMLParser

QUOTED = re.compile(r"^\s*>")
# "On Tue, 5 Mar 2024 at 10:02, Ana <ana@example.org> wrote:" and its common translations.
ATTRIBUTION = re.compile(
    r"^\s*(on|le|am|el|il|op|em|den|w dniu)\s.{0,300}"
    r"(wrote|a écrit|schrieb|escribió|ha scritto|schreef|escreveu|skrev|napisał)\s*:\s*$",
    re.I,
)
# Lines after which everything is the original message or a signature.
CUT = [
    re.compile(r"^-- ?$"),  # the signature delimiter (RFC 3676 §4.3), and its trimmed form
    re.compile(r"^\s*-{2,}\s*original message\s*-{2,}\s*$", re.I),  # Outlook, Outlook Express
    re.compile(r"^\s*_{10,}\s*$"),  # Outlook's rule above a From:/Sent: block
    re.compile(r"^\s*begin forwarded message:\s*$", re.I),  # Apple Mail forwarding inline
]
HEADER_BLOCK_START = re.compile(r"^\s*\*?(from|von|de|van)\s*:\*?\s", re.I)
HEADER_BLOCK_FIELD = re.compile(r"^\s*\*?(sent|date|to|subject|cc|gesendet|envoyé|an|à)\s*:", re.I)
DEVICE_SIGNOFF = re.compile(
    r"^\s*(sent from my \w[\w ]{0,30}|get outlook for \w+|sent from (yahoo )?mail for \w+)\s*$",
    re.I,
)


def trim_reply(text: str) -> str:
    """The words a person typed above, below or between the quotes of a reply."""
    lines = _join_wrapped_attribution(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    lines = lines[: _first_cut(lines)]
    kept = [line for i, line in enumerate(lines)
            if not QUOTED.match(line) and not _is_attribution(lines, i)]
    while kept and (not kept[-1].strip() or DEVICE_SIGNOFF.match(kept[-1])):
        kept.pop()
    return normalise_whitespace("\n".join(kept))


def _join_wrapped_attribution(lines: list[str]) -> list[str]:
    """Gmail wraps a long "On … <address> wrote:" over two lines; put it back on one."""
    joined: list[str] = []
    for line in lines:
        previous = joined[-1] if joined else ""
        together = f"{previous.rstrip()} {line.strip()}"
        if (
            previous.strip()
            and not previous.rstrip().endswith((".", "!", "?", ":"))
            and not QUOTED.match(line)
            and _is_attribution([together], 0)
        ):
            joined[-1] = together
            continue
        joined.append(line)
    return joined


def _first_cut(lines: list[str]) -> int:
    for i, line in enumerate(lines):
        if any(rule.match(line) for rule in CUT) or _header_block_at(lines, i):
            return i
        if _is_attribution(lines, i) and not any(QUOTED.match(rest) for rest in lines[i + 1 :]):
            return i  # the original follows unquoted (Apple Mail's plain text does this)
    return len(lines)


def _header_block_at(lines: list[str], i: int) -> bool:
    """A "From: … / Sent: … / To: … / Subject: …" block, as Outlook heads the original."""
    if not HEADER_BLOCK_START.match(lines[i]):
        return False
    following = [line for line in lines[i + 1 : i + 6] if line.strip()]
    return sum(1 for line in following if HEADER_BLOCK_FIELD.match(line)) >= 2


def _is_attribution(lines: list[str], i: int) -> bool:
    """An "On <date>, <someone> wrote:" line (a date always has a digit)."""
    return bool(ATTRIBUTION.match(lines[i]) and re.search(r"\d", lines[i]))


def normalise_whitespace(text: str) -> str:
    """No trailing spaces, at most one blank line in a row, none at either end."""
    text = text.replace("\u00a0", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n").strip()


def cap_text(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word where one is near, marked with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 2]
    space = cut.rfind(" ", max(0, len(cut) - 40))
    return (cut[:space] if space > 0 else cut).rstrip() + " …"


class _HtmlText(HTMLParser):
    """Crude HTML to text: paragraphs and breaks become new lines, blockquotes become "> "."""

    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "hr"}
    SKIPPED = {"script", "style", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.depth = 0
        self.skipping = 0
        self.space_pending = False

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag == "blockquote":
            self.depth += 1
            self.new_line()
        elif tag in self.BLOCKS:
            self.new_line()

    def handle_endtag(self, tag):
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "blockquote":
            self.depth = max(0, self.depth - 1)
            self.new_line()
        elif tag in self.BLOCKS - {"br"}:
            self.new_line()

    def handle_data(self, data):
        words = " ".join(data.split())
        if self.skipping or not words:
            self.space_pending = self.space_pending or data[-1:].isspace()
            return
        line = self.lines[-1]
        if not line:
            line = "> " * self.depth
        elif (self.space_pending or data[:1].isspace()) and not line.endswith(" "):
            line += " "
        self.lines[-1] = line + words
        self.space_pending = data[-1:].isspace()

    def new_line(self) -> None:
        self.lines.append("")
        self.space_pending = False


def html_to_text(markup: str) -> str:
    parser = _HtmlText()
    parser.feed(markup)
    parser.close()
    return "\n".join(parser.lines)


def reply_body(raw: bytes) -> str:
    """The text of a message: its text/plain part, else its HTML part as text; "" when it
    has neither or cannot be read."""
    try:
        msg = email.message_from_bytes(raw, policy=policy.default)
        part = msg.get_body(preferencelist=("plain", "html"))
        if part is None:
            return ""
        text = _part_text(part)
        return html_to_text(text) if part.get_content_type() == "text/html" else text
    except Exception:  # hostile or broken mail: nothing readable, so no comment
        return ""


def _part_text(part) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError):  # an unknown or lying charset
        data = part.get_payload(decode=True) or b""
        return data.decode("utf-8", "replace")
