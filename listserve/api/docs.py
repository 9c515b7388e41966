"""The OpenAPI document (flask-smorest reads it from the routes), its browsable page, and
RFC 9457 problem details for every error under /api/v1.

flask-smorest would register an app-wide JSON error handler; ours answers problem+json under
/api/v1 only and leaves every other page to listserve.core.errors. Its docs pages (ReDoc,
Swagger UI) load scripts from a CDN and start them with inline script, which our
Content-Security-Policy refuses: the browsable page here is rendered on the server from the
same document, with no script at all.
"""

import http
import json

from flask import Flask, Response, render_template, request
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from listserve.core import errors as core_errors
from listserve.core.ratelimits import retry_after

PREFIX = "/api/v1"
PROBLEM = "application/problem+json"


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    type = fields.String(metadata={"description": "A URI naming the kind of problem"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    instance = fields.String()
    errors = fields.Dict(metadata={"description": "What was wrong with each field"})


class ListserveApi(Api):
    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        pass  # init_app below: problem details under /api/v1, our own pages elsewhere

    def _register_responses(self):
        # flask-smorest's error responses, documented as problem+json (what we send).
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            content_type = self.DEFAULT_RESPONSE_CONTENT_TYPE
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
                content_type = PROBLEM
            prepare_response(response, self.spec, content_type)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error (RFC 9457 problem details)",
                    "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def init_app(app: Flask) -> ListserveApi:
    app.config.update({
        "API_TITLE": "listserve",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.1.0",
        "OPENAPI_URL_PREFIX": PREFIX,
        "OPENAPI_JSON_PATH": "openapi.json",
    })
    api = ListserveApi(app, spec_kwargs={
        "security": [{"bearerAuth": []}],
        "servers": [{"url": app.config["BASE_URL"].rstrip("/")}],
        "info": {"description": "Tokens are made on the committee's API page. Send one as "
                                "`Authorization: Bearer lst_…`."},
    })
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    app.register_error_handler(HTTPException, _handle_http_error)
    app.add_url_rule(f"{PREFIX}/docs", "api_docs", _docs_page)
    app.extensions["listserve_api"] = api
    return api


def under_api() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def _handle_http_error(error: HTTPException):
    if not under_api():
        return core_errors.handle_http_error(error)
    return problem(error.code or 500, error.description, error)


def problem(status: int, detail: str | None = None, error: HTTPException | None = None,
            **extra) -> Response:
    """An RFC 9457 problem+json response."""
    body = {"type": "about:blank", "title": http.HTTPStatus(status).phrase, "status": status}
    if detail:
        body["detail"] = detail
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    if messages:
        body["errors"] = messages
    body.update(extra)
    headers = dict(retry_after(error)) if error is not None else {}
    headers.update((data.get("headers") or {}) if isinstance(data, dict) else {})
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="listserve"'
    if status == 405 and error is not None:
        headers.update({k: v for k, v in error.get_headers() if k == "Allow"})
    return Response(json.dumps(body), status, headers=headers, mimetype=PROBLEM)


def _docs_page():
    spec = app_api().spec.to_dict()
    return render_template("api/docs.html", spec=spec, spec_json=json.dumps(spec, indent=2))


def app_api() -> ListserveApi:
    from flask import current_app

    return current_app.extensions["listserve_api"]
