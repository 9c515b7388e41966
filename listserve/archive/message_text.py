"""What a post to a discussion list says: its text (made from the HTML when it has no text
part), its attachments, and the archive's HTML of it (quoted text folded, addresses hidden)."""

import email
import html
import re
from dataclasses import dataclass, field
from email import policy

import nh3

EMAIL_RE = re.compile(r"([A-Za-z0-9._%+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
BLOCK_END_RE = re.compile(r"(?i)<\s*(br|/p|/div|/li|/h[1-6]|/tr|/blockquote)\s*/?>")


@dataclass
class Attachment:
    filename: str
    content_type: str
    size: int
    # What a list that keeps attachments forwards (read_post fills them in; an import does not).
    content: bytes = field(default=b"", repr=False)
    transfer_encoding: str = ""  # as the poster's part had it: "base64", "quoted-printable", …
    charset: str | None = None


@dataclass
class PostContent:
    text: str
    html_only: bool = False
    attachments: list[Attachment] = field(default_factory=list)


def read_post(raw: bytes) -> PostContent:
    """The post's text and attachments; charsets and transfer encodings decoded."""
    msg = email.message_from_bytes(raw, policy=policy.default)
    body = msg.get_body(preferencelist=("plain", "html"))
    text, html_only = "", False
    if body is not None:
        content = _content(body)
        if body.get_content_type() == "text/html":
            text, html_only = html_to_text(content), True
        else:
            text = content
    attachments = []
    for part in msg.walk():
        if part is body or part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        filename = part.get_filename()
        if disposition == "attachment" or filename or part.get_content_maintype() != "text":
            if part.get_content_type() in ("text/html",) and not filename:
                continue  # the HTML alternative of the text part
            payload = part.get_payload(decode=True) or b""
            attachments.append(Attachment(
                str(filename or "unnamed"), part.get_content_type(), len(payload), payload,
                str(part.get("Content-Transfer-Encoding", "")).strip().lower(),
                part.get_content_charset() if part.get_content_maintype() == "text" else None))
    return PostContent(text.replace("\r\n", "\n").strip("\n") + "\n", html_only, attachments)


def _content(part) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AssertionError):
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", "replace")


def html_to_text(markup: str) -> str:
    """Readable text from an HTML-only post: line breaks kept, tags dropped, entities decoded."""
    marked = BLOCK_END_RE.sub(lambda m: "\n" if m.group(1).lower() == "br" else "\n\n", markup)
    bare = nh3.clean(marked, tags=set(), clean_content_tags={"script", "style", "head"})
    lines = [line.strip() for line in html.unescape(bare).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def hide_addresses(text: str) -> str:
    """Addresses shown on the web lose their domain's name: alice@ex… (no harvesting)."""
    return EMAIL_RE.sub(lambda m: f"{m.group(1)}@{m.group(2)[:2]}…", text)


QUOTED_LINES = re.compile(r"\n[ \t]*>[^\n]*(?:\n[ \t]*>[^\n]*)*")
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def _shown_html(text: str) -> str:
    shown = hide_addresses(text) if "@" in text else text
    return html.escape(shown).replace("\n", "<br>\n")


def _quoted_runs(text: str) -> list[str]:
    r"""The text cut before and after each run of quoted lines (lines whose first character
    past spaces and tabs is ">", each with its newline): unquoted, quoted, unquoted, ...
    the same as re.split(r"((?:^[ \t]*>.*(?:\n|\Z))+)", text, flags=re.MULTILINE), at a
    fraction of its cost (that pattern is tried at every character; this one starts with a
    newline, which the regex engine looks for first)."""
    if ">" not in text:
        return [text]
    pieces, done = [], 0
    # In "\n" + text, a run found at [start, end) is text[start:end] with its last newline.
    for run in QUOTED_LINES.finditer("\n" + text):
        end = min(run.end(), len(text))
        pieces += (text[done:run.start()], text[run.start():end])
        done = end
    pieces.append(text[done:])
    return pieces


def archive_html(text: str, attachments: list[Attachment] = ()) -> str:
    """The post as the archive shows it: paragraphs, quoted text folded, addresses hidden."""
    out = []
    # The runs of quoted lines are at the odd places.
    for i, chunk in enumerate(_quoted_runs(text)):
        chunk = chunk.strip("\n")
        if not chunk.strip():
            continue
        if i % 2:
            out.append(f'<details class="quoted"><summary>quoted text</summary>'
                       f"<blockquote>{_shown_html(chunk)}</blockquote></details>")
        else:
            out.extend(f"<p>{_shown_html(para.strip(chr(10)))}</p>"
                       for para in PARAGRAPH_BREAK.split(chunk) if para.strip())
    if attachments:
        items = "".join(f"<li>{html.escape(a.filename)} ({html.escape(a.content_type)}, "
                        f"{a.size} bytes)</li>" for a in attachments)
        out.append(f'<ul class="attachments">{items}</ul>')
    return "\n".join(out)
