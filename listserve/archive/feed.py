"""The archive's Atom feed (RFC 4287), built with ElementTree so every value is escaped."""

import re
from datetime import datetime
from xml.etree import ElementTree as ET

from flask import current_app

from listserve.archive.models import Post
from listserve.archive.services import post_url
from listserve.core.db import utcnow
from listserve.core.urls import external_url

ATOM = "http://www.w3.org/2005/Atom"
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _element(parent: ET.Element, tag: str, text: str | None = None, **attributes) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        element.text = _NOT_XML.sub("", text)
    return element


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def build_feed(posts: list[Post], mailing_list) -> bytes:
    """An Atom document of one list's archive with the full HTML of each post, newest first
    as given."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    home = external_url("archive.list_index", list_slug=mailing_list.slug)
    # Ids are for ever (RFC 4287): the main list's feed and every post keep the ones they had
    # before archives moved to /archive/<list>/, so feed readers show nothing twice.
    main = mailing_list.slug == current_app.config["LIST_SLUG"]
    _element(feed, "id", external_url("archive.index") if main else home)
    _element(feed, "title", f"{current_app.config['NETWORK_NAME']}: {mailing_list.name}")
    _element(feed, "updated", _stamp(posts[0].published_at if posts else utcnow()))
    _element(feed, "link", rel="self",
             href=external_url("archive.list_feed", list_slug=mailing_list.slug),
             type="application/atom+xml")
    _element(feed, "link", rel="alternate", href=home, type="text/html")
    author = _element(feed, "author")
    _element(author, "name", current_app.config["NETWORK_NAME"])
    for post in posts:
        url = post_url(post)
        entry = _element(feed, "entry")
        _element(entry, "id", external_url("archive.old_post", year=post.year, slug=post.slug))
        _element(entry, "title", post.subject)
        _element(entry, "published", _stamp(post.published_at))
        _element(entry, "updated", _stamp(post.published_at))
        _element(entry, "link", rel="alternate", href=url, type="text/html")
        _element(entry, "content", post.body_html, type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
