"""Headers every response carries."""

from flask import Flask, request

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def _headers(referrer_policy: str) -> tuple[tuple[str, str], ...]:
    return (
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", referrer_policy),
    )


# Ready lists: every response gets one of them, less the headers its view already set.
PLAIN_PAGE = _headers("strict-origin-when-cross-origin")
# A URL that carries a token must not leak it to the sites its page links to.
TOKEN_PAGE = _headers("no-referrer")


def init_app(app: Flask) -> None:
    app.after_request(set_security_headers)


def set_security_headers(response):
    req = request._get_current_object()  # one lookup through the context proxy, not three
    carries_token = bool(req.view_args and "token" in req.view_args)
    wanted = TOKEN_PAGE if carries_token else PLAIN_PAGE
    if req.is_secure:
        wanted += (HSTS,)
    headers = response.headers
    # One pass over what is there: asking werkzeug's Headers for a missing name raises and
    # catches an exception, which cost more than the rest of this function.
    present = {name.lower() for name, _ in headers}
    headers.extend([(name, value) for name, value in wanted if name.lower() not in present])
    return response
