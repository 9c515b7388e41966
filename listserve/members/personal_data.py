"""The members feature's part of a person's data: their entry in the network, found by address
(listserve.core.personal_data asks for it on export and erasure)."""

import sqlalchemy as sa
from flask import Flask

from listserve.core.personal_data import Holder, register
from listserve.extensions import db
from listserve.members.directory import EXPORT_COLUMNS
from listserve.members.models import Member
from listserve.members.services import erase_members


def init_app(app: Flask) -> None:
    register(app, Holder("network_member", erase=erase_members, export=export_member))


def export_member(email_key: str) -> list[dict]:
    rows = db.session.scalars(sa.select(Member).filter_by(email_key=email_key))
    return [{column: _plain(getattr(member, column)) for column in EXPORT_COLUMNS
             if column != "ip"} for member in rows]


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value
