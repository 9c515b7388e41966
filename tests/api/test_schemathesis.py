"""Schemathesis generates requests from the served OpenAPI document and runs them against the
app with a token of each scope: no 5xx, and every answer matches the document (status codes,
content types, headers, bodies). A few examples per operation keep the suite fast."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import given as hypothesis_given
from schemathesis import checks as sc

from listserve.api.models import Scope
from tests.api.helpers import bearer, make_token
from tests.committee.helpers import make_member

CHECKS = [sc.not_a_server_error, sc.status_code_conformance, sc.content_type_conformance,
          sc.response_headers_conformance, sc.response_schema_conformance]
EXAMPLES = 6  # per operation and scope


def seed(app, client, secret):
    """Something to find: a list (made by the migration), a subscriber, a draft."""
    client.post("/api/v1/subscribers", headers=bearer(secret), json={
        "email": "dana@example.org", "consent_source": "seed", "consent_attested": True})
    client.post("/api/v1/announcements", headers=bearer(secret),
                json={"subject": "Seed", "body": "Text"})


@pytest.mark.parametrize("scope", [scope.value for scope in Scope])
def test_the_api_keeps_to_its_document(app, client, scope):
    app.config["API_RATE_LIMIT"] = "100000 per minute"
    admin_id = make_member(app, "ana@example.org", role="admin")
    seed(app, client, make_token(app, admin_id, ["admin"], name="seed"))
    headers = bearer(make_token(app, admin_id, [scope]))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @hypothesis_given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    assert failures == []
