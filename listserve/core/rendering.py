"""Markdown -> HTML / plain text for people-written content.

This is the single place where user Markdown becomes HTML. Every HTML path is
markdown-it (raw HTML disabled) followed by nh3 (an allow-list sanitizer):
markdown-it alone is not a security boundary, nh3 is.
"""

import re
from itertools import groupby

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

COMMENT_TAGS = frozenset(
    {"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a"}
)
# "*" must be given, even empty: otherwise nh3 keeps ammonia's default of allowing
# lang and title on every tag.
COMMENT_ATTRIBUTES = {"*": set(), "a": {"href"}}
COMMENT_URL_SCHEMES = frozenset({"http", "https", "mailto"})
COMMENT_LINK_REL = "nofollow ugc noopener"

ANNOUNCEMENT_TAGS = (
    COMMENT_TAGS
    | {"h1", "h2", "h3", "h4", "hr", "img", "del", "s"}
    | {"table", "thead", "tbody", "tr", "th", "td"}
)
ANNOUNCEMENT_ATTRIBUTES = {"*": set(), "a": {"href"}, "img": {"src", "alt", "title"}}
ANNOUNCEMENT_URL_SCHEMES = COMMENT_URL_SCHEMES  # nh3 applies one set to href and src
IMAGE_URL_SCHEMES = frozenset({"http", "https"})  # narrowed for img src below
ANNOUNCEMENT_LINK_REL = "noopener"

# Browsers drop ASCII tab/newline anywhere in a URL and trim C0 controls and
# spaces at the ends, so do the same before reading the scheme.
_URL_IGNORED = re.compile(r"[\x00-\x20\x7f]")
_URL_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see in an (already entity-decoded) URL, or None if relative."""
    match = _URL_SCHEME.match(_URL_IGNORED.sub("", url).lower())
    return match.group(1) if match else None


def _only_web_images(tag: str, attribute: str, value: str) -> str | None:
    # nh3's url_schemes is global, so without this mailto: would pass on img src.
    if tag == "img" and attribute == "src" and url_scheme(value) not in {*IMAGE_URL_SCHEMES, None}:
        return None
    return value


def _images_to_links(state) -> None:
    # Comments may not embed images (tracking pixels, layout abuse). Each image becomes
    # a link to its src labelled with the alt text, or just the alt text when it is
    # already inside a link, since links cannot nest. A core rule keeps this linear.
    for block in state.tokens:
        if block.type == "inline" and block.children:
            block.children = _unwrap_images(block.children, inside_link=False)


def _unwrap_images(tokens: list[Token], inside_link: bool) -> list[Token]:
    out: list[Token] = []
    for token in tokens:
        if token.type in ("link_open", "link_close"):
            inside_link = token.type == "link_open"
        if token.type != "image":
            out.append(token)
            continue
        src = token.attrGet("src") or ""
        label = _unwrap_images(token.children or [], True) or [Token("text", "", 0, content=src)]
        if not inside_link:
            label = [
                Token("link_open", "a", 1, attrs={"href": src}),
                *label,
                Token("link_close", "a", -1),
            ]
        out.extend(label)
    return out


# The "commonmark" preset enables raw HTML by default; it is switched off explicitly.
_MD_OPTIONS = {"html": False, "linkify": False, "typographer": False}
_comment_md = MarkdownIt("commonmark", _MD_OPTIONS)
# Comments may not use headings; "# Title" becomes <p><strong>Title</strong></p> so
# the emphasis survives and the text stays inside a paragraph.
_comment_md.add_render_rule("heading_open", lambda *args: "<p><strong>")
_comment_md.add_render_rule("heading_close", lambda *args: "</strong></p>\n")
_comment_md.core.ruler.push("images_to_links", _images_to_links)
_announcement_md = MarkdownIt("commonmark", _MD_OPTIONS).enable(["table", "strikethrough"])

# nh3 defaults kept on purpose: HTML comments are stripped, and the contents of
# <script>/<style> are dropped rather than shown as text.
_comment_cleaner = nh3.Cleaner(
    tags=set(COMMENT_TAGS),
    attributes=COMMENT_ATTRIBUTES,
    url_schemes=set(COMMENT_URL_SCHEMES),
    link_rel=COMMENT_LINK_REL,
)
_announcement_cleaner = nh3.Cleaner(
    tags=set(ANNOUNCEMENT_TAGS),
    attributes=ANNOUNCEMENT_ATTRIBUTES,
    attribute_filter=_only_web_images,
    url_schemes=set(ANNOUNCEMENT_URL_SCHEMES),
    link_rel=ANNOUNCEMENT_LINK_REL,
)


def render_comment_html(markdown_text: str) -> str:
    """Reader comments: a Markdown subset rendered with markdown-it-py and cleaned by
    nh3 with a short allow-list. Headings become <p><strong>, images become links."""
    return _comment_cleaner.clean(_comment_md.render(markdown_text))


def render_announcement_html(markdown_text: str) -> str:
    """Committee announcements (email + archive): a wider allow-list."""
    return _announcement_cleaner.clean(_announcement_md.render(markdown_text))


# --- plain text -------------------------------------------------------------

_LABEL = r"\[(?P<label>(?:[^\[\]\\]|\\.|\[(?:[^\[\]\\]|\\.)*\])*)\]"
_DESTINATION = r"<[^<>\n]*>|[^\s()<>]*(?:\([^\s()]*\)[^\s()<>]*)*"
_TITLE = r"\"[^\"]*\"|'[^']*'|\([^()]*\)"
_INLINE = re.compile(
    r"(?P<code>(?P<ticks>`+)(?:(?!\n[ \t]*\n)[\s\S])*?(?<!`)(?P=ticks)(?!`))"
    rf"|(?P<link>!?{_LABEL}\(\s*(?P<url>{_DESTINATION})(?:\s+(?:{_TITLE}))?\s*\))"
    r"|(?P<html><!--(?:(?!<!--)[\s\S])*?-->|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>)"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _plain_inline(text: str, inside_link: bool = False) -> str:
    def replace(match: re.Match) -> str:
        if match.group("code"):
            return match.group("code")  # code spans stay exactly as written
        if match.group("html"):
            return ""
        is_image = match.group("link").startswith("!")
        label = _plain_inline(match.group("label"), inside_link=True).strip()
        url = match.group("url").strip("<>")
        allowed = IMAGE_URL_SCHEMES if is_image else COMMENT_URL_SCHEMES
        if url_scheme(url) not in allowed or (is_image and inside_link):
            return label  # relative or javascript:-style URLs mean nothing in an email
        shown = url[len("mailto:") :] if url.lower().startswith("mailto:") else url
        if not label or label in (url, shown):
            return shown
        return f"{label} ({shown})"

    # Repeat until stable: removing "<b>" from "<scr<b>ipt>" must not leave "<script>".
    # Every change shortens the text, so this ends.
    while (converted := _INLINE.sub(replace, text)) != text:
        text = converted
    return text


def render_announcement_text(markdown_text: str) -> str:
    """A readable plain-text version of an announcement for the text/plain email part.

    The Markdown stays as written, except: [label](url) and ![alt](url) become
    'label (url)' (just the label for relative or non-web URLs), raw HTML tags and
    comments are removed, control characters are dropped, trailing spaces are trimmed
    and runs of blank lines become one. Code spans and code blocks are kept verbatim.
    """
    text = _CONTROL.sub("", markdown_text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = text.split("\n")
    # markdown-it tells us which lines are code blocks; those are copied verbatim.
    code_lines: set[int] = set()
    for token in _announcement_md.parse(text):
        if token.type in ("fence", "code_block") and token.map:
            code_lines.update(range(*token.map))
    # Prose is converted a run of lines at a time so links and tags may span lines.
    out: list[tuple[str, bool]] = []
    for is_code, numbers in groupby(range(len(lines)), key=code_lines.__contains__):
        run = "\n".join(lines[number] for number in numbers)
        run = run if is_code else _plain_inline(run)
        out += [(line.rstrip(), is_code) for line in run.split("\n")]
    # At most one blank line in a row outside code; none at the start or end.
    prose_blank = ("", False)
    kept = [
        line
        for i, (line, is_code) in enumerate(out)
        if (line, is_code) != prose_blank or (i and out[i - 1] != prose_blank)
    ]
    text = "\n".join(kept).strip("\n")
    return text + "\n" if text else ""
