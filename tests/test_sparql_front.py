"""`/sparql` and `/query` answered ahead of FastAPI's stack (`api/sparql_front.py`, issue 13) must
answer exactly as the full stack does: the same status, the same headers (CORS, Vary, caching
validators, content type and length), the same body, for answers and refusals alike. Each
request below goes to two apps over one store, once through the front end and once through the
full stack (`FastAPI.__call__`, which the front end skips), in the same order on each."""

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi import FastAPI
from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from jalinan.api import logging as access_log
from jalinan.api.app import create_app
from jalinan.api.settings import Settings
from jalinan.graph.oxigraph_store import OxigraphStore, open_store

TOKEN = "front-token"
JSON_RESULTS = "application/sparql-results+json"
FORM = "application/x-www-form-urlencoded"
SELECT = "SELECT ?s ?o WHERE { ?s <https://example.org/p> ?o } ORDER BY ?o"
BLANK = "SELECT ?b WHERE { ?b <https://example.org/q> ?o }"


class VersionedStore:
    """A plain store with a fixed data version, so answers carry validators and are cached."""

    version = "v1"

    def __init__(self, store: OxigraphStore):
        self._store = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, FastAPI]]:
    store = open_store(tmp_path_factory.mktemp("front") / "store")
    p, q = NamedNode("https://example.org/p"), NamedNode("https://example.org/q")
    store.add_quads(
        [Quad(NamedNode(f"https://example.org/s{n}"), p, Literal(f"o{n}")) for n in range(3)]
        + [Quad(BlankNode(), q, Literal("blank"))]
    )
    settings = Settings(store_path=Path("unused"), write_token=TOKEN)
    shared = VersionedStore(store)
    yield create_app(settings, shared), create_app(settings, shared)  # type: ignore[arg-type]
    store.close()


def _call(
    app: Any,
    method: str,
    path: str,
    query: dict[str, str] | str,
    headers: dict[str, str],
    body: bytes | list[bytes] = b"",
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """One request through an ASGI callable: status, headers, whole body."""
    chunks = body if isinstance(body, list) else [body]
    raw_headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": (query if isinstance(query, str) else urlencode(query)).encode(),
        "headers": [(b"host", b"testserver"), *raw_headers],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
        "state": {},
    }
    pending = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)
    ]
    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    asyncio.run(app(scope, receive, send))
    start = messages[0]
    return start["status"], start["headers"], b"".join(m.get("body", b"") for m in messages[1:])


def _both(
    apps: tuple[FastAPI, FastAPI], *request: Any, **options: Any
) -> tuple[int, dict[bytes, bytes], bytes]:
    front_app, stack_app = apps
    assert front_app.sparql_front.route(_scope_of(*request)) is not None, "the front end takes this request"
    front = _call(front_app, *request, **options)
    stack = _call(lambda *a: FastAPI.__call__(stack_app, *a), *request, **options)
    assert front[0] == stack[0]
    assert sorted(front[1]) == sorted(stack[1])
    assert front[2] == stack[2]
    headers = dict(front[1])
    assert len(headers) == len(front[1]), "no header is sent twice"
    return front[0], headers, front[2]


def _scope_of(
    method: str, path: str, query: dict[str, str] | str, headers: dict[str, str], *rest: Any
) -> dict:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    text = query if isinstance(query, str) else urlencode(query)
    return {"type": "http", "method": method, "path": path, "query_string": text.encode(), "headers": raw}


def test_a_query_answer_is_the_full_stacks_header_for_header_with_and_without_an_origin(apps) -> None:
    for headers in ({"Accept": JSON_RESULTS, "Origin": "https://example.org"}, {"Accept": JSON_RESULTS}):
        status, got, body = _both(apps, "GET", "/sparql", {"query": SELECT}, headers)
        assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 3
        assert got[b"vary"] == b"Accept, Origin"
        assert (b"access-control-allow-origin" in got) == ("Origin" in headers)
        assert b"etag" in got and got[b"content-length"] == str(len(body)).encode()


def test_every_way_of_asking_answers_as_the_full_stack(apps) -> None:
    """GET and POST (form, sparql-query), both paths, formats by parameter and by Accept."""
    _both(apps, "GET", "/query", {"query": "ASK { ?s ?p ?o }", "format": "xml"}, {})
    _both(apps, "POST", "/sparql", "", {"Content-Type": FORM}, urlencode({"query": SELECT}).encode())
    _both(
        apps,
        "POST",
        "/query",
        "",
        {"Content-Type": "application/sparql-query", "Accept": "text/csv"},
        SELECT.encode(),
    )
    _both(apps, "GET", "/sparql", {"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, {"Accept": "text/turtle"})
    status, headers, _ = _both(apps, "GET", "/sparql", "", {"Accept": "text/turtle"})  # service description
    assert status == 200 and headers[b"content-type"].startswith(b"text/turtle")


def test_an_answer_naming_a_blank_node_is_the_same_and_carries_no_validator(apps) -> None:
    status, headers, _ = _both(apps, "GET", "/sparql", {"query": BLANK}, {"Accept": JSON_RESULTS})
    assert status == 200 and b"etag" not in headers


def test_validators_answer_304_to_a_get_and_412_to_a_post_as_the_full_stack(apps) -> None:
    _, headers, _ = _both(apps, "GET", "/sparql", {"query": SELECT + " # tagged"}, {"Accept": JSON_RESULTS})
    etag = headers[b"etag"].decode()
    status, again, body = _both(
        apps,
        "GET",
        "/sparql",
        {"query": SELECT + " # tagged"},
        {"Accept": JSON_RESULTS, "If-None-Match": etag},
    )
    assert status == 304 and body == b"" and again[b"etag"].decode() == etag
    status, _, body = _both(
        apps,
        "POST",
        "/sparql",
        "",
        {"Content-Type": FORM, "Accept": JSON_RESULTS, "If-None-Match": etag},
        urlencode({"query": SELECT + " # tagged"}).encode(),
    )
    assert status == 412 and json.loads(body)["status"] == 412


@pytest.mark.parametrize(
    ("request_", "status"),
    [
        (
            (
                "GET",
                "/sparql",
                {"query": "SELECT WHERE {"},
                {"Accept": JSON_RESULTS, "Origin": "https://a.example"},
            ),
            400,
        ),
        (("GET", "/sparql", "query=ASK%7B%7D&query=ASK%7B%7D", {}), 400),
        (("GET", "/sparql", {"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, {"Accept": "text/csv"}), 406),
        (("GET", "/sparql", {"query": SELECT, "timeout": "0"}, {}), 400),
        (("POST", "/sparql", "", {"Content-Type": "text/plain"}, b"ASK {}"), 415),
        (
            ("POST", "/sparql", "", {"Content-Type": "application/sparql-query; charset=utf-16"}, b"ASK {}"),
            400,
        ),
        (("POST", "/sparql", "", {"Content-Type": "application/sparql-update"}, b"CLEAR ALL"), 401),
        (("POST", "/query", "", {"Content-Type": FORM}, b"update=CLEAR%20ALL"), 400),
        (("POST", "/sparql", "", {"Content-Type": FORM, "Content-Length": str(2 << 20)}, b"query="), 413),
        (("POST", "/sparql", "", {"Content-Type": FORM}, [b"query=" + b"x" * (600 << 10)] * 2), 413),
    ],
    ids=[
        "syntax",
        "repeated",
        "not-acceptable",
        "timeout",
        "media-type",
        "charset",
        "no-token",
        "update-at-query",
        "declared-too-large",
        "sent-too-large",
    ],
)
def test_a_refusal_is_the_full_stacks_problem_json(apps, request_: tuple, status: int) -> None:
    got, headers, body = _both(apps, *request_)
    assert got == status
    assert headers[b"content-type"] == b"application/problem+json"
    assert json.loads(body)["status"] == status


def test_a_browsers_refusal_is_the_explorers_error_page_as_through_the_full_stack(apps) -> None:
    status, headers, body = _both(
        apps,
        "POST",
        "/sparql",
        "",
        {"Content-Type": FORM, "Accept": "text/html, application/sparql-results+json;q=0.9"},
        b"query=SELECT%20WHERE%20%7B",
    )
    assert status == 400 and headers[b"content-type"].startswith(b"text/html") and b"<html" in body.lower()


def test_an_update_with_the_token_is_applied_as_through_the_full_stack(apps) -> None:
    insert = (
        b"INSERT DATA { <https://example.org/s9> <https://example.org/r> 'x' }"  # the same twice: idempotent
    )
    headers = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}
    status, _, _ = _both(apps, "POST", "/sparql", "", headers, insert)
    assert status == 204


def test_pages_head_and_preflights_are_left_to_the_full_stack(apps) -> None:
    front = apps[0].sparql_front
    assert front.route(_scope_of("GET", "/sparql", "", {"Accept": "text/html,application/xhtml+xml"})) is None
    assert front.route(_scope_of("GET", "/sparql", {"query": "ASK {}", "format": "html"}, {})) is None
    assert front.route(_scope_of("HEAD", "/sparql", {"query": "ASK {}"}, {})) is None
    assert front.route(_scope_of("OPTIONS", "/sparql", "", {"Origin": "https://a.example"})) is None
    assert front.route(_scope_of("GET", "/sparql", "query=%FF", {})) is None  # not UTF-8: refused there
    assert front.route(_scope_of("GET", "/update", "", {})) is None


def test_a_request_answered_by_the_front_end_is_logged(apps, caplog: pytest.LogCaptureFixture) -> None:
    marker = "front-end-log-marker"
    level = access_log.logger.level
    access_log.logger.setLevel(logging.INFO)
    access_log.logger.propagate = True
    try:
        with caplog.at_level(logging.INFO, logger=access_log.LOGGER_NAME):
            _call(apps[0], "GET", "/sparql", {"query": f"SELECT WHERE {{ # {marker}"}, {})
    finally:
        access_log.logger.setLevel(level)
        access_log.logger.propagate = False
    lines = [json.loads(r.getMessage()) for r in caplog.records if marker in r.getMessage()]
    assert (
        lines
        and lines[-1]["status"] == 400
        and lines[-1]["kind"] == "query"
        and lines[-1]["path"] == "/sparql"
    )


def test_the_app_bench_times_whole_answers_from_the_front_end() -> None:
    """`bench/sparql_app_bench.py` (the A/B figure of this front end) counts only complete 200
    answers carrying its whole body, and gives a CPU time per answer."""
    from bench import sparql_app_bench

    result = sparql_app_bench.run(answers=30, runs=1, cache_bytes=None)
    assert result["answers"] == 30 and result["best_us"] > 0
