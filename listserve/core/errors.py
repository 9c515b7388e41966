"""A page of our own for every error a person can meet."""

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from listserve.core.forms import typed_fields
from listserve.core.ratelimits import retry_after

MESSAGES = {
    400: "The request could not be understood. Please go back and try again.",
    403: "You are not allowed to see this page.",
    404: "There is nothing at this address.",
    405: "This page cannot be used that way.",
    413: "What you sent is too large.",
    429: "Too many requests from your address. Please wait a little and try again.",
    500: "Something went wrong on our side. It has been logged; please try again later.",
}


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)


def handle_http_error(error: HTTPException):
    code = error.code or 500
    # A description given where the error was raised (abort(400, "…")) is written for the
    # person; werkzeug's own defaults are not, so ours replace them.
    given = error.description != type(error).description
    message = error.description if given else MESSAGES.get(code, error.description)
    if code == 429:
        return _render_rate_limited(error)
    return render_template("errors/error.html", code=code, message=message), code


def handle_csrf_error(error: CSRFError):
    message = (
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
