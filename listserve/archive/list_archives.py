"""Which list's archive a page shows: /archive/<list>/… for every public list.

Posts stored before there were several lists (or imported without one) have no list and
belong to the main list's archive. Hidden lists have no public archive.
"""

import sqlalchemy as sa
from flask import abort, current_app

from listserve.archive.models import Post
from listserve.core.lists import MailingList, get_default_list, lists_for_pages
from listserve.extensions import db


def public_archive_or_404(list_slug: str) -> MailingList:
    for mailing_list in lists_for_pages():
        if mailing_list.slug == list_slug and mailing_list.public:
            return mailing_list
    abort(404)


def archive_of(post: Post) -> MailingList:
    """The list whose archive holds this post."""
    wanted = post.list_id
    main = current_app.config["LIST_SLUG"]
    for mailing_list in lists_for_pages():
        if mailing_list.id == wanted or (wanted is None and mailing_list.slug == main):
            return mailing_list
    # Made since this app context read the lists (a long-lived worker's context).
    return (db.session.get(MailingList, wanted) if wanted is not None else None) or (
        get_default_list())


def in_list(mailing_list: MailingList | None) -> sa.ColumnElement[bool]:
    """Posts of this list (None: every list)."""
    if mailing_list is None:
        return sa.true()
    if mailing_list.slug == current_app.config["LIST_SLUG"]:
        return sa.or_(Post.list_id == mailing_list.id, Post.list_id.is_(None))
    return Post.list_id == mailing_list.id


def list_slug_of(post: Post) -> str:
    """The slug of the list whose archive holds this post."""
    return archive_of(post).slug


def list_slug_for(year: int, slug: str) -> str:
    """The list slug of the post at /archive/<year>/<slug> (the main list when none). A
    query: pages that know the list pass its slug to url_for themselves."""
    list_id = db.session.scalar(sa.select(Post.list_id).filter_by(year=year, slug=slug))
    for mailing_list in lists_for_pages():
        if mailing_list.id == list_id:
            return mailing_list.slug
    return current_app.config["LIST_SLUG"]
