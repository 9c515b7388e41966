"""The pieces of the route-walking test: hostile values, reading links and forms from pages,
a small crawler that finds real values for every URL variable, and the requests sent.

Nothing here names a route or an endpoint: routes come from app.url_map, real values from
the links and forms the site itself shows, so the walk follows the site as it changes.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urlsplit

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule
from werkzeug.routing.converters import NumberConverter

BIG = "x" * 100_000  # 100 kB
# Text values, sent in form fields and (percent-encoded) in query strings.
HOSTILE_TEXT = (
    "2147483648",  # 2^31: one past PostgreSQL's integer
    "9223372036854775808",  # 2^63: one past bigint
    "-2147483649",
    "-1",
    "99999999999999999999",
    "\x00",
    "a\x00b",
    "\r\nBcc: victim@example.org",
    BIG,
)
# Values put into URL path segments, already percent-encoded as they travel.
HOSTILE_PATH = (
    "2147483648", "9223372036854775808", "99999999999999999999", "-1", "-2147483649", "0",
    "%00", "a%00b", "%0d%0a", "%ff%fe", "%c0%af", quote(BIG),
)
# Raw query strings with invalid UTF-8 and stray encodings, beside HOSTILE_TEXT.
RAW_QUERIES = ("%ff%fe=%ff%fe&q=%ff%fe&page=%ff", "q=%00&page=%00", "page=1e9999&id=0x7fffffff")
# Query parameter names tried on every GET, beside those the site's own links and forms use.
COMMON_PARAMETERS = ("page", "q", "id", "next", "from", "to", "type", "reply_to", "token")
# Form fields tried where no form of the site posts to a URL.
COMMON_FIELDS = ("email", "name", "body", "subject", "comment", "role", "reason", "action",
                 "revision_hash", "when", "position", "title", "url", "text")
SKIPPED_METHODS = {"HEAD", "OPTIONS"}
_VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


@dataclass
class PageForm:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)  # name -> value the page put there
    buttons: list[tuple[str, str]] = field(default_factory=list)
    text_fields: set[str] = field(default_factory=set)
    honeypots: set[str] = field(default_factory=set)  # out of people's reach (tabindex -1)


class _PageReader(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.links: list[str] = []
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = PageForm(a.get("action") or self.page_url,
                                  (a.get("method") or "get").upper())
            self.forms.append(self._form)
        elif self._form is not None and a.get("name"):
            name, kind = a["name"], a.get("type", "text").lower()
            if tag == "button" or kind == "submit":
                self._form.buttons.append((name, a.get("value", "")))
            elif tag == "textarea" or (tag == "input" and kind not in (
                    "hidden", "checkbox", "radio", "file", "password")):
                self._form.fields.setdefault(name, a.get("value", ""))
                self._form.text_fields.add(name)
                if a.get("tabindex") == "-1":
                    self._form.honeypots.add(name)
            elif tag == "input" and kind in ("checkbox", "radio") and "checked" not in a:
                self._form.fields.setdefault(name, "")
            else:
                self._form.fields.setdefault(name, a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def read_page(page_url: str, html: str) -> tuple[list[str], list[PageForm]]:
    reader = _PageReader(page_url)
    reader.feed(html)
    return reader.links, reader.forms


@dataclass
class SiteMap:
    """What a crawl found: real view arguments per rule, forms per path, parameter names."""

    arguments: dict[str, list[dict]] = field(default_factory=dict)  # rule -> view args
    forms: dict[str, list[PageForm]] = field(default_factory=dict)  # path -> forms
    parameters: set[str] = field(default_factory=set)


def crawl(client, app, starts: list[str], limit: int = 250) -> SiteMap:
    """Follow the site's own links and form actions (GET only) from `starts`, breadth first,
    in a fixed order; note every rule's real arguments and every form."""
    adapter = app.url_map.bind("localhost")
    found = SiteMap()
    seen: set[str] = set()
    queue = list(starts)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        path = urlsplit(url).path
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        response.close()  # a streamed download is never started, so it holds no context
        if response.status_code != 200 or not html:
            continue
        links, forms = read_page(path, html)
        for form in forms:
            action = urlsplit(form.action)
            if action.netloc:
                continue
            found.forms.setdefault(action.path or path, []).append(form)
            if form.method == "GET":
                found.parameters.update(form.fields)
        targets = links + [f.action for f in forms]
        for target in targets:
            parts = urlsplit(target)
            if parts.netloc and parts.netloc != "localhost":
                continue
            found.parameters.update(k for k, _, _ in (p.partition("=") for p in
                                                       parts.query.split("&")) if k)
            for method in ("GET", "POST"):
                try:
                    rule, args = adapter.match(parts.path, method, return_rule=True)
                except HTTPException:
                    continue
                known = found.arguments.setdefault(rule.rule, [])
                if args and args not in known:
                    known.append(args)
            if parts.path not in seen:
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def walkable_rules(app) -> list[Rule]:
    return sorted((r for r in app.url_map.iter_rules() if r.endpoint != "static"),
                  key=lambda r: (r.rule, sorted(r.methods)))


def methods_of(rule: Rule) -> list[str]:
    return sorted(rule.methods - SKIPPED_METHODS)


def fill(rule: Rule, values: dict[str, str]) -> str:
    """The rule's path with each variable replaced by the (already encoded) value given."""
    return _VARIABLE.sub(lambda m: values[m.group(1)], rule.rule)


def real_arguments(rule: Rule, site: SiteMap, most: int = 2) -> list[dict[str, str]]:
    """Up to `most` sets of values the site itself linked to, encoded for a path; a plain
    stand-in when the site shows none."""
    found = site.arguments.get(rule.rule, [])[:most]
    if found:
        return [{k: quote(str(v), safe="/") for k, v in args.items()} for args in found]
    stand_in = {name: "1" if isinstance(conv, NumberConverter) else "x"
                for name, conv in rule._converters.items()}
    return [stand_in]


def hostile_paths(rule: Rule, base: dict[str, str]) -> list[str]:
    """The rule's path with one variable at a time made hostile, the others real."""
    return [fill(rule, {**base, name: value})
            for name in sorted(rule.arguments) for value in HOSTILE_PATH]


def hostile_queries(parameters) -> list[str]:
    names = sorted(set(COMMON_PARAMETERS) | set(parameters))
    return [urlencode({n: value for n in names}, encoding="utf-8", errors="replace")
            for value in HOSTILE_TEXT] + list(RAW_QUERIES)


def form_bodies(forms: list[PageForm]) -> list[dict[str, str]]:
    """For every form posting here and every hostile value: every field hostile; and, per
    button, the text fields hostile and the rest as the page set them."""
    if not forms:
        forms = [PageForm("", "POST", {n: "" for n in COMMON_FIELDS}, [],
                          set(COMMON_FIELDS))]
    bodies = []
    for form in forms:
        names = [n for n in form.fields if n != "csrf_token"]
        for value in HOSTILE_TEXT:
            bodies.append({n: value for n in names + [b for b, _ in form.buttons]})
            for button, pressed in form.buttons or [(None, None)]:
                body = {n: value if n in form.text_fields else form.fields[n] for n in names}
                if button:
                    body[button] = pressed
                bodies.append(body)
    return bodies


def odd_bodies(token: str) -> list[dict]:
    """Bodies of the wrong kind: keyword arguments for the test client's open()."""
    return [
        {"json": {"csrf_token": token, "email": "\x00", "page": 2**63}},
        {"data": b"csrf_token=" + token.encode() + b"&email=%ff%fe&body=\xff\xfe\x00",
         "content_type": "application/x-www-form-urlencoded"},
        {"data": b"--zz\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\n\xff\x00",
         "content_type": "multipart/form-data; boundary=zz"},
        {"data": b"\xff\xfe garbage", "content_type": "multipart/form-data"},
        {"data": b"\x00" * 1000, "content_type": "text/plain"},
        {"data": b"csrf_token=" + token.encode() + b"&" + BIG.encode() + b"=1",
         "content_type": "application/x-www-form-urlencoded"},
    ]
