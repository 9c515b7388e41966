"""The local mailbox: mail kept on disk when no mail server is configured, shown in debug mode
so a newcomer can click the confirmation link without any mail server."""

import mailbox
import re
from email import policy
from email.parser import BytesParser
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template
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
    if not current_app.debug:
        abort(404)
    messages = [
        {"key": key, "headers": msg, "text": _text_of(msg)} for key, msg in _messages()
    ]
    return render_template("delivery/mailbox.html", messages=messages)
