"""What a revision says, in the exact forms it is hashed, mailed, previewed and archived.

The hash is SHA-256 over a canonical JSON serialisation of (subject, body, next steps): the
whole content that is sent. The email is rendered from those three fields alone, so a copy
carries exactly the revision whose hash the audit log records.
"""

import hashlib
import json
import re
from dataclasses import dataclass
from urllib.parse import urljoin

from flask import current_app, render_template

from listserve.core.rendering import render_announcement_html, render_announcement_text, url_scheme
from listserve.public.models import NextStep

NEXT_STEPS_HEADING = "## Next steps"
# Where a subscriber's own unsubscribe link would be, in previews and test sends.
PREVIEW_UNSUBSCRIBE_URL = "#your-personal-unsubscribe-link"


@dataclass(frozen=True)
class Content:
    subject: str
    body: str
    next_steps: str = ""


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def normalise_text(text: str) -> str:
    """Browsers send CRLF; store LF only, so the same words always hash the same."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip("\n") + "\n"


def content_hash(content: Content) -> str:
    canonical = json.dumps(
        {"v": 1, "subject": content.subject, "body": content.body,
         "next_steps": content.next_steps},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def full_markdown(content: Content) -> str:
    """The body, then the next-steps block under its heading when there is one."""
    if not content.next_steps.strip():
        return content.body
    return f"{content.body.rstrip()}\n\n{NEXT_STEPS_HEADING}\n\n{content.next_steps}"


def archive_html(content: Content) -> str:
    """Sanitised HTML for the archive page (relative links work there)."""
    return render_announcement_html(full_markdown(content))


_URL_ATTRIBUTE = re.compile(r'\b(href|src)="([^"]*)"')


def absolute_links(html: str) -> str:
    """Relative links mean nothing in a mail client: resolve them against BASE_URL."""
    base = current_app.config["BASE_URL"].rstrip("/") + "/"

    def resolve(match: re.Match) -> str:
        url = match.group(2)
        if url_scheme(url.replace("&amp;", "&")) is not None:
            return match.group(0)
        return f'{match.group(1)}="{urljoin(base, url)}"'

    return _URL_ATTRIBUTE.sub(resolve, html)


def render_email(content: Content, unsubscribe_url: str, mailing_list=None) -> RenderedEmail:
    """The text and HTML parts, with the unsubscribe footer, exactly as subscribers get them:
    with the list's subject prefix and footer when the list is given (not part of the hash:
    they are the list's settings, not the revision's words)."""
    markdown = full_markdown(content)
    subject = prefixed_subject(content.subject, mailing_list)
    context = {
        "subject": subject,
        "mailing_list": mailing_list,
        "body_text": render_announcement_text(markdown),
        "body_html": absolute_links(render_announcement_html(markdown)),
        "unsubscribe_url": unsubscribe_url,
    }
    return RenderedEmail(
        subject=subject,
        text=render_template("email/announcements/announcement.txt", **context),
        html=render_template("email/announcements/announcement.html", **context),
    )


def prefixed_subject(subject: str, mailing_list) -> str:
    prefix = mailing_list.subject_prefix if mailing_list is not None else ""
    if not prefix or subject.startswith(prefix):
        return subject
    return f"{prefix} {subject}"


def next_steps_markdown(steps: list[NextStep]) -> str:
    """Items from the public next-steps page as a Markdown list."""
    lines = []
    for step in steps:
        line = f"- **{step.title}**"
        summary = step.body.strip().split("\n", 1)[0] if step.body else ""
        if summary:
            line += f": {summary}"
        if step.due:
            line += f" (by {step.due.isoformat()})"
        lines.append(line)
    return "\n".join(lines)
