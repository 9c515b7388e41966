"""Creating lists and changing their settings: checked field by field, every change audited.

The settings page and `listserve lists` both come here, so the web and the command line refuse
the same things with the same words. Values may arrive typed (a form) or as text (the command
line); each cleaner takes either.
"""

import re
from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from listserve.committee.audit import record_audit
from listserve.core.addresses import InvalidAddress, normalise_address
from listserve.core.db import utcnow
from listserve.core.headers import has_control_characters, is_header_safe
from listserve.core.lists import (
    AttachmentPolicy,
    CommentPolicy,
    DigestSchedule,
    ListKind,
    MailingList,
    NonMemberPolicy,
    ReplyToPolicy,
)
from listserve.extensions import db

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
# Local parts listserve inbound answers for every list (<slug>-request@ …), and mailboxes that
# must stay the postmaster's.
RESERVED_SUFFIXES = ("-request", "-leave", "-confirm", "-bounces", "-owner", "-join")
RESERVED_SLUGS = {"bounces", "postmaster", "abuse", "mailer-daemon", "noreply", "root"}
MAX_APPROVALS = 20


class ListSettingsError(ValueError):
    """Settings that cannot be saved: `errors` maps each setting to what is wrong with it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = errors


def _text(max_length: int, *, one_line: bool, required: bool = False) -> Callable:
    def clean(value) -> str:
        text = "" if value is None else str(value).strip()
        if required and not text:
            raise ValueError(_("Please fill this in."))
        if len(text) > max_length:
            raise ValueError(_("At most %(max)s characters, please (this has %(length)s).",
                               max=max_length, length=len(text)))
        if one_line and not is_header_safe(text):
            raise ValueError(_("Please keep this on one line: line breaks are not allowed here."))
        text = text.replace("\r\n", "\n")
        if has_control_characters(text if one_line else text.replace("\n", "")):
            raise ValueError(_("This contains control characters; please retype it."))
        return text
    return clean


def _choice(enum_type) -> Callable:
    allowed = [member.value for member in enum_type]

    def clean(value) -> str:
        text = str(value or "").strip()
        if text not in allowed:
            raise ValueError(_("Choose one of: %(choices)s.", choices=", ".join(allowed)))
        return text
    return clean


def _flag(value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text in ("1", "true", "yes", "on", "y"):
        return True
    if text in ("0", "false", "no", "off", "n", ""):
        return False
    raise ValueError(_("Say yes or no (true/false)."))


def _approvals(value) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValueError(_("A whole number, please.")) from None
    if not 0 <= number <= MAX_APPROVALS:
        raise ValueError(_("Between %(low)s and %(high)s, please.", low=0, high=MAX_APPROVALS))
    return number


def _whole_number(low: int, high: int) -> Callable:
    def clean(value) -> int:
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            raise ValueError(_("A whole number, please.")) from None
        if not low <= number <= high:
            raise ValueError(_("Between %(low)s and %(high)s, please.", low=low, high=high))
        return number

    return clean


def _from_address(value) -> str:
    text = str(value or "").strip()
    if not text:
        return ""  # the list's own address
    if not is_header_safe(text) or has_control_characters(text):
        raise ValueError(_("Please keep this on one line: line breaks are not allowed here."))
    try:
        address = normalise_address(text)[0]
    except InvalidAddress as exc:
        raise ValueError(str(exc)) from None
    domain = current_app.config["LIST_DOMAIN"]
    if address.rpartition("@")[2].lower() != domain.lower():
        # Mail from another domain would fail its DMARC checks (we sign for LIST_DOMAIN).
        raise ValueError(_("The sender address must be on %(domain)s.", domain=domain))
    return address


# Every setting an admin may change, in the order the page shows them.
CLEANERS: dict[str, Callable] = {
    "name": _text(200, one_line=True, required=True),
    "description": _text(5000, one_line=False),
    "public": _flag,
    "kind": _choice(ListKind),
    "from_name": _text(200, one_line=True),
    "from_address": _from_address,
    "reply_to_policy": _choice(ReplyToPolicy),
    "subject_prefix": _text(60, one_line=True),
    "required_approvals": _approvals,
    "comment_policy": _choice(CommentPolicy),
    "welcome_text": _text(20_000, one_line=False),
    "footer": _text(5000, one_line=False),
    "consent_text": _text(2000, one_line=False, required=True),
    "digest_schedule": _choice(DigestSchedule),
    # Discussion lists: who may post and what a post may carry (listserve.inbound.posting).
    "moderate_first_posts": _whole_number(0, 100),
    "nonmember_policy": _choice(NonMemberPolicy),
    "max_message_kb": _whole_number(1, 100_000),
    "attachment_policy": _choice(AttachmentPolicy),
    "held_expiry_days": _whole_number(1, 365),
}
SETTING_NAMES = [*CLEANERS, "archived"]


def clean_slug(value) -> str:
    """Raises ValueError with what is wrong."""
    slug = str(value or "").strip().lower()
    if not SLUG.match(slug):
        raise ValueError(
            _("Use 1 to 64 lower-case letters, digits and dashes (not at either end)."))
    if slug.replace("-", "").isdigit():
        # /archive/<list>/ would read like the old /archive/<year>/ addresses.
        raise ValueError(_("Use at least one letter."))
    if slug in RESERVED_SLUGS or slug.endswith(RESERVED_SUFFIXES):
        raise ValueError(_("This name is kept for the mail system; please choose another."))
    return slug


def clean_settings(values: dict) -> dict:
    """The checked values; raises ListSettingsError naming every setting that is wrong."""
    cleaned, errors = {}, {}
    for name, value in values.items():
        if name == "archived":
            cleaner = _flag
        elif name in CLEANERS:
            cleaner = CLEANERS[name]
        else:
            errors[name] = _("There is no setting %(name)r.", name=name)
            continue
        try:
            cleaned[name] = cleaner(value)
        except ValueError as exc:
            errors[name] = str(exc)
    if errors:
        raise ListSettingsError(errors)
    return cleaned


def create_list(actor, slug: str, settings: dict) -> MailingList:
    """A new list on LIST_DOMAIN. Raises ListSettingsError (the slug under "slug")."""
    defaults = {"consent_text": current_app.config["CONSENT_TEXT"]}
    errors = {}
    try:
        slug = clean_slug(slug)
    except ValueError as exc:
        errors["slug"] = str(exc)
    try:
        cleaned = clean_settings({**defaults, **settings})
    except ListSettingsError as exc:
        errors.update(exc.errors)
    if not errors and db.session.scalar(sa.select(MailingList.id).filter_by(slug=slug)):
        errors["slug"] = _("There is already a list with this address.")
    if errors:
        raise ListSettingsError(errors)
    archived = cleaned.pop("archived", False)
    mailing_list = MailingList(slug=slug, domain=current_app.config["LIST_DOMAIN"], **cleaned)
    mailing_list.archived_at = utcnow() if archived else None
    db.session.add(mailing_list)
    db.session.flush()
    record_audit(actor, "created", "list", mailing_list.id,
                 detail={"list": mailing_list.address, **_shown(cleaned)})
    return mailing_list


def change_list(actor, mailing_list: MailingList, settings: dict) -> dict:
    """Apply the settings that differ; return {setting: [old, new]} (audited when not empty).

    Raises ListSettingsError before anything changes.
    """
    cleaned = clean_settings(settings)
    changes = {}
    for name, value in cleaned.items():
        old = current_setting(mailing_list, name)
        if old == value:
            continue
        changes[name] = [old, value]
        if name == "archived":
            mailing_list.archived_at = utcnow() if value else None
        else:
            setattr(mailing_list, name, value)
    if changes:
        db.session.flush()
        action = "changed"
        if set(changes) == {"archived"}:
            action = "archived" if cleaned["archived"] else "restored"
        record_audit(actor, action, "list", mailing_list.id,
                     detail={"list": mailing_list.address, **changes})
    return changes


def current_setting(mailing_list: MailingList, name: str):
    if name == "archived":
        return mailing_list.archived
    return getattr(mailing_list, name)


def settings_of(mailing_list: MailingList) -> dict:
    return {name: current_setting(mailing_list, name) for name in SETTING_NAMES}


def _shown(settings: dict) -> dict:
    return {name: value for name, value in settings.items() if value not in ("", None)}
