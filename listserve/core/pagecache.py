"""Public pages rendered once and served from memory until their content changes.

A page is kept with the content version (listserve.core.content_version) it was rendered at. Each
process looks at the version at most every PAGE_CACHE_CHECK_SECONDS (1 s by default), and at
once after it committed a change itself; so an edit shows on every process within that bound,
and on the process that made it immediately.

What differs between visitors never enters the cache:
* the CSRF token: pages are rendered with a placeholder where the token goes, kept as the
  encoded pieces between placeholders, and each response joins them with the visitor's own
  token (listserve.core.signing);
* flashed messages: a visitor who has one waiting gets a freshly rendered page;
* a committee member's session: rendered afresh too, so nothing of theirs is ever stored.
Only plain 200 answers (HTML, the Atom feed) to GET/HEAD are kept, the least recently used
going first once they fill PAGE_CACHE_MEGABYTES.
"""

import secrets
import threading
import time
from collections import OrderedDict
from functools import wraps
from typing import NamedTuple

from flask import Flask, Response, current_app, g, make_response, request, session
from flask_babel import get_locale

from listserve.core.content_version import read_version
from listserve.core.signing import generate_csrf
from listserve.extensions import db

# Rendered where each visitor's CSRF token goes. Random per process, so no text a person
# writes (a comment, a post) can contain it and have a token swapped into it.
TOKEN_PLACEHOLDER = f"csrf-placeholder-{secrets.token_hex(16)}"
_PLACEHOLDER_BYTES = TOKEN_PLACEHOLDER.encode("ascii")
_PLAIN_HEADERS = {"content-type", "content-length"}
_KEPT_TYPES = {"text/html", "application/atom+xml"}


class KeptPage(NamedTuple):
    # The body as sent, in the pieces between token placeholders: one piece if it has no
    # form. Kept encoded, so a visit joins bytes rather than replacing in and encoding a
    # page of text (10 to 25 microseconds for pages with a non-ASCII character).
    pieces: tuple[bytes, ...]
    content_type: str

    @property
    def size(self) -> int:
        return sum(map(len, self.pieces))


class PageCache:
    def __init__(self):
        self._pages: OrderedDict[tuple, tuple[int, KeptPage]] = OrderedDict()
        self._size = 0  # bytes kept
        self._lock = threading.Lock()
        self._version: int | None = None
        self._checked_at = 0.0

    def version(self, app: Flask) -> int:
        now = time.monotonic()
        version = self._version
        bound = app.config["PAGE_CACHE_CHECK_SECONDS"]
        if version is None or now - self._checked_at >= bound:
            with db.engine.connect() as connection:
                version = read_version(connection)
            self._version, self._checked_at = version, now
        return version

    def forget_version(self) -> None:
        """Look at the counter again on the next request (this process changed content)."""
        self._version = None

    def get(self, key: tuple, version: int) -> KeptPage | None:
        with self._lock:
            hit = self._pages.get(key)
            if hit is None or hit[0] != version:
                return None
            self._pages.move_to_end(key)
            return hit[1]

    def put(self, key: tuple, version: int, page: KeptPage) -> None:
        budget = current_app.config["PAGE_CACHE_MEGABYTES"] * 1024 * 1024
        with self._lock:
            old = self._pages.pop(key, None)
            self._size -= old[1].size if old else 0
            self._pages[key] = (version, page)
            self._size += page.size
            while self._size > budget and self._pages:
                _, (_, dropped) = self._pages.popitem(last=False)
                self._size -= dropped.size


_CACHED_VIEWS: set = set()


def init_app(app: Flask) -> None:
    app.extensions["page_cache"] = PageCache()
    # Kept pages are answered before any other before_request function runs: none of them
    # has anything to do for a GET of a public page. (Rate limits are checked inside the
    # views that take a POST, never @cached_page ones.)
    app.before_request_funcs.setdefault(None, []).insert(0, serve_kept_page)


# The request, app and session are looked up once per function: each attribute read through
# Flask's context proxies costs as much as the lookup (~8k instructions), and a kept page is
# answered in a few dozen such reads.

def _servable_from_cache(app: Flask) -> bool:
    req, visit = request._get_current_object(), session._get_current_object()
    return (
        req.method in ("GET", "HEAD")
        and app.view_functions.get(req.endpoint) in _CACHED_VIEWS
        and app.config["PAGE_CACHE_MEGABYTES"] > 0
        and "_flashes" not in visit
        and "_user_id" not in visit
    )


def _key() -> tuple:
    req = request._get_current_object()
    return req.endpoint, req.script_root, req.full_path, str(get_locale())


def serve_kept_page() -> Response | None:
    """The kept copy of this page with the visitor's token in it, or None to render it."""
    app = current_app._get_current_object()
    if not _servable_from_cache(app):
        return None
    cache: PageCache = app.extensions["page_cache"]
    hit = cache.get(_key(), cache.version(app))
    return _personalised_copy(hit) if hit else None


def cached_page(view):
    """Mark a public page as kept in memory; the view runs only when its content changed."""

    @wraps(view)
    def render_and_keep(**kwargs):
        app = current_app._get_current_object()
        if not _servable_from_cache(app):
            return view(**kwargs)
        cache: PageCache = app.extensions["page_cache"]
        version = cache.version(app)  # read before rendering: the content is at least this new
        response = _render_with_placeholder(view, kwargs)
        if not _cacheable(response):
            return _personalised(response)
        page = KeptPage(tuple(response.get_data().split(_PLACEHOLDER_BYTES)),
                        response.content_type)
        cache.put(_key(), version, page)
        return _personalised_copy(page)

    _CACHED_VIEWS.add(render_and_keep)
    return render_and_keep


def _personalised_copy(page: KeptPage) -> Response:
    body, *more = page.pieces
    if more:  # a page without a form (the feed) makes no session
        body = generate_csrf().encode("ascii").join(page.pieces)
    return Response(body, content_type=page.content_type)


def _render_with_placeholder(view, kwargs) -> Response:
    # Flask-WTF keeps the page's signed token in g under the field name; forms render it.
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    setattr(g, field, TOKEN_PLACEHOLDER)
    try:
        return make_response(view(**kwargs))
    finally:
        g.pop(field, None)


def _cacheable(response: Response) -> bool:
    return (
        response.status_code == 200
        and response.mimetype in _KEPT_TYPES
        and not response.direct_passthrough
        and {name.lower() for name, _ in response.headers} <= _PLAIN_HEADERS
    )


def _personalised(response: Response) -> Response:
    if response.mimetype in _KEPT_TYPES and not response.direct_passthrough:
        body = response.get_data(as_text=True)
        if TOKEN_PLACEHOLDER in body:
            response.set_data(body.replace(TOKEN_PLACEHOLDER, generate_csrf()))
    return response
