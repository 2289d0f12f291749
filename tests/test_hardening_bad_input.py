"""The catalogue of bad input: each gives a 4xx (or, for injection, a harmless 200), never a 500,
and no data is lost. The session server (`api_server`, writes enabled) answers every case.

CLI cases already covered elsewhere and not repeated here (tests/test_ingest_validation.py):
invalid YAML, unknown entity references, duplicate ids, unknown classes/properties/concepts,
bad dates and missing evidence, each naming file, line and field and leaving the store as it was;
and `jalinan ingest` of bad facts exiting 2. Added here: the same through the CLI for invalid
YAML, binary garbage and duplicate ids on the curated facts, and the access log's one line.
"""

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from jalinan.cli import main
from tests.conftest import ApiServer, build_store
from tests.support import sorted_nquads

FACTS = Path(__file__).resolve().parents[1] / "ingest" / "facts"
FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
INJECTIONS = [
    'Mosti" } } ; DROP ALL ; #',
    "Mosti> } DELETE WHERE { ?s ?p ?o } #",
    "') } UNION { ?s ?p ?o } #",
    "<script>alert(1)</script>",
    "\u0000\u202e",
]

# (id, method, path, request options, expected statuses)
CASES: list[tuple[str, str, str, dict, set[int]]] = [
    ("malformed sparql", "GET", "/sparql", {"params": {"query": "SELEKT * WHERE { ?s ?p }"}}, {400}),
    ("unclosed brace", "POST", "/sparql", {"data": {"query": "SELECT * WHERE { ?s ?p ?o"}}, {400}),
    ("nul in query", "GET", "/sparql", {"params": {"query": "ASK {\x00}"}}, {400}),
    ("binary garbage body", "POST", "/sparql", {"content": bytes(range(256)) * 4,
                                               "headers": {"Content-Type": SPARQL_QUERY}}, {400}),
    ("binary garbage form", "POST", "/sparql", {"content": b"query=\xff\xfe\x00\x81",
                                               "headers": {"Content-Type": FORM}}, {400}),
    ("latin-1 sent as utf-8", "POST", "/sparql", {"content": 'ASK { ?s ?p "café" }'.encode("latin-1"),
                                                 "headers": {"Content-Type": SPARQL_QUERY}}, {400}),
    ("unknown charset", "POST", "/sparql", {"content": b"ASK {}",
                                           "headers": {"Content-Type": f"{SPARQL_QUERY}; charset=klingon"}}, {400}),  # noqa: E501
    ("a charset other than utf-8", "POST", "/sparql", {"content": "ASK {}".encode("utf-16"),
                                           "headers": {"Content-Type": f"{SPARQL_QUERY}; charset=utf-16"}}, {400}),  # noqa: E501
    ("huge body", "POST", "/sparql", {"content": b"ASK {}" + b" " * (2 * 1024 * 1024),
                                     "headers": {"Content-Type": SPARQL_QUERY}}, {413}),
    ("huge query", "POST", "/sparql", {"data": {"query": "ASK {}" + " " * 70_000}}, {413}),
    ("no media type", "POST", "/sparql", {"content": b"ASK {}"}, {415}),
    ("repeated query", "GET", "/sparql?query=ASK{}&query=ASK{}", {}, {400}),
    ("bad default graph", "GET", "/sparql", {"params": {"query": "ASK {}", "default-graph-uri": "not an iri"}}, {400}),  # noqa: E501
    ("bad timeout", "GET", "/sparql", {"params": {"query": "ASK {}", "timeout": "-1"}}, {400}),
    ("nan timeout", "GET", "/sparql", {"params": {"query": "ASK {}", "timeout": "nan"}}, {400}),
    ("bad format", "GET", "/sparql", {"params": {"query": "ASK {}", "format": "exe"}}, {406}),
    ("update by GET", "GET", "/sparql", {"params": {"update": "DROP ALL"}}, {400}),
    ("update without token", "POST", "/update", {"data": {"update": "DROP ALL"}}, {401}),
    ("update with wrong token", "POST", "/update", {"data": {"update": "DROP ALL"},
                                                   "headers": {"Authorization": "Bearer nope"}}, {403}),
    ("service", "GET", "/sparql", {"params": {"query": "ASK { SERVICE <http://127.0.0.1:1/> {} }"}}, {400}),
    ("unknown canned query", "GET", "/queries/no-such-query", {}, {404}),
    ("traversal in query name", "GET", "/queries/..%2F..%2Fetc%2Fpasswd", {}, {404}),
    ("dotted query name", "GET", "/queries/.env", {}, {404}),
    ("unknown canned parameter", "GET", "/queries/agreements-by-party", {"params": {"party": "Mosti", "x": "1"}},  # noqa: E501
     {422}),
    ("missing canned parameter", "GET", "/queries/agreements-by-party", {}, {422}),
    ("repeated canned parameter", "GET", "/queries/agreements-by-party?party=a&party=b", {}, {422}),
    ("bad date", "GET", "/agreements", {"params": {"from": "2025-02-30"}}, {422}),
    ("bad kind", "GET", "/organisations", {"params": {"kind": "Spaceship"}}, {422}),
    ("bad canned timeout", "GET", "/queries/agreements", {"params": {"_timeout": "soon"}}, {422}),
    ("two filters", "GET", "/agreements", {"params": {"party": "Mosti", "topic": "trade"}}, {422}),
    ("search without q", "GET", "/search", {}, {422}),
    ("traversal in entity", "GET", "/id/..%2F..%2Fetc%2Fpasswd", {}, {404}),
    ("dot-dot entity", "GET", "/id/mosti/../../etc", {}, {404}),
    ("upper-case entity", "GET", "/id/MOSTI", {}, {404}),
    ("unknown entity", "GET", "/id/no-such-entity", {}, {404}),
    ("graph store without graph", "GET", "/store", {}, {400}),
    ("graph store bad iri", "GET", "/store", {"params": {"graph": "not an iri"}}, {400}),
    ("unknown graph", "GET", "/store", {"params": {"graph": "https://example.org/none"}}, {404}),
    ("put garbage turtle", "PUT", "/store", {"params": {"graph": "https://example.org/g"}, "content": b"<<<>>> ;;",  # noqa: E501
                                            "headers": {"Content-Type": "text/turtle", "Authorization": "TOKEN"}},  # noqa: E501
     {400}),
    ("put unknown media type", "PUT", "/store", {"params": {"graph": "https://example.org/g"}, "content": b"x",  # noqa: E501
                                                "headers": {"Content-Type": "application/x-evil",
                                                            "Authorization": "TOKEN"}}, {415}),
    ("put to the union", "PUT", "/store?default", {"content": b"", "headers": {"Content-Type": "text/turtle",
                                                                              "Authorization": "TOKEN"}}, {405}),  # noqa: E501
    ("unknown route", "GET", "/../../etc/passwd", {}, {404}),
    ("wrong method", "PATCH", "/sparql", {}, {405}),
]  # fmt: skip


@pytest.fixture(scope="module")
def count_before(http: httpx.Client) -> int:
    return int(http.get("/sparql", params={"query": COUNT}).json()["results"]["bindings"][0]["n"]["value"])


def _send(http: httpx.Client, server: ApiServer, method: str, path: str, options: dict) -> httpx.Response:
    options = dict(options)
    headers = dict(options.pop("headers", {}))
    if headers.get("Authorization") == "TOKEN":
        headers["Authorization"] = f"Bearer {server.write_token}"
    return http.request(method, path, headers=headers, **options)


@pytest.mark.parametrize(
    ("method", "path", "options", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_is_refused_with_a_4xx_never_a_500(
    http: httpx.Client, api_server: ApiServer, count_before: int, method: str, path: str, options: dict,
    expected: set[int],
) -> None:  # fmt: skip
    response = _send(http, api_server, method, path, options)
    assert response.status_code in expected, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"]


@pytest.mark.parametrize("value", INJECTIONS)
@pytest.mark.parametrize("route", ["/queries/agreements-by-party?party=", "/agreements?party=", "/search?q="])
def test_injection_in_a_parameter_is_bound_as_a_value(
    http: httpx.Client, count_before: int, route: str, value: str
) -> None:
    parameter = route.split("?")[1].rstrip("=")
    response = http.get(route.split("?")[0], params={parameter: value})
    # bound as a value: it finds nothing (200), names nothing (404) or is malformed (422)
    assert response.status_code in (200, 404, 422), response.text
    if response.status_code != 200:
        assert response.json()["parameter"] == parameter


def test_the_catalogue_lost_no_data(http: httpx.Client, count_before: int) -> None:
    after = int(http.get("/sparql", params={"query": COUNT}).json()["results"]["bindings"][0]["n"]["value"])
    assert after == count_before


def test_each_request_is_one_json_access_line_with_hash_and_query(
    api_server: ApiServer, http: httpx.Client
) -> None:
    marker = "SELECT ?marker WHERE { ?marker ?p 'access-log-test-7f3a' }"
    assert http.get("/sparql", params={"query": marker}).status_code == 200
    deadline = time.monotonic() + 5  # the line is written just after the response is sent
    while True:
        lines = [json.loads(line) for line in api_server.log_lines() if "access-log-test-7f3a" in line]
        if lines or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(lines) == 1
    line = lines[0]
    assert (line["method"], line["path"], line["status"], line["kind"]) == ("GET", "/sparql", 200, "query")
    assert line["query"] == marker and len(line["query_hash"]) == 12 and line["duration_ms"] >= 0
    import hashlib

    assert line["query_hash"] == hashlib.sha256(marker.encode()).hexdigest()[:12]


# -- CLI -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def curated_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield build_store(tmp_path_factory.mktemp("cli") / "store")


def _broken_facts(
    tmp_path: Path, file: str, content: bytes | None = None, old: str = "", new: str = ""
) -> Path:
    facts = tmp_path / "facts"
    shutil.copytree(FACTS, facts, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    path = next(facts.glob(file))
    if content is not None:
        path.write_bytes(content)
    else:
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new, 1))
    return facts


@pytest.mark.parametrize(
    ("file", "content", "old", "new", "message"),
    [
        ("articles/000_*.yaml", b"facts:\n  - id: [unclosed\n", "", "", "invalid YAML"),
        ("articles/001_*.yaml", bytes(range(256)), "", "", ""),
        ("articles/002_*.yaml", "\ufefffacts: caf\xe9".encode("latin-1", "replace"), "", "", ""),
        ("entities.yaml", None, "- id: china\n", "- id: malaysia\n", "duplicate id 'malaysia'"),
        ("articles/003_*.yaml", None, "hostCountry: malaysia", "hostCountry: atlantis", "unknown entity"),
    ],
    ids=["invalid-yaml", "binary-garbage", "wrong-charset", "duplicate-id", "unknown-reference"],
)
def test_cli_ingest_of_bad_facts_exits_2_with_a_clear_message_and_changes_nothing(
    curated_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], file: str, content: bytes | None,
    old: str, new: str, message: str,
) -> None:  # fmt: skip
    from jalinan.graph import open_store

    with open_store(curated_store) as store:
        before = sorted_nquads(store)
    facts = _broken_facts(tmp_path, file, content, old, new)
    status = main(["ingest", "--facts", str(facts), "--store", str(curated_store)])
    err = capsys.readouterr().err
    assert status == 2 and "nothing was written" in err and message in err, err
    with open_store(curated_store) as store:
        assert sorted_nquads(store) == before
