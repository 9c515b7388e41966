"""The guard of issue 22: every text a person reads is marked for translation, and Spanish has
each one.

Three checks, each failing with the count of what it found per directory and the first cases:

(a) The catalog. The messages are extracted with babel's API (listserve/translations/babel.cfg,
    the keywords of listserve.translations.catalogs); each must have an entry in
    es/messages.po that is translated (every plural form) and not fuzzy, and no msgid still
    used may sit among the catalog's obsolete (#~) entries.
    Fix: `listserve translations update`, then translate what it left empty.

(b) Templates. Every template under templates/ is parsed with Jinja's own parser; its text is
    rebuilt in order, with each {{ expression }} replaced by a placeholder and block tags
    dropped, and read by an HTML tokeniser. Unmarked text is:
      * text content with a word of two or more letters (outside <script>, <style>, <code>,
        <kbd>, <samp>; plain-text mail templates: every line but a digest's quoted header
        lines such as "Date: {{ … }}");
      * the human attributes: title, alt, placeholder, aria-label, aria-description, and the
        value of submit/button inputs;
      * a string constant displayed by an expression ({{ x or "never" }}, {{ "Text" }}, a
        conditional's branches, `|default("…")`), given to a macro (labels of button
        macros), assigned with {% set %} or a macro's default: when it reads as prose (has a
        letter and a space, or starts with a capital letter).
    Marked: anything inside _(), gettext, ngettext, pgettext (and {% trans %} blocks, which
    Jinja turns into those calls). Not displayed, so not checked: arguments of url_for and
    other functions, method calls, comparisons, tests, subscripts, attribute names, class
    names and other attributes (href, class, id, name, value of other inputs …).
    ALLOWED_WORDS lists what is never translated: names (of products, formats, standards)
    and technical tokens.

(c) Python. An AST scan of listserve/ for literal strings (plain, f-strings, "…" % x,
    "…".format(…), concatenations; strings without letters do not count) given to:
      * flash(text, …);
      * abort(code, text) and abort(…, description=text);
      * ValidationError(text) and StopValidation(text);
      * a form field's label (first argument, or label=) and description= — any call to a
        name ending in "Field" — and message= of any call (wtforms validators);
      * subject= of any call (mail subjects);
      * click.echo / click.secho / echo / secho in the command modules (cli.py, *_cli.py);
      * message= of render_template (error pages).
    Marked: the argument is a call to _, gettext, ngettext, _l, lazy_gettext, lazy_ngettext,
    pgettext. Not checked: the JSON API's error texts (listserve/api: for developers, like
    the API itself, in English), log messages, exceptions other than those above (their
    text reaches people only through a view that translates it), click's --help texts.

These fail on main until the branches that mark the strings are merged: they are meant to.
"""

import ast
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment, nodes

from listserve.translations import catalogs

# Fails until every branch's strings are merged and translated; run, never skipped. The
# marker lets a run leave them out knowingly: -m "not translations".
pytestmark = pytest.mark.translations

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
PACKAGE = ROOT / "listserve"
SPANISH = catalogs.HERE / "es" / "LC_MESSAGES" / "messages.po"
SHOWN = 30  # cases listed in a failure, after the counts

GETTEXT = {"_", "gettext", "ngettext", "pgettext", "npgettext", "_l", "lazy_gettext",
           "lazy_ngettext", "lazy_pgettext"}
# Words never translated: names of products, formats, standards, and technical tokens.
ALLOWED_WORDS = {
    "listserve", "api", "json", "csv", "rss", "atom", "openapi", "http", "https", "smtp",
    "dkim", "spf", "dmarc", "arc", "dns", "txt", "ip", "id", "ids", "utc", "rfc", "ical",
    "icalendar", "ics", "mbox", "markdown", "html", "url", "urls", "www", "mailto", "cc",
    "bcc", "dn", "sha", "ok", "etag", "get", "post", "put", "patch", "delete", "curl",
    "bearer", "webhook", "webhooks", "hmac", "utf", "cname", "mx", "pem", "ed", "rsa", "gnu",
    "mailman", "ripess", "gsef", "github", "ssl", "tls", "eg", "ie", "vs", "nbsp", "org",
    "example", "com",
}
HUMAN_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description"}
SKIPPED_ELEMENTS = {"script", "style", "code", "kbd", "samp"}
PLACEHOLDER = "\ue000"
WORD = re.compile(r"[^\W\d_]{2,}")
# A plain-text digest quotes each message's header lines (RFC 1153): field names, not prose.
HEADER_LINE = re.compile(r"^(Date|From|To|Cc|Subject|Message-ID):[^\w]*$")
ATTRIBUTES_ONLY = re.compile(r'^(\s*[\w:-]+="[^"]*")+\s*$')


def _unmarked_words(text: str) -> bool:
    return any(word.lower() not in ALLOWED_WORDS for word in WORD.findall(text))


def _reads_as_prose(text: str) -> bool:
    if not re.search(r"[^\W\d_]", text) or not _unmarked_words(text):
        return False
    return bool(re.search(r"\s", text.strip())) or text.strip()[:1].isupper()


def _by_directory(cases: list[tuple[str, str]]) -> str:
    counts = Counter(str(Path(where.split(":")[0]).parent) for where, _ in cases)
    lines = [f"{count:5d}  {directory}" for directory, count in sorted(counts.items())]
    lines += [f"  {where}: {what!r}" for where, what in cases[:SHOWN]]
    more = len(cases) - SHOWN
    return "\n".join(lines + ([f"  … and {more} more"] if more > 0 else []))


# (a) the catalog --------------------------------------------------------------------------

def test_every_message_has_a_spanish_translation_that_is_not_fuzzy():
    template = catalogs.extract(ROOT)
    spanish = catalogs.read_catalog(SPANISH, locale="es")
    obsolete = {message_id(m) for m in spanish.obsolete.values()}
    problems = []
    for message in template:
        if not message.id:
            continue
        where = message.locations[0][0] if message.locations else "?"
        entry = spanish.get(message.id, context=message.context)
        if message_id(message) in obsolete:
            problems.append((f"{where}: obsolete in es/messages.po", message_id(message)))
        elif entry is None:
            problems.append((f"{where}: missing", message_id(message)))
        elif entry.fuzzy:
            problems.append((f"{where}: fuzzy", message_id(message)))
        elif not catalogs._translated(entry.string):
            problems.append((f"{where}: empty", message_id(message)))
    assert not problems, (f"{len(problems)} of {len(template)} messages lack a Spanish "
                          f"translation (run `listserve translations update`, then translate):\n"
                          + _by_directory(problems))


def message_id(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def test_the_spanish_catalog_has_two_plural_forms():
    spanish = catalogs.read_catalog(SPANISH, locale="es")
    assert spanish.plural_forms == "nplurals=2; plural=(n != 1);"


# (b) templates ----------------------------------------------------------------------------

class _TextReader(HTMLParser):
    """The text content and human attributes of an HTML skeleton (placeholders for
    expressions)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_ELEMENTS:
            self.skipping.append(tag)
        attributes = dict(attrs)
        for name, value in attrs:
            shown = name in HUMAN_ATTRIBUTES or (
                name == "value" and tag == "input"
                and attributes.get("type") in ("submit", "button", "reset"))
            if shown and value:
                self._check(value)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in SKIPPED_ELEMENTS:
            self.skipping.pop()

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data):
        if not self.skipping:
            self._check(data)

    def _check(self, text):
        text = " ".join(text.replace(PLACEHOLDER, " ").split())
        if ATTRIBUTES_ONLY.match(text):
            return  # a block filling in a parent's tag: {% block x %} class="y"{% endblock %}
        if _unmarked_words(text):
            self.found.append((self.getpos()[0], text))


def _call_name(node: nodes.Call) -> str | None:
    return node.node.name if isinstance(node.node, nodes.Name) else None


def _displayed_constants(node, displayed: bool, macros: set[str]):
    """Constant strings an expression shows (see the module's docstring)."""
    if isinstance(node, nodes.Const):
        if displayed and isinstance(node.value, str) and _reads_as_prose(node.value):
            yield node.lineno, node.value
        return
    if isinstance(node, nodes.Call):
        name = _call_name(node)
        if name in GETTEXT:
            return
        to_macro = name in macros or name == "caller"
        for argument in [*node.args, *(keyword.value for keyword in node.kwargs)]:
            yield from _displayed_constants(argument, to_macro, macros)
        return
    if isinstance(node, nodes.CondExpr):
        yield from _displayed_constants(node.test, False, macros)
        yield from _displayed_constants(node.expr1, displayed, macros)
        if node.expr2 is not None:
            yield from _displayed_constants(node.expr2, displayed, macros)
        return
    if isinstance(node, nodes.Filter):
        if node.node is not None:
            yield from _displayed_constants(node.node, displayed, macros)
        for argument in node.args:
            yield from _displayed_constants(argument, displayed and node.name in ("default", "d"),
                                            macros)
        return
    inherit = isinstance(node, (nodes.Or, nodes.And, nodes.Concat, nodes.Add))
    for child in node.iter_child_nodes():
        yield from _displayed_constants(child, displayed and inherit, macros)


class _Skeleton:
    """A template's text in order, expressions as placeholders, and the constants shown."""

    def __init__(self, tree: nodes.Template):
        self.macros = {macro.name for macro in tree.find_all(nodes.Macro)}
        for imported in tree.find_all(nodes.FromImport):
            self.macros.update(name if isinstance(name, str) else name[1]
                               for name in imported.names)
        self.parts: list[str] = []
        self.constants: list[tuple[int, str]] = []
        self.visit(tree)

    def visit(self, node):
        if isinstance(node, nodes.TemplateData):
            self.parts.append(node.data)
        elif isinstance(node, nodes.Output):
            for child in node.nodes:
                if isinstance(child, nodes.TemplateData):
                    self.parts.append(child.data)
                else:
                    self.parts.append(PLACEHOLDER)
                    self.constants += _displayed_constants(child, True, self.macros)
        elif isinstance(node, nodes.Assign):
            self.constants += _displayed_constants(node.node, True, self.macros)
        elif isinstance(node, nodes.Macro):
            for default in node.defaults:
                self.constants += _displayed_constants(default, True, self.macros)
            for child in node.body:
                self.visit(child)
        elif isinstance(node, nodes.CallBlock):
            self.constants += _displayed_constants(node.call, True, self.macros)
            for child in node.body:
                self.visit(child)
        elif isinstance(node, (nodes.If, nodes.For)):
            # Only the bodies show text; a test or an iterable does not.
            for child in [*node.body, *node.else_, *getattr(node, "elif_", [])]:
                self.visit(child)
        elif isinstance(node, (nodes.Stmt, nodes.Template)):
            for child in node.iter_child_nodes():
                if isinstance(child, (nodes.Stmt, nodes.Helper, nodes.Template)):
                    self.visit(child)
        elif isinstance(node, nodes.Helper):
            for child in node.iter_child_nodes():
                self.visit(child)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _template_cases(path: Path, environment: Environment) -> list[tuple[str, str]]:
    name = path.relative_to(ROOT)
    skeleton = _Skeleton(environment.parse(path.read_text(), filename=str(name)))
    cases = [(f"{name}:{line}", text) for line, text in skeleton.constants]
    if path.suffix == ".txt":
        for number, line in enumerate(skeleton.text.splitlines(), start=1):
            text = " ".join(line.replace(PLACEHOLDER, " ").split())
            if _unmarked_words(text) and not HEADER_LINE.match(text):
                cases.append((f"{name}:~{number}", text))
    else:
        reader = _TextReader()
        reader.feed(skeleton.text)
        reader.close()
        cases += [(f"{name}:~{line}", text) for line, text in reader.found]
    return cases


def unmarked_template_text() -> list[tuple[str, str]]:
    environment = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    cases = []
    for path in sorted([*TEMPLATES.rglob("*.html"), *TEMPLATES.rglob("*.txt")]):
        cases += _template_cases(path, environment)
    return cases


def test_no_template_text_is_left_unmarked():
    cases = unmarked_template_text()
    assert not cases, (f"{len(cases)} texts in templates are not marked for translation "
                       "(use {{ _('…') }} or {% trans %}):\n" + _by_directory(cases))


# (c) Python -------------------------------------------------------------------------------

def _is_text(node: ast.AST) -> bool:
    """A literal string a person would read: a constant, f-string, or one built with % or
    .format() or +, containing a letter."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(re.search(r"[^\W\d_]", node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_is_text(value) for value in node.values if isinstance(value, ast.Constant))
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        return _is_text(node.left) or (isinstance(node.op, ast.Add) and _is_text(node.right))
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"):
        return _is_text(node.func.value)
    return False


def _name(func: ast.AST) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _python_cases(path: Path, source: str | None = None) -> list[tuple[str, str]]:
    tree = ast.parse(path.read_text() if source is None else source, filename=str(path))
    relative = path.relative_to(ROOT)
    command_module = path.name == "cli.py" or path.name.endswith("_cli.py")
    cases = []

    def found(node, why):
        cases.append((f"{relative}:{node.lineno}", f"{why}: {ast.unparse(node)[:80]}"))

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        keywords = {keyword.arg: keyword.value for keyword in node.keywords if keyword.arg}
        checked = []
        if name == "flash" and node.args:
            checked.append(("flash", node.args[0]))
        if name == "abort":
            checked += [("abort", arg) for arg in node.args[1:2]]
            if "description" in keywords:
                checked.append(("abort", keywords["description"]))
        if name in ("ValidationError", "StopValidation") and node.args:
            checked.append((name, node.args[0]))
        if name.endswith("Field"):
            if node.args:
                checked.append(("field label", node.args[0]))
            for key in ("label", "description"):
                if key in keywords:
                    checked.append((f"field {key}", keywords[key]))
        if "message" in keywords and name != "render_template" or (
                name == "render_template" and "message" in keywords):
            checked.append(("message=", keywords["message"]))
        if "subject" in keywords:
            checked.append(("subject=", keywords["subject"]))
        if command_module and name in ("echo", "secho") and node.args:
            checked.append(("click.echo", node.args[0]))
        for why, argument in checked:
            if _is_text(argument):
                found(argument, why)
    return cases


def unmarked_python_strings() -> list[tuple[str, str]]:
    cases = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).parts[0] in ("api",):
            continue  # the JSON API speaks to developers, in English (see the docstring)
        cases += _python_cases(path)
    return cases


def test_no_user_facing_python_string_is_left_unmarked():
    cases = unmarked_python_strings()
    assert not cases, (f"{len(cases)} strings in Python are shown to people unmarked (use "
                       "_(), _l() or ngettext with named placeholders):\n" + _by_directory(cases))


# the checkers themselves -----------------------------------------------------------------

@pytest.mark.parametrize("source, expected", [
    ('<p>Hello</p>', ["Hello"]),
    ('<p>{{ _("Hello") }}</p>', []),
    ('<p>{% trans %}Hello {{ name }}{% endtrans %}</p>', []),
    ('<a href="{{ url_for(\'public.home\') }}" class="site-name">{{ name }}</a>', []),
    ('<img alt="A photo" src="x.png">', ["A photo"]),
    ('<input type="submit" value="Send it">', ["Send it"]),
    ('<input type="hidden" name="action" value="leave">', []),
    ('<p>{{ x or "not yet" }}</p>', ["not yet"]),
    ('{% if code == "es" %}<b>{{ n }}</b>{% endif %}', []),
    ('{% macro b(a, label) %}{{ label }}{% endmacro %}{{ b("mode", "Leave now") }}',
     ["Leave now"]),
    ('<code>curl -X POST</code><p>JSON &amp; CSV</p>', []),
    ('<p>{{ count }} subscribers</p>', ["subscribers"]),
    ('<main{% block a %} class="committee"{% endblock %}>', []),
])
def test_the_template_checker_finds_unmarked_text(source, expected):
    skeleton = _Skeleton(Environment(extensions=["jinja2.ext.i18n"], autoescape=True).parse(source))
    reader = _TextReader()
    reader.feed(skeleton.text)
    found = [text for _, text in skeleton.constants] + [text for _, text in reader.found]
    assert len(found) == len(expected), found
    assert all(any(e in f for f in found) for e in expected), found


@pytest.mark.parametrize("source, count", [
    ('flash("Saved.")', 1),
    ('flash(_("Saved."))', 0),
    ('flash(message)', 0),
    ('flash(f"Saved {n}.")', 1),
    ('enqueue_notice(subject=f"Welcome to {name}")', 1),
    ('enqueue_notice(subject=_l("Welcome to %(list)s", list=name))', 0),
    ('name = StringField("Name", validators=[Length(max=5, message="Too long")])', 2),
    ('name = StringField(_l("Name"))', 0),
    ('raise ValidationError("Please tick a list.")', 1),
    ('abort(404, description="No such page")', 1),
    ('flash("…", "error")', 0),
])
def test_the_python_checker_finds_unmarked_strings(source, count):
    cases = _python_cases(PACKAGE / "subscriptions" / "probe.py", source)
    assert len(cases) == count, cases
