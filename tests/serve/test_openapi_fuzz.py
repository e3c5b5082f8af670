"""Schemathesis generates requests from /openapi.json: none may answer a server error, and every answer
must be one the document describes (status, content type, body schema).

Driven through schemathesis' strategies rather than its pytest plugin, which does not run on pytest 9.
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_no_generated_request_gets_a_server_error_or_an_undocumented_answer(news_index):
    from searchkit.serve import create_app

    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(news_index))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {operation.path for operation in operations} >= {"/api/search", "/api/articles/{article_id}"}
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def call(case):
            case.call_and_validate(checks=CHECKS)

        call()
