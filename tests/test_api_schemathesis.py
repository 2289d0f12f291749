"""schemathesis against the running server's OpenAPI schema: no 500s, and every response's
status and body conform to what the schema declares (errors included).

Bounded: a few examples per operation and no shrinking, so the whole run takes seconds. Writes
are generated without the token, so they exercise the refusals and change nothing. The schema
is loaded from the session server, and each operation is driven with Hypothesis directly
(schemathesis's pytest plugin does not run under pytest 9 yet: `Function._nodeid`).
"""

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tests.conftest import ApiServer

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 25


def test_api_answers_as_its_schema_says_and_never_500(api_server: ApiServer) -> None:
    schema = schemathesis.openapi.from_url(api_server.url("/openapi.json"))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    failures: dict[str, str] = {}
    calls = 0
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def run(case) -> None:
            nonlocal calls
            calls += 1
            case.call_and_validate(base_url=api_server.base_url, timeout=30, checks=CHECKS)

        try:
            run()
        except Exception as exc:
            failures[operation.label] = f"{type(exc).__name__}: {exc}"[:1500]
    print(f"schemathesis: {len(operations)} operations, {calls} calls")
    assert not failures, "\n\n".join(f"{label}\n{text}" for label, text in failures.items())
