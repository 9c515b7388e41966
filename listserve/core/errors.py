"""A page of our own for every error a person can meet."""

from flask import Flask, current_app, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, NotFound

from listserve.core.forms import typed_fields
from listserve.core.ratelimits import retry_after

MESSAGES = {
    400: _l("The request could not be understood. Please go back and try again."),
    403: _l("You are not allowed to see this page."),
    404: _l("There is nothing at this address."),
    405: _l("This page cannot be used that way."),
    413: _l("What you sent is too large."),
    429: _l("Too many requests from your address. Please wait a little and try again."),
    500: _l("Something went wrong on our side. It has been logged; please try again later."),
}


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)


def handle_http_error(error: HTTPException):
    code = error.code or 500
    if isinstance(error, NotFound) and (other := _other_slash_url()):
        return redirect(other, 308)
    # A description given where the error was raised (abort(400, "…")) is written for the
    # person; werkzeug's own defaults are not, so ours replace them.
    given = error.description != type(error).description
    message = error.description if given else MESSAGES.get(code, error.description)
    if code == 429:
        return _render_rate_limited(error)
    return render_template("errors/error.html", code=code, message=message), code


def handle_csrf_error(error: CSRFError):
    message = _(
        "This form was open too long or came from another site, so it was not sent. "
        "Go back, reload the page and send it again; what you typed is still in the form."
    )
    return render_template("errors/error.html", code=400, message=message), 400


def _render_rate_limited(error: HTTPException):
    # Keep what the person typed: the subscribe form is shown again, filled in.
    typed_email = typed_fields().get("email", "")
    response = render_template(
        "errors/error.html",
        code=429,
        message=MESSAGES[429],
        typed_email=typed_email,
    )
    return response, 429, retry_after(error)


def _other_slash_url() -> str | None:
    """The address with its trailing slash added or dropped, when that one is a page: people
    type /committee/pages/ and /committee/announcements alike."""
    path = request.path
    # Only when no route matched: a page that said "not found" itself (a post, a page number
    # beyond any database integer) is not found under the other spelling either.
    if request.url_rule is not None or path == "/" or "//" in path:
        return None
    other = path[:-1] if path.endswith("/") else path + "/"
    adapter = current_app.url_map.bind("")
    try:
        adapter.match(other, method=request.method)
    except HTTPException:  # also werkzeug's RequestRedirect: no page there either
        return None
    query = request.query_string.decode("latin-1")
    return request.script_root + other + (f"?{query}" if query else "")
