"""Each address's standing on a discussion list: counted member, free to post, or banned."""

import sqlalchemy as sa

from listserve.archive.models import ListPoster, PosterStanding
from listserve.extensions import db


def standing_of(list_id: int, key: str) -> ListPoster | None:
    return db.session.scalar(sa.select(ListPoster).filter_by(list_id=list_id, email_key=key))


def set_standing(list_id: int, key: str, standing: PosterStanding) -> ListPoster:
    poster = standing_of(list_id, key)
    if poster is None:
        poster = ListPoster(list_id=list_id, email_key=key, accepted_posts=0)
        db.session.add(poster)
    poster.standing = standing
    db.session.flush()
    return poster


def count_post(list_id: int, key: str) -> None:
    poster = standing_of(list_id, key)
    if poster is None:
        poster = set_standing(list_id, key, PosterStanding.MEMBER)
    poster.accepted_posts += 1
