"""Tests for listserve.core.rendering: supported Markdown, an XSS corpus, and a fuzz property.

assert_safe_html() is deliberately independent of listserve.core.rendering (it does not
reuse its allow-lists or URL parsing) so that it can check any HTML the app emits.
"""

import re
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from listserve.core import rendering
from listserve.core.rendering import (
    render_announcement_html,
    render_announcement_text,
    render_comment_html,
)

# --- the reusable checker ------------------------------------------------------

# Attributes that browsers treat as URLs; only href and src are allowed by the
# policies here, but a wider net costs nothing.
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "data", "poster", "background", "cite"}
    | {"longdesc", "srcset", "xlink:href", "codebase", "manifest", "ping", "lowsrc"}
)
_URL_IGNORED = re.compile(r"[\x00-\x20\x7f]")  # browsers ignore these in a scheme
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.other: list[str] = []  # comments, doctypes, processing instructions

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_comment(self, data):
        self.other.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.other.append(f"<!{decl}>")

    def handle_pi(self, data):
        self.other.append(f"<?{data}>")

    def unknown_decl(self, data):
        self.other.append(f"<![{data}]>")


def url_scheme_of(value: str) -> str | None:
    """Scheme of an attribute value as html.parser returns it (entities already decoded
    once, as a browser does), after dropping whitespace/control characters anywhere
    and lower-casing; None means a relative URL."""
    match = _SCHEME.match(_URL_IGNORED.sub("", value).lower())
    return match.group(1) if match else None


def assert_safe_html(
    html: str,
    allowed_tags: set[str] | frozenset[str],
    allowed_attrs: Mapping[str, set[str] | frozenset[str]],
    allowed_schemes: set[str] | frozenset[str] | Mapping[str, set[str] | frozenset[str]],
) -> None:
    """Fail unless `html` only uses allowed tags/attributes and safe URL schemes.

    allowed_attrs maps tag -> attribute names ("*" applies to every tag).
    allowed_schemes is one set for every URL attribute, or a mapping from attribute
    name (e.g. "href", "src") to its own set. Relative URLs are always accepted.
    """
    parser = _Collector()
    parser.feed(html)
    parser.close()
    problems = [f"markup that is not an element: {item!r}" for item in parser.other]
    for tag, attrs in parser.elements:
        if tag not in allowed_tags:
            problems.append(f"element <{tag}> is not allowed")
        permitted = set(allowed_attrs.get(tag, ())) | set(allowed_attrs.get("*", ()))
        for name, value in attrs:
            if name.startswith("on"):
                problems.append(f"event handler {name!r} on <{tag}>")
            if name not in permitted:
                problems.append(f"attribute {name!r} is not allowed on <{tag}>")
            if name in URL_ATTRIBUTES and value is not None:
                schemes = (
                    allowed_schemes.get(name, set())
                    if isinstance(allowed_schemes, Mapping)
                    else allowed_schemes
                )
                scheme = url_scheme_of(value)
                if scheme is not None and scheme not in schemes:
                    problems.append(f"{name}={value!r} on <{tag}> uses scheme {scheme!r}")
    assert not problems, "unsafe HTML:\n  " + "\n  ".join(problems) + f"\nin: {html!r}"


def link_rels(html: str) -> list[str | None]:
    """The rel value of every <a> in `html`, in order."""
    parser = _Collector()
    parser.feed(html)
    return [dict(attrs).get("rel") for tag, attrs in parser.elements if tag == "a"]


# --- expected policies (written out again here on purpose, not imported) ------------

COMMENT_POLICY = dict(
    allowed_tags={"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a"},
    allowed_attrs={"a": {"href", "rel"}},
    allowed_schemes={"href": {"http", "https", "mailto"}},
)
ANNOUNCEMENT_POLICY = dict(
    allowed_tags=COMMENT_POLICY["allowed_tags"]
    | {"h1", "h2", "h3", "h4", "hr", "img", "del", "s"}
    | {"table", "thead", "tbody", "tr", "th", "td"},
    allowed_attrs={"a": {"href", "rel"}, "img": {"src", "alt", "title"}},
    allowed_schemes={"href": {"http", "https", "mailto"}, "src": {"http", "https"}},
)
RENDERERS = [
    pytest.param(render_comment_html, COMMENT_POLICY, "nofollow ugc noopener", id="comment"),
    pytest.param(render_announcement_html, ANNOUNCEMENT_POLICY, "noopener", id="announcement"),
]


# --- the checker itself must catch what it is meant to catch ----------------------


@pytest.mark.parametrize(
    "html, complaint",
    [
        ("<script>alert(1)</script>", "element <script>"),
        ("<svg><animate onbegin=alert(1)></svg>", "event handler 'onbegin'"),
        ('<p style="color:red">x</p>', "attribute 'style'"),
        ('<a href="https://ok.example" target="_blank">x</a>', "attribute 'target'"),
        ('<a href="JavaScript:alert(1)">x</a>', "scheme 'javascript'"),
        ('<a href="&#106;avascript:alert(1)">x</a>', "scheme 'javascript'"),
        ('<a href="&#x6A;avascript&#x3A;alert(1)">x</a>', "scheme 'javascript'"),
        ('<a href="java&#x09;script:alert(1)">x</a>', "scheme 'javascript'"),
        ('<a href=" \x01 javascript:alert(1)">x</a>', "scheme 'javascript'"),
        ('<a href="data:text/html,<script>alert(1)</script>">x</a>', "scheme 'data'"),
        ('<img src="mailto:x@example.org">', "scheme 'mailto'"),
        ("<!--><script>-->", "not an element"),
    ],
)
def test_checker_rejects_unsafe_html(html, complaint):
    with pytest.raises(AssertionError, match=re.escape(complaint)):
        assert_safe_html(html, **ANNOUNCEMENT_POLICY)


def test_checker_accepts_safe_html():
    assert_safe_html(
        '<p><a href="/relative?a=1&amp;b=2" rel="noopener">x</a> <a href="HTTPS://x.example">y</a>'
        '<img src="//cdn.example/i.png" alt="i"><br></p>',
        **ANNOUNCEMENT_POLICY,
    )
    assert_safe_html('<a href="mailto:x@example.org">x</a>', {"a"}, {"a": {"href"}}, {"mailto"})


# --- supported markup ------------------------------------------------------------


def test_comment_inline_markup():
    html = render_comment_html("Hi *em* and **strong** and `x < y`")
    assert html == "<p>Hi <em>em</em> and <strong>strong</strong> and <code>x &lt; y</code></p>\n"


def test_comment_blocks():
    html = render_comment_html(
        "> quoted\n\n- one\n- two\n\n1. first\n2. second\n\n```py\nif a < b:\n    pass\n```\n"
    )
    assert "<blockquote>\n<p>quoted</p>\n</blockquote>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert "<ol>\n<li>first</li>\n<li>second</li>\n</ol>" in html
    # the language class is dropped: no class attributes anywhere
    assert "<pre><code>if a &lt; b:\n    pass\n</code></pre>" in html


def test_comment_hard_break():
    assert render_comment_html("one  \ntwo") == "<p>one<br>\ntwo</p>\n"


def test_comment_links_get_ugc_rel():
    rel = 'rel="nofollow ugc noopener"'
    html = render_comment_html('[site](https://a.example "t") <https://b.example> <me@c.example>')
    assert f'<a href="https://a.example" {rel}>site</a>' in html  # title is dropped
    assert f'<a href="https://b.example" {rel}>https://b.example</a>' in html
    assert f'<a href="mailto:me@c.example" {rel}>me@c.example</a>' in html


def test_comment_headings_become_strong_paragraphs():
    assert render_comment_html("# Big\n\nSmall\n---\n") == (
        "<p><strong>Big</strong></p>\n<p><strong>Small</strong></p>\n"
    )


def test_comment_images_become_links():
    html = render_comment_html(
        "![a cat](https://example.org/cat.png) [![x](https://i.example/p.png)](https://example.org)"
    )
    assert "<img" not in html
    assert '<a href="https://example.org/cat.png" rel="nofollow ugc noopener">a cat</a>' in html
    assert '<a href="https://example.org" rel="nofollow ugc noopener">x</a>' in html
    # alt text keeps its inline markup
    assert render_comment_html("![*a*](https://i.example/a.png)") == (
        '<p><a href="https://i.example/a.png" rel="nofollow ugc noopener"><em>a</em></a></p>\n'
    )


def test_comment_raw_html_is_shown_as_text():
    assert render_comment_html("<b>hi</b>") == "<p>&lt;b&gt;hi&lt;/b&gt;</p>\n"


def test_comment_has_no_tables_or_rules():
    html = render_comment_html("| a |\n|---|\n| 1 |\n\n***\n\n~~gone~~")
    assert "<table" not in html and "<hr" not in html and "<s>" not in html


def test_announcement_wider_markup():
    html = render_announcement_html(
        "# Title\n\n#### Small\n\n---\n\n~~old~~\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n"
        '![logo](https://example.org/logo.png "Logo") [more](https://example.org)'
    )
    assert "<h1>Title</h1>" in html and "<h4>Small</h4>" in html and "<hr>" in html
    assert "<s>old</s>" in html
    # alignment comes as style= from markdown-it and is removed
    assert "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>" in html and "style" not in html
    assert '<img src="https://example.org/logo.png" alt="logo" title="Logo">' in html
    assert '<a href="https://example.org" rel="noopener">more</a>' in html


def test_announcement_images_only_over_http():
    html = render_announcement_html(
        "![a](mailto:x@example.org) ![b](http://example.org/b.png) ![c](/c.png)"
    )
    assert '<img alt="a">' in html
    assert '<img src="http://example.org/b.png" alt="b">' in html
    assert '<img src="/c.png" alt="c">' in html


def test_output_is_deterministic():
    text = "# T\n\n[a](https://x.example) ![i](https://x.example/i.png) <i>x</i>\n"
    for render in (render_comment_html, render_announcement_html, render_announcement_text):
        assert len({render(text) for _ in range(5)}) == 1


# --- plain text ------------------------------------------------------------------


def test_announcement_text():
    source = (
        '# Meeting\r\n\r\n\r\n\r\nSee [the agenda](https://example.org/agenda "Agenda") '
        "or <b>mail</b> [us](mailto:committee@example.org).  \n"
        "Logo: ![logo](https://example.org/l.png) [bad](javascript:alert(1)) "
        "[https://example.org](https://example.org) <!-- hidden\nnote -->\n\n\n"
        "```\n<b>[keep](https://x)</b>\n\n\n\n```\n"
        "Inline `[keep](https://y) <i>` code.\n\n\n"
    )
    assert render_announcement_text(source) == (
        "# Meeting\n\n"
        "See the agenda (https://example.org/agenda) or mail us (committee@example.org).\n"
        "Logo: logo (https://example.org/l.png) bad https://example.org\n\n"
        "```\n<b>[keep](https://x)</b>\n\n\n\n```\n"
        "Inline `[keep](https://y) <i>` code.\n"
    )


def test_announcement_text_does_not_reassemble_tags():
    assert render_announcement_text("<scr<b>ipt>alert(1)</scr</b>ipt>") == "alert(1)\n"


def test_announcement_text_empty():
    assert render_announcement_text("") == ""
    assert render_announcement_text("\n\n  \n") == ""


# --- XSS corpus ------------------------------------------------------------------

_ESCAPE = re.compile(r"\\(n|t|r|\\|x[0-9a-fA-F]{2})")
_ESCAPED = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\"}


def load_payloads() -> list[str]:
    """Read tests/xss_payloads.txt; see its first line for the format."""
    lines = (Path(__file__).parent / "xss_payloads.txt").read_text(encoding="utf-8").splitlines()
    return [
        _ESCAPE.sub(lambda m: _ESCAPED.get(m[1]) or chr(int(m[1][1:], 16)), line)
        for line in lines
        if line.strip() and not line.startswith("#")
    ]


PAYLOADS = load_payloads()


def test_corpus_is_large_enough():
    assert len(PAYLOADS) >= 60
    assert len(set(PAYLOADS)) == len(PAYLOADS), "duplicate payloads"


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("render, policy, rel", RENDERERS)
def test_xss_payload_is_neutralised(payload, render, policy, rel):
    html = render(payload)
    assert_safe_html(html, **policy)
    assert all(value == rel for value in link_rels(html)), html


# Defence in depth: the nh3 layer alone must hold even if raw HTML reached it, e.g.
# if someone switched markdown-it's html option back on.
_HTML_ENABLED_MD = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
CLEANERS = [
    pytest.param(rendering._comment_cleaner, COMMENT_POLICY, id="comment"),
    pytest.param(rendering._announcement_cleaner, ANNOUNCEMENT_POLICY, id="announcement"),
]


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("cleaner, policy", CLEANERS)
def test_sanitizer_alone_neutralises_payload(payload, cleaner, policy):
    assert_safe_html(cleaner.clean(payload), **policy)
    assert_safe_html(cleaner.clean(_HTML_ENABLED_MD.render(payload)), **policy)


# --- property: arbitrary text never yields unsafe HTML ------------------------------

_FRAGMENTS = [
    "<",
    ">",
    "</",
    "/>",
    '"',
    "'",
    "&",
    "&#",
    "&#x",
    ";",
    ":",
    "=",
    "/",
    "\\",
    " ",
    "\n",
    "\t",
    "\x00",
    "\x0b",
    "[",
    "]",
    "(",
    ")",
    "!",
    "`",
    "*",
    "_",
    "~~",
    "|",
    "#",
    "> ",
    "- ",
    "    ",
    "script",
    "javascript",
    "JaVaScRiPt",
    "vbscript",
    "data",
    "text/html",
    "image/svg+xml",
    "onerror",
    "onload",
    "svg",
    "img",
    "a",
    "iframe",
    "style",
    "src",
    "href",
    "srcdoc",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "&#106;",
    "&#x6A;",
    "&colon;",
    "alert(1)",
    "http://",
    "https://x.example",
    "mailto:",
    "expression(",
    "url(",
]
_markdownish = st.lists(
    st.one_of(
        st.sampled_from(_FRAGMENTS),
        st.text(alphabet="<>\"'&:=/ ", max_size=3),
        st.text(max_size=3),
    ),
    max_size=40,
).map("".join)


@settings(
    max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(_markdownish)
def test_arbitrary_text_never_renders_unsafe_html(text):
    comment = render_comment_html(text)
    assert_safe_html(comment, **COMMENT_POLICY)
    assert all(rel == "nofollow ugc noopener" for rel in link_rels(comment))
    announcement = render_announcement_html(text)
    assert_safe_html(announcement, **ANNOUNCEMENT_POLICY)
    assert all(rel == "noopener" for rel in link_rels(announcement))
    assert render_comment_html(text) == comment  # deterministic


_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<!--[\s\S]*?-->")


@settings(max_examples=200, deadline=None, database=None)
@given(_markdownish)
def test_arbitrary_text_version_has_no_tags_outside_code(text):
    # Code spans and blocks are kept verbatim by design, so leave them out here.
    cleaned = text.replace("`", "").replace("~", "")
    cleaned = "\n".join(line.lstrip() for line in cleaned.split("\n"))
    assert _TAG.search(render_announcement_text(cleaned)) is None
