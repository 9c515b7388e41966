"""The lists: every subscription, announcement, post and setting belongs to one.

The default list (LIST_SLUG, the one everyone joins) is made by the migrations and again by
the commands that start the site or a worker (`ensure_default_list`), so reading it never writes.
A list's settings are changed only through listserve.committee.list_settings (validated and
audited); this module only holds them and reads them.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, g
from sqlalchemy.orm import Mapped, mapped_column

from listserve.core.content_version import PUBLIC_CONTENT
from listserve.core.db import UTCDateTime, utcnow
from listserve.extensions import db


class DefaultListMissing(LookupError):
    """The configured list is not in the database: `listserve db upgrade` makes it."""


class ListKind(enum.StrEnum):
    ANNOUNCE = "announce"  # only the committee posts (List-Post: NO)
    DISCUSSION = "discussion"  # subscribers post too (its behaviour: issue 24)


class ReplyToPolicy(enum.StrEnum):
    NONE = "none"  # replies go to From (the list's own address, answered by listserve inbound)
    LIST = "list"  # Reply-To: the list's address
    AUTHOR = "author"  # Reply-To: whoever wrote the message


class CommentPolicy(enum.StrEnum):
    OPEN = "open"  # a verified reader's comment is published at once
    FIRST_HELD = "first_held"  # a reader's first comment waits for the committee
    ALL_HELD = "all_held"  # every comment waits for the committee
    CLOSED = "closed"  # no new comments


class NonMemberPolicy(enum.StrEnum):
    HOLD = "hold"  # held for a moderator
    REJECT = "reject"  # sent back with a clear reason
    DISCARD = "discard"  # dropped (kept only in the inbound log)


class AttachmentPolicy(enum.StrEnum):
    STRIP = "strip"  # the text goes out, the attachments are named in a note
    KEEP = "keep"  # every copy carries the attachments; the archive lists them
    HOLD = "hold"  # a post with attachments waits for a moderator


class DigestSchedule(enum.StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"


class MailingList(db.Model):
    __tablename__ = "mailing_list"
    # Public pages show lists (the subscribe form, the archive): a change refreshes them.
    __table_args__ = PUBLIC_CONTENT

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    domain: Mapped[str] = mapped_column(sa.String(253))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # Shown on the site (subscribe form, archive); a hidden list is joined only by invitation
    # or import.
    public: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    kind: Mapped[str] = mapped_column(sa.String(16), default=ListKind.ANNOUNCE,
                                      server_default=ListKind.ANNOUNCE.value)
    # Empty: the list's name and its own address (slug@domain).
    from_name: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    from_address: Mapped[str] = mapped_column(sa.String(320), default="", server_default="")
    reply_to_policy: Mapped[str] = mapped_column(
        sa.String(16), default=ReplyToPolicy.NONE, server_default=ReplyToPolicy.NONE.value)
    subject_prefix: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    required_approvals: Mapped[int] = mapped_column(default=1)
    comment_policy: Mapped[str] = mapped_column(
        sa.String(16), default=CommentPolicy.OPEN, server_default=CommentPolicy.OPEN.value)
    welcome_text: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    footer: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # The exact statement a person agrees to when joining (kept by hash in every consent record).
    consent_text: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    digest_schedule: Mapped[str] = mapped_column(
        sa.String(16), default=DigestSchedule.WEEKLY, server_default=DigestSchedule.WEEKLY.value)
    # Discussion lists (issue 24): who may post, and what a post may carry.
    moderate_first_posts: Mapped[int] = mapped_column(default=0, server_default="0")
    nonmember_policy: Mapped[str] = mapped_column(
        sa.String(16), default=NonMemberPolicy.HOLD, server_default=NonMemberPolicy.HOLD.value)
    max_message_kb: Mapped[int] = mapped_column(default=512, server_default="512")
    attachment_policy: Mapped[str] = mapped_column(
        sa.String(16), default=AttachmentPolicy.STRIP,
        server_default=AttachmentPolicy.STRIP.value)
    held_expiry_days: Mapped[int] = mapped_column(default=14, server_default="14")
    # Archived: no new subscriptions, sends or comments; its archive stays readable.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def address(self) -> str:
        """Where mail to the list goes: slug@domain."""
        return f"{self.slug}@{self.domain}"

    @property
    def sender_address(self) -> str:
        return self.from_address or self.address

    @property
    def sender_name(self) -> str:
        return self.from_name or self.name

    @property
    def announce_only(self) -> bool:
        """Subscribers cannot post (List-Post: NO)."""
        return self.kind == ListKind.ANNOUNCE

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    @property
    def list_id(self) -> str:
        """The RFC 2919 identifier: slug.domain."""
        return f"{self.slug}.{self.domain}"


def get_default_list() -> MailingList:
    """The list everyone joins (LIST_SLUG). Raises DefaultListMissing."""
    slug = current_app.config["LIST_SLUG"]
    mailing_list = db.session.scalar(sa.select(MailingList).filter_by(slug=slug))
    if mailing_list is None:
        raise DefaultListMissing(f"no list {slug!r}: run `listserve db upgrade`")
    return mailing_list


def get_list_by_slug(slug: str) -> MailingList | None:
    return db.session.scalar(sa.select(MailingList).filter_by(slug=slug))


def all_lists(include_archived: bool = True) -> list[MailingList]:
    """Every list, the default one first, then by name."""
    query = sa.select(MailingList)
    if not include_archived:
        query = query.where(MailingList.archived_at.is_(None))
    default = current_app.config["LIST_SLUG"]
    return list(db.session.scalars(
        query.order_by((MailingList.slug != default), MailingList.name, MailingList.id)))


def public_lists() -> list[MailingList]:
    """The lists a visitor may join on the site: public and not archived."""
    return [m for m in all_lists(include_archived=False) if m.public]


def lists_for_pages() -> list[MailingList]:
    """Every list, read once per request (or app context): for pages that show lists, the
    subscribe footer and the archives; never for code that changes them."""
    if "mailing_lists" not in g:
        g.mailing_lists = all_lists()
    return g.mailing_lists


def ensure_default_list(connection: sa.Connection) -> None:
    """Make the configured list if it is missing (start-up and tests; idempotent)."""
    cfg = current_app.config
    table = MailingList.__table__
    if connection.scalar(sa.select(table.c.id).where(table.c.slug == cfg["LIST_SLUG"])):
        return
    connection.execute(table.insert().values(
        slug=cfg["LIST_SLUG"], name=cfg["LIST_NAME"], domain=cfg["LIST_DOMAIN"], description="",
        kind=ListKind.ANNOUNCE.value, required_approvals=1,
        comment_policy=CommentPolicy.OPEN.value, consent_text=cfg["CONSENT_TEXT"],
        created_at=utcnow(),
    ))
