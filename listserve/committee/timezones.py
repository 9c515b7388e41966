"""Times shown to a committee member are in their own time zone; stored times are UTC."""

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from flask_login import current_user


def member_zone(member=None) -> ZoneInfo:
    member = member or current_user
    name = getattr(member, "time_zone", None) or current_app.config["TIME_ZONE"]
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(moment: datetime | None, with_zone: bool = True) -> str:
    """A Jinja filter: "2026-05-01 18:30 Europe/Berlin"."""
    if moment is None:
        return ""
    zone = member_zone()
    shown = moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    return f"{shown} {zone.key}" if with_zone else shown


def from_local_input(naive: datetime, member=None) -> datetime:
    """A datetime-local form value, read in the member's zone, as an aware datetime."""
    return naive.replace(tzinfo=member_zone(member))
