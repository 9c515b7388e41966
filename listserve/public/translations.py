"""The public pages in other languages than the site's default.

A page's translation maps each of its texts, as written in the default language, to the same
text in another language (as gettext maps a msgid): reordering the aims keeps their
translations, and a text the committee rewrites shows in the default language until someone
translates it again. The pages show the reader's language (the page's locale) where a text is
translated, else the default. Services flush, never commit."""

import hashlib
from types import SimpleNamespace

from flask import current_app
from flask_babel import get_locale

from listserve.committee.audit import record_audit
from listserve.committee.models import CommitteeMember
from listserve.extensions import db
from listserve.public import services
from listserve.public.models import (
    Aim,
    EcosystemEntry,
    EcosystemSection,
    NextStep,
    PageTranslation,
)

TRANSLATED_PAGES = ("aims", "next_steps", "ecosystem")


def source_texts(page: str) -> list[str]:
    """The page's texts in the default language, in the order the page shows them, once each."""
    if page == "aims":
        texts = [aim.text for aim in services.list_aims()]
    elif page == "next_steps":
        texts = [text for step in services.list_next_steps() for text in (step.title, step.body)]
    else:
        texts = [services.get_page_text("ecosystem_intro")]
        for section in services.list_sections():
            texts.append(section.title)
            for entry in section.entries:
                texts += [entry.sector or "", entry.description]
    return list(dict.fromkeys(text for text in texts if text and text.strip()))


def text_key(text: str) -> str:
    """A short name for a source text, carried by the editor's form: a text changed meanwhile
    is not given another's translation."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def translation_languages() -> list[str]:
    return [code for code in current_app.config["LANGUAGES"]
            if code != current_app.config["DEFAULT_LANGUAGE"]]


def get_translations(page: str, language: str) -> dict[str, str]:
    found = db.session.get(PageTranslation, (page, language))
    return dict(found.content.get("texts", {})) if found else {}


def save_translation(page: str, language: str, author: CommitteeMember | None,
                     by_key: dict[str, str]) -> int:
    """Keep the translations typed for the page's current texts (by text_key; blank ones and
    keys of texts that changed meanwhile are dropped); return how many are kept."""
    texts = {}
    for source in source_texts(page):
        translated = (by_key.get(text_key(source)) or "").strip()
        if translated:
            texts[source] = translated
    found = db.session.get(PageTranslation, (page, language))
    if found is None:
        found = PageTranslation(page=page, language=language)
        db.session.add(found)
    found.content = {"texts": texts}
    found.author_id = author.id if author else None
    db.session.flush()
    record_audit(author, "page translated", "page", None,
                 detail={"page": page, "language": language, "texts": len(texts)})
    return len(texts)


def _reader_language() -> str | None:
    """The page's language when it is not the default one (None: show the default)."""
    language = str(get_locale())
    return language if language in translation_languages() else None


def _translator(page: str):
    language = _reader_language()
    texts = get_translations(page, language) if language else {}
    return lambda text: texts.get(text, text) if text else text


def _copy(row, **changed) -> SimpleNamespace:
    """A plain copy of a row with some fields in another language: the row itself is never
    changed (it would be written back)."""
    values = {column.key: getattr(row, column.key) for column in row.__mapper__.column_attrs}
    return SimpleNamespace(**{**values, **changed})


def aims() -> list[Aim | SimpleNamespace]:
    """The aims in the reader's language where translated."""
    tr = _translator("aims")
    return [_copy(aim, text=tr(aim.text)) for aim in services.list_aims()]


def next_steps() -> list[NextStep | SimpleNamespace]:
    tr = _translator("next_steps")
    return [_copy(step, title=tr(step.title), body=tr(step.body))
            for step in services.list_next_steps()]


def ecosystem() -> tuple[str, list[EcosystemSection | SimpleNamespace]]:
    """The directory's introduction and sections, in the reader's language where translated."""
    tr = _translator("ecosystem")

    def entry(row: EcosystemEntry) -> SimpleNamespace:
        return _copy(row, sector=tr(row.sector), description=tr(row.description))

    sections = [_copy(section, title=tr(section.title),
                      entries=[entry(row) for row in section.entries])
                for section in services.list_sections()]
    return tr(services.get_page_text("ecosystem_intro")), sections
