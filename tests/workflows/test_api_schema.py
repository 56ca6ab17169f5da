"""Schemathesis (property-based, from PyPI) against the API's own live schema: for every operation,
generated requests (valid and not) with a write token of a demo person, on the demo's data. No
answer may be a server error, and every documented answer must match its schema (#18)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from people.models import User
from people.tokens import token_create

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def api_schema(demo):
    """The schema, read from the application in this process. Requests keep the test's database
    connection, as Django's own test client does (a request's end would otherwise close it)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from config.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def token(demo):
    _token, raw = token_create(user=User.objects.get(username="chair"), name="schemathesis", scope="write", days=1)
    return raw


def test_no_operation_answers_a_server_error_or_breaks_its_schema(api_schema, token):
    """Each operation of the live schema, its cases drawn by Hypothesis from the schema (the
    operations are walked here rather than through schemathesis' pytest fixture, whose node ids
    this pytest no longer has)."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def call(case):
            case.call_and_validate(
                headers={"Authorization": f"Bearer {token}"},
                checks=[not_a_server_error, response_schema_conformance],
            )

        try:
            call()
        except Exception as failure:
            raise AssertionError(f"{operation.method.upper()} {operation.path}: {failure}") from failure
