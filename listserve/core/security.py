"""Security headers and the session cookie.

Headers every response carries.

Flask's signed-cookie session, unchanged but for its cost: the serializer is made once per
secret key, not twice per request, and signs with a kept signer (listserve.core.signing); and
saving a session adds `Vary: Cookie` in one step. The cookies are the ones Flask makes, and
Flask's own session interface reads them.
"""

import json

from flask import Flask, Response, request
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

from listserve.core.signing import KeptSerializer

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
# Pages that show a mail as a client would (its preview frame inherits the page's policy):
# a mail's styles sit on its elements, so inline styles are allowed there; scripts never are.
MAIL_PREVIEW_POLICY = CONTENT_SECURITY_POLICY + "; style-src 'self' 'unsafe-inline'"
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


class SessionJSON(TaggedJSONSerializer):
    """Flask's tagged JSON. Tags only ever mark values that are not plain strings (tuples,
    bytes, Markup, dates, …), so a session of plain strings (what a new visitor has: a CSRF
    token) is dumped as it is, without walking the tags; the JSON is the same."""

    _plain = json.JSONEncoder(separators=(",", ":"), sort_keys=True)

    def dumps(self, value) -> str:
        if (
            type(value) is dict
            and all(type(k) is str and type(v) is str for k, v in value.items())
            and not (len(value) == 1 and next(iter(value)) in self.tags)
        ):
            return self._plain.encode(value)
        return super().dumps(value)


class SessionInterface(SecureCookieSessionInterface):
    serializer = SessionJSON()

    def __init__(self):
        self._serializers: dict[tuple, KeptSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> KeptSerializer | None:
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if keys not in self._serializers:
            self._serializers[keys] = self._make_serializer(app)
        return self._serializers[keys]

    def _make_serializer(self, app: Flask) -> KeptSerializer | None:
        if not app.secret_key:
            return None
        return KeptSerializer(
            [*(app.config.get("SECRET_KEY_FALLBACKS") or ()), app.secret_key],
            salt=self.salt,
            serializer=self.serializer,
            signer_kwargs={"key_derivation": self.key_derivation,
                           "digest_method": self.digest_method},
        )

    def save_session(self, app: Flask, session: SecureCookieSession, response: Response) -> None:
        if not session:  # nothing to store, or a cookie to delete: Flask's own code
            return super().save_session(app, session, response)
        # The rest is Flask's save_session.
        if self.should_set_cookie(app, session):
            response.set_cookie(
                self.get_cookie_name(app),
                self.get_signing_serializer(app).dumps(dict(session)),
                expires=self.get_expiration_time(app, session),
                httponly=self.get_cookie_httponly(app),
                domain=self.get_cookie_domain(app),
                path=self.get_cookie_path(app),
                secure=self.get_cookie_secure(app),
                partitioned=self.get_cookie_partitioned(app),
                samesite=self.get_cookie_samesite(app),
            )
            vary_on_cookie(response)
        elif session.accessed:
            vary_on_cookie(response)


def vary_on_cookie(response: Response) -> None:
    """response.vary.add("Cookie"); werkzeug parses and writes the header back each time, and
    raises and catches an exception when there is none. A page whose language was negotiated
    already varies on Cookie (core.i18n), and then there is nothing to add."""
    present = [value for name, value in response.headers if name.lower() == "vary"]
    if not present:
        response.headers.add("Vary", "Cookie")
    elif "cookie" not in (token.strip().lower() for token in present[0].split(",")):
        response.vary.add("Cookie")  # werkzeug's, as ever (it reads the first Vary header)
