"""The local mailbox: mail kept on disk when no mail server is configured, shown in debug mode
so a newcomer can click the confirmation link without any mail server."""

import mailbox
import re
from email import policy
from email.parser import BytesParser
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request
from markupsafe import Markup, escape

bp = Blueprint("delivery", __name__)


def _messages() -> list[tuple[str, object]]:
    path = Path(current_app.config["MAILBOX_DIR"])
    if not path.is_dir():
        return []
    box = mailbox.Maildir(path, factory=None, create=False)
    parser = BytesParser(policy=policy.default)
    found = [(key, parser.parsebytes(box.get_bytes(key))) for key in box.keys()]  # noqa: SIM118 (a Maildir, not a dict)
    # Maildir keys begin with the delivery time, so the newest sort first.
    found.sort(key=lambda pair: pair[0], reverse=True)
    return found


def _text_of(message) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part else ""


def _html_of(message) -> str | None:
    part = message.get_body(preferencelist=("html",))
    return part.get_content() if part is not None else None


PER_PAGE = 10


URL = re.compile(r"https?://[^\s<>\"']+")


@bp.app_template_filter("link_urls")
def link_urls(text: str) -> Markup:
    """Escape text and make its http(s) URLs clickable (the mailbox shows mail bodies)."""
    escaped = str(escape(text))
    # Safe: the text was escaped above; only our own <a> tags are added.
    return Markup(URL.sub(  # noqa: S704
        lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped))


@bp.get("/_mailbox")
def mailbox_index():
    """Newest first, ten to a page, filtered by recipient and subject."""
    if not current_app.debug:
        abort(404)
    to = request.args.get("to", "").strip()[:300]
    subject = request.args.get("subject", "").strip()[:300]
    found = [
        (key, msg) for key, msg in _messages()
        if to.lower() in str(msg["to"] or "").lower()
        and subject.lower() in str(msg["subject"] or "").lower()
    ]
    pages = max(1, -(-len(found) // PER_PAGE))
    page = min(max(1, request.args.get("page", 1, type=int)), pages)
    shown = found[(page - 1) * PER_PAGE: page * PER_PAGE]
    messages = [
        {"key": key, "headers": msg, "text": _text_of(msg), "has_html": _html_of(msg) is not None}
        for key, msg in shown
    ]
    return render_template("delivery/mailbox.html", messages=messages, to=to, subject=subject,
                           page=page, pages=pages, total=len(found))


@bp.get("/_mailbox/<key>.html")
def mailbox_html(key: str):
    """One mail's HTML part as a mail client shows it; the sandbox keeps any script from running."""
    if not current_app.debug:
        abort(404)
    message = dict(_messages()).get(key)
    html = _html_of(message) if message is not None else None
    if html is None:
        abort(404)
    return html, 200, {"Content-Security-Policy": "sandbox; default-src 'none'; "
                       "style-src 'unsafe-inline'; img-src data:",
                       "Content-Type": "text/html; charset=utf-8"}
