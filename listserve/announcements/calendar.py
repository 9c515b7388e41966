"""iCalendar files (RFC 5545, built with the icalendar package) for an announcement's events,
and the "add to calendar" link for web calendars."""

from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import icalendar

from listserve.announcements.event_models import AnnouncementEvent
from listserve.core.db import utcnow

PRODID = "-//listserve//network events//EN"


def local_start(event: AnnouncementEvent) -> datetime:
    return event.starts_at.astimezone(ZoneInfo(event.time_zone))


def local_end(event: AnnouncementEvent) -> datetime:
    return event.ends_at.astimezone(ZoneInfo(event.time_zone))


def event_ics(event: AnnouncementEvent, url: str = "", method: str = "PUBLISH") -> bytes:
    """One event as a calendar: DTSTART/DTEND in the event's own zone (TZID, with its
    VTIMEZONE), the event's UID and SEQUENCE, so a later update replaces it."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    entry = icalendar.Event()
    entry.add("uid", event.uid)
    entry.add("dtstamp", utcnow())
    entry.add("dtstart", local_start(event))
    entry.add("dtend", local_end(event))
    entry.add("sequence", event.sequence)
    entry.add("summary", event.title)
    if event.place or event.online_url:
        entry.add("location", event.place or event.online_url)
    description = "\n\n".join(x for x in (event.description, event.online_url, url) if x)
    if description:
        entry.add("description", description)
    if url:
        entry.add("url", url)
    calendar.add_component(entry)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def web_calendar_link(event: AnnouncementEvent) -> str:
    """Google Calendar's template link (other web calendars import the .ics)."""
    stamp = "%Y%m%dT%H%M%SZ"
    return "https://calendar.google.com/calendar/render?" + urlencode({
        "action": "TEMPLATE", "text": event.title,
        "dates": f"{event.starts_at.strftime(stamp)}/{event.ends_at.strftime(stamp)}",
        "ctz": event.time_zone, "location": event.place or event.online_url,
        "details": event.description,
    })
