"""Which subscriptions read which language: the split a per-language mailing (a digest, a
notice rendered once for many) selects by."""

import sqlalchemy as sa

from listserve.core.i18n import default_language, languages
from listserve.subscriptions.models import Subscription


def speaks(language: str) -> sa.ColumnElement[bool]:
    """The subscriptions whose mail goes out in `language`: those that stored it, and for
    the site default also those with none stored or one no longer offered."""
    if language != default_language():
        return Subscription.language == language
    others = [code for code in languages() if code != default_language()]
    return sa.or_(Subscription.language.is_(None), Subscription.language.not_in(others))
