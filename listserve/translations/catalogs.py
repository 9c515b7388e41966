"""Extracting, updating and compiling the catalogs, with babel's API only (no Flask), so the
build hook (build_hook.py) can load this file from a bare build environment.

The .po files are in the repository; the .mo files are made from them (gitignored): by the
build hook on `pip install -e .` and in wheels, by `listserve translations compile` in a
worktree, and by the tests' conftest when a .po is newer than its .mo."""

from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent  # listserve/translations
DOMAIN = "messages"
# Flask-Babel's lazy forms, used at import time (form labels, module constants).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2),
            "lazy_pgettext": ((1, "c"), 2)}
WIDTH = 100
# gettext's customary rules where CLDR's differ: CLDR gives Spanish a third form for
# millions ("1 millón de …"), which no message here needs and translators would have to fill.
PLURAL_FORMS = {"en": (2, "(n != 1)"), "es": (2, "(n != 1)"), "pt": (2, "(n != 1)"),
                "fr": (2, "(n > 1)")}


def po_files(directory: Path = HERE) -> Iterator[tuple[str, Path]]:
    """(language, its messages.po) for every catalog in `directory`."""
    for po in sorted(directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        yield po.parent.parent.name, po


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def write_catalog(path: Path, catalog: Catalog) -> None:
    buffer = BytesIO()
    # No line numbers: they change with every edit and make catalogs conflict when merging.
    write_po(buffer, catalog, width=WIDTH, ignore_obsolete=True, include_lineno=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def compile_catalogs(directory: Path = HERE, *, only_stale: bool = True) -> list[Path]:
    """Write <lang>/LC_MESSAGES/messages.mo from each .po (those older than their .po, or
    all). Fuzzy entries are left out, as msgfmt does. Return the .mo files written."""
    written = []
    for _language, po in po_files(directory):
        mo = po.with_suffix(".mo")
        if only_stale and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        buffer = BytesIO()
        write_mo(buffer, read_catalog(po), use_fuzzy=False)
        mo.write_bytes(buffer.getvalue())
        written.append(mo)
    return written


def extract(root: Path) -> Catalog:
    """Every message marked in the code and templates under `root` (the checkout), as
    babel.cfg maps them."""
    with (HERE / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    template = Catalog(project="listserve", charset="utf-8", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        root, method_map, options_map, keywords=KEYWORDS, comment_tags=("Translators:",),
        strip_comment_tags=True,
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments,
                     context=context)
    return template


def fragments(language: str, directory: Path = HERE) -> list[Path]:
    """The pieces of a catalog translated on a branch: fragments/<lang>-*.po."""
    return sorted((directory / "fragments").glob(f"{language}-*.po"))


def merge_fragment(catalog: Catalog, fragment: Catalog) -> tuple[int, list[str]]:
    """Copy the fragment's translated, non-fuzzy entries into `catalog` where it has that
    msgid; return (how many were copied, the msgids it has no entry for)."""
    copied, unknown = 0, []
    for message in fragment:
        if not message.id or message.fuzzy or not _translated(message.string):
            continue
        target = catalog.get(message.id, context=message.context)
        if target is None:
            unknown.append(message.id if isinstance(message.id, str) else message.id[0])
            continue
        target.string = message.string
        target.flags.discard("fuzzy")
        copied += 1
    return copied, unknown


def _translated(string) -> bool:
    return all(string) if isinstance(string, (list, tuple)) else bool(string)


def update(root: Path, directory: Path = HERE, *, init: tuple[str, ...] = ()) -> list[str]:
    """Extract the messages, bring every catalog (and any language in `init`, started
    empty) up to date with them, merge the fragments, write messages.pot and the .po files,
    and compile. Return a line per catalog saying what happened."""
    template = extract(root)
    write_catalog(directory / f"{DOMAIN}.pot", template)
    catalogs = dict(po_files(directory))
    for language in init:
        catalogs.setdefault(language, directory / language / "LC_MESSAGES" / f"{DOMAIN}.po")
    report = []
    for language, po in sorted(catalogs.items()):
        if po.exists():
            catalog = read_catalog(po, locale=language)
        else:
            catalog = Catalog(locale=language, project="listserve", fuzzy=False,
                              copyright_holder="the listserve authors",
                              language_team=f"{language} <none>", last_translator="listserve")
        if language in PLURAL_FORMS:
            catalog._num_plurals, catalog._plural_expr = PLURAL_FORMS[language]
        # No fuzzy matching: a new message stays untranslated (and the guard test says so)
        # rather than borrowing a near one's translation.
        catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
        copied, unknown = 0, []
        for path in fragments(language, directory):
            more, missing = merge_fragment(catalog, read_catalog(path, locale=language))
            copied += more
            unknown += missing
        write_catalog(po, catalog)
        empty = sum(1 for m in catalog if m.id and not _translated(m.string))
        report.append(f"{language}: {len(template)} messages, {empty} untranslated, "
                      f"{copied} taken from fragments"
                      + (f", {len(unknown)} fragment entries no longer used" if unknown else ""))
    compile_catalogs(directory, only_stale=False)
    return report
