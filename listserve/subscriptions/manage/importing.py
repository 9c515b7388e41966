"""Importing subscribers from a CSV file: streamed, in batches, with every bad line reported.

Consent comes from the person. Imported addresses are pending and get a confirmation mail,
unless the admin attests that these people already confirmed elsewhere; either way the
admin's statement of where consent came from is kept on every consent record.
"""

import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from listserve.core.addresses import address_hash
from listserve.core.db import utcnow
from listserve.core.headers import check_header_value, has_control_characters
from listserve.core.i18n import languages, mail_language
from listserve.core.lists import MailingList, get_default_list
from listserve.delivery.models import Mailing
from listserve.delivery.outbox import CONFIRM_URL, create_bulk_notice, render_mail
from listserve.extensions import db
from listserve.subscriptions.manage import import_writes
from listserve.subscriptions.manage.import_rows import ImportRefused, ImportRow, RowError, read_rows
from listserve.subscriptions.models import ConsentText, SubscriptionStatus

BATCH_SIZE = 5000
ERRORS_KEPT = 1000  # beyond these, bad lines are counted, not listed
SOURCE_MAX = 150
ATTESTED_TEXT = (
    "Consent was given outside this site. The committee admin who imported this address "
    "attested that the person had already confirmed they want the network's announcements."
)
ERASED = "this address was erased at the person's request; only they can subscribe it again"


@dataclass
class ImportReport:
    rows: int = 0
    added: int = 0
    duplicates: int = 0  # merged into an earlier line of the same file
    already_on_list: int = 0  # left as they were
    erased: int = 0
    invalid: int = 0
    confirmations_queued: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def errors_not_listed(self) -> int:
        return self.invalid + self.erased - len(self.errors)

    def note(self, error: RowError) -> None:
        if len(self.errors) < ERRORS_KEPT:
            self.errors.append(error)


@dataclass
class _Import:
    """What every batch of one import shares."""

    mailing_list: MailingList
    source: str
    attested: bool
    now: datetime
    report: ImportReport
    text_sha256: str
    mailings: dict[str, Mailing] = field(default_factory=dict)  # language -> its mailing


def import_subscribers(
    lines: Iterable[str],
    consent_source: str,
    already_confirmed: bool = False,
    imported_by: str = "",
    mailing_list: MailingList | None = None,
    progress: Callable[[ImportReport], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Read a CSV of subscribers into the list; flushes, never commits.

    Raises ImportRefused when the consent source is missing or the file has no email column.
    """
    mailing_list = mailing_list or get_default_list()
    job = _Import(
        mailing_list=mailing_list,
        source=consent_source_label(consent_source, already_confirmed, imported_by),
        attested=already_confirmed,
        now=utcnow(),
        report=ImportReport(),
        text_sha256=_consent_text(already_confirmed, mailing_list),
    )
    import_writes.open_staging()
    batch: dict[str, ImportRow] = {}
    for item in read_rows(lines, job.now, languages()):
        job.report.rows += 1
        if isinstance(item, RowError):
            job.report.invalid += 1
            job.report.note(item)
        elif item.email_key in batch:
            _merge(batch[item.email_key], item)
            job.report.duplicates += 1
        else:
            batch[item.email_key] = item
            if len(batch) >= batch_size:
                _write_batch(job, list(batch.values()))
                batch.clear()
                if progress:
                    progress(job.report)
    _write_batch(job, list(batch.values()))
    import_writes.close_staging()
    db.session.flush()
    return job.report


def consent_source_label(source: str, attested: bool, imported_by: str) -> str:
    """What every consent record of the import keeps (raises ImportRefused, UnsafeHeaderValue)."""
    source = (source or "").strip()
    if not source:
        raise ImportRefused(_("Say where these people gave their consent (the consent source)."))
    check_header_value(source, "consent source")
    if has_control_characters(source) or len(source) > SOURCE_MAX:
        raise ImportRefused(_("The consent source must be one line of at most %(max)s "
                              "characters.", max=SOURCE_MAX))
    prefix = "import, confirmed elsewhere" if attested else "import"
    by = f" by {imported_by}" if imported_by else ""
    return f"{prefix}{by}: {source}"[:200]


def _consent_text(attested: bool, mailing_list: MailingList) -> str:
    text = ATTESTED_TEXT if attested else mailing_list.consent_text
    digest = hashlib.sha256(text.encode()).hexdigest()
    if db.session.get(ConsentText, digest) is None:
        db.session.add(ConsentText(sha256=digest, text=text))
        db.session.flush()
    return digest


def _merge(first: ImportRow, later: ImportRow) -> None:
    """Duplicates merge: the first line wins, a later one only fills in a missing name."""
    if not first.name and later.name:
        first.name = later.name


def _write_batch(job: _Import, rows: list[ImportRow]) -> None:
    if not rows:
        return
    list_id = job.mailing_list.id
    counts = import_writes.write_batch([_staged(job, row) for row in rows], list_id, job.now)
    for line in sorted(counts.erased_lines):
        job.report.note(RowError(line, ERASED))
    job.report.erased += len(counts.erased_lines)
    job.report.duplicates += counts.duplicates
    job.report.already_on_list += counts.already_on_list
    job.report.added += sum(counts.added.values())
    if sum(n for status, n in counts.added.items() if status != SubscriptionStatus.UNSUBSCRIBED):
        import_writes.insert_consent_records(list_id, job.source, job.text_sha256)
    pending = counts.added.get(SubscriptionStatus.PENDING.value, 0)
    if pending:
        for language in import_writes.pending_languages():
            mailing = _confirmation_mailing(job, mail_language(language))
            import_writes.queue_confirmations(mailing.id, list_id, job.now, language)
        job.report.confirmations_queued += pending


def stored_status(status: str | None, attested: bool) -> str:
    """What an imported line becomes: without the attestation, only the person confirms."""
    if status == SubscriptionStatus.UNSUBSCRIBED:
        return SubscriptionStatus.UNSUBSCRIBED
    if not attested:
        return SubscriptionStatus.PENDING
    return SubscriptionStatus(status or SubscriptionStatus.CONFIRMED)


def _staged(job: _Import, row: ImportRow) -> tuple:
    """The row as import_writes.STAGED lists its columns."""
    status = stored_status(row.status, job.attested)
    consented = row.consent_date or job.now
    pending = status == SubscriptionStatus.PENDING
    return (
        row.line, row.email, row.email_key, row.name, address_hash(row.email_key),
        status.value,
        consented,
        consented if status in _CONFIRMED_ONCE else None,
        job.now if status == SubscriptionStatus.UNSUBSCRIBED else None,
        job.now if status == SubscriptionStatus.DISABLED else None,
        secrets.token_hex(8) if pending else None,
        job.now if pending else None,
        row.language,
    )


_CONFIRMED_ONCE = (SubscriptionStatus.CONFIRMED, SubscriptionStatus.DISABLED)


def _confirmation_mailing(job: _Import, language: str) -> Mailing:
    """One mailing per language for all of this import's confirmation requests, each
    rendered once."""
    if language not in job.mailings:
        mailing_list = job.mailing_list
        text, html = render_mail(
            "subscriptions/manage/import_confirm",
            language,
            mailing_list=mailing_list,
            confirm_url=CONFIRM_URL,
            max_age_days=current_app.config["CONFIRM_MAX_AGE"] // 86400,
        )
        with force_locale(language):
            subject = _("Please confirm: join %(lists)s", lists=mailing_list.name)
        job.mailings[language] = create_bulk_notice(
            mailing_list=mailing_list,
            purpose="subscription.confirm",
            subject=subject,
            text_body=text,
            html_body=html,
            language=language,
        )
    return job.mailings[language]
