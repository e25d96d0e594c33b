"""The whole published schema, exercised in process: no 5xx, every response as documented."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks

pytestmark = pytest.mark.django_db

# Loaded when the module is collected: generating the schema reads no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


# What the issue asks of every response: no 5xx; status, content type, headers
# and body as documented. (Schemathesis's opinions on which loose inputs a
# server should accept or refuse are left out: bad input is refused here with
# a problem document, and test_errors.py pins each refusal.)
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Like Django's test client: a request must not close the test's connection
    (its transaction holds the seed and is rolled back after the test)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_answers_as_its_schema_says(case, issued):
    # Compression is tested on its own (test_access.py); the WSGI transport does not
    # undo it.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {issued[1]}", "Accept-Encoding": "identity"},
        checks=CHECKS,
    )
