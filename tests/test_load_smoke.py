"""The load run (`python -m bench.load`) works: a few seconds with a few clients against the
session server, runaways included, and nothing but 200s and the runaways' intended 503s."""

from bench import load
from tests.conftest import ApiServer


def test_a_short_load_run_has_no_unexpected_answers(api_server: ApiServer) -> None:
    summary = load.run(api_server.base_url, clients=4, duration=3, runaways=1)
    print(summary)
    kinds = {kind for kind, _ in summary["by_kind_status"]}
    assert {"canned", "sparql", "runaway"} <= kinds
    assert summary["unexpected"] == 0, summary["by_kind_status"]
    assert summary["light_p99_ms"] > 0
