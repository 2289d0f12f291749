"""Jalinan on a remote SPARQL 1.1 server: `oxigraph serve` and Virtuoso 7, each started on
loopback with its own configuration, against the embedded store as the reference.

Ingest writes the same quads; a second ingest writes nothing; `jalinan serve --store
sparql+http://…` answers every canned query, the SPARQL endpoint and entity pages as the
embedded store does; the backend's refusals become Jalinan's statuses; credentials never show.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from jalinan.graph import RemoteLocation, RemoteStore, open_store
from jalinan.graph.namespaces import ONTOLOGY_GRAPH
from jalinan.graph.remote_store import auth_from_env
from jalinan.ingest.pipeline import ingest, ingest_articles
from tests.backends import SERVERS, Backend, known_difference
from tests.conftest import ApiServer, build_store, run_server
from tests.support import sorted_nquads

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module", params=sorted(SERVERS))
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    directory = tmp_path_factory.mktemp(request.param)
    with SERVERS[request.param](directory) as server, server.environment():
        with open_store(server.location) as store:
            ingest(store)
        yield server


@pytest.fixture(scope="module")
def embedded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("embedded") / "store")


@pytest.fixture(scope="module")
def embedded_server(embedded_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    with run_server(embedded_store, tmp_path_factory.mktemp("embedded-serve") / "serve.log") as server:
        yield server


@pytest.fixture(scope="module")
def remote_server(backend: Backend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    log = tmp_path_factory.mktemp(f"{backend.name}-serve") / "serve.log"
    with run_server(backend.location, log, extra_env=backend.env) as server:
        yield server


def _jalinan_quads(store) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(
        str(q)
        for q in store.quads()
        if not str(q.graph_name).startswith("<https://w3id.org/jalinan/graph/data-version")
    )


def test_ingest_writes_the_same_quads_as_into_the_embedded_store(backend: Backend, embedded_store: Path):
    with open_store(embedded_store, read_only=True) as embedded:
        expected = sorted_nquads(embedded)
    with open_store(backend.location) as remote:
        assert _jalinan_quads(remote) == expected


def test_a_second_ingest_writes_nothing_and_one_article_is_rewritten_alone(backend: Backend):
    with open_store(backend.location) as store:
        version = store.version
        _, report = ingest(store)
        assert report.written == [] and store.version == version
        article = sorted((Path(__file__).parents[1] / "ingest" / "facts" / "articles").glob("*.yaml"))[0]
        _, report = ingest_articles(store, [article])
        assert report.written == []


def _canned(server: ApiServer) -> list[str]:
    listing = httpx.get(server.url("/queries"), headers={"Accept": "application/json"}, timeout=30).json()
    queries = listing["queries"] if isinstance(listing, dict) else listing
    return [q["example"].removeprefix(server.base_url) for q in queries]


def _query_name(path: str) -> str:
    return path.removeprefix("/queries/").split("?", 1)[0]


def _rows(server: ApiServer, path: str) -> list[str]:
    response = httpx.get(
        server.url(path),
        headers={"Accept": "application/sparql-results+json, application/n-triples;q=0.5"},
        timeout=60,
    )
    assert response.status_code == 200, (path, response.text[:300])
    if response.headers["content-type"].startswith("application/n-triples"):
        return sorted(response.text.splitlines())
    bindings = response.json()["results"]["bindings"]
    return sorted(json.dumps(b, sort_keys=True) for b in bindings)


def test_every_canned_query_answers_as_on_the_embedded_store(
    backend: Backend, embedded_server: ApiServer, remote_server: ApiServer
):
    paths = _canned(embedded_server)
    # (each difference a backend still has is named, with its reason, in tests/backends.py)
    differ = [p for p in paths if known_difference(backend.name, _query_name(p))]
    paths = [p for p in paths if p not in differ]
    assert len(differ) <= 7, differ
    assert len(paths) >= 8
    for path in paths:
        assert _rows(remote_server, path) == _rows(embedded_server, path), path


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        (
            "SELECT ?s WHERE { ?s a <https://w3id.org/jalinan/ontology#Ministry> } ORDER BY ?s",
            "application/sparql-results+json",
        ),
        ("ASK { <https://w3id.org/jalinan/id/mosti> ?p ?o }", "application/sparql-results+json"),
        (  # a boolean in its canonical form (Virtuoso 7 writes "1"^^xsd:boolean)
            "SELECT ?yes ?no WHERE { BIND (<http://www.w3.org/2001/XMLSchema#boolean>(1 < 2) AS ?yes) "
            "BIND (<http://www.w3.org/2001/XMLSchema#boolean>(BOUND(?nothing)) AS ?no) }",
            "application/sparql-results+json",
        ),
        ("ASK { <https://w3id.org/jalinan/id/nobody> ?p ?o }", "application/sparql-results+xml"),
        (
            "CONSTRUCT { <https://w3id.org/jalinan/id/mosti> ?p ?o } "
            "WHERE { <https://w3id.org/jalinan/id/mosti> ?p ?o }",
            "application/n-triples",
        ),
    ],
)
def test_the_sparql_endpoint_answers_as_on_the_embedded_store(
    embedded_server: ApiServer, remote_server: ApiServer, query: str, accept: str
):
    def ask(server: ApiServer) -> tuple[int, str, object]:
        response = httpx.post(
            server.url("/sparql"), data={"query": query}, headers={"Accept": accept}, timeout=60
        )
        body = sorted(response.text.splitlines()) if "n-triples" in accept else response.text
        if "json" in accept:
            body = response.json()
            if "results" in body:
                body = sorted(json.dumps(b, sort_keys=True) for b in body["results"]["bindings"])
        return response.status_code, response.headers["content-type"].split(";")[0], body

    assert ask(remote_server) == ask(embedded_server)


def test_entity_pages_read_the_same_from_either_store(
    backend: Backend, embedded_server: ApiServer, remote_server: ApiServer
):
    for path in ("/id/mosti", "/id/ndrc"):
        remote = httpx.get(remote_server.url(path), headers={"Accept": "application/n-triples"}, timeout=60)
        local = httpx.get(embedded_server.url(path), headers={"Accept": "application/n-triples"}, timeout=60)
        assert remote.status_code == local.status_code == 200
        assert sorted(remote.text.splitlines()) == sorted(local.text.splitlines())


def test_a_syntax_error_is_the_clients_400(remote_server: ApiServer):
    response = httpx.post(remote_server.url("/sparql"), data={"query": "SELECT ?x WHERE { ?x"}, timeout=30)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_query_past_the_time_limit_is_503(backend: Backend):
    with backend.environment():
        store = RemoteStore(RemoteLocation(backend.location), auth=auth_from_env(), timeout=0.5)
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    from jalinan.graph.pool import QueryTimeout

    with store, pytest.raises(QueryTimeout):
        store.query(heavy)


def test_an_unreachable_backend_is_a_clear_error_without_credentials(tmp_path: Path):
    secret = "never-print-this-secret"
    environ = {"JALINAN_STORE_AUTH": "basic", "JALINAN_STORE_USER": "dba", "JALINAN_STORE_PASSWORD": secret}
    from jalinan.graph import StoreError
    from tests.conftest import free_port

    location = RemoteLocation(f"sparql+http://127.0.0.1:{free_port()}/sparql")
    with RemoteStore(location, auth=auth_from_env(environ)) as store, pytest.raises(StoreError) as raised:
        store.graph_names()
    assert "cannot reach the SPARQL backend" in str(raised.value) and secret not in str(raised.value)


def test_wrong_credentials_are_refused_by_name_not_by_value(backend: Backend):
    if not backend.env:
        pytest.skip(f"{backend.name} takes writes without credentials here")
    from jalinan.graph import StoreError

    wrong = {**backend.env, "JALINAN_STORE_PASSWORD": "not-the-password"}
    probe = "INSERT DATA { GRAPH <https://w3id.org/jalinan/graph/probe> { <urn:a> <urn:b> <urn:c> } }"
    with (
        RemoteStore(RemoteLocation(backend.location), auth=auth_from_env(wrong)) as store,
        pytest.raises(StoreError) as raised,
    ):
        store.update(probe)
    assert "credentials" in str(raised.value) and "not-the-password" not in str(raised.value)


def test_credentials_in_the_address_are_refused():
    from jalinan.graph import StoreError

    with pytest.raises(StoreError, match="environment"):
        RemoteLocation("sparql+http://dba:secret@127.0.0.1:8890/sparql")


def test_the_server_log_never_shows_the_password(backend: Backend, remote_server: ApiServer):
    httpx.get(remote_server.url("/queries/agreements"), timeout=30)
    password = backend.env.get("JALINAN_STORE_PASSWORD")
    if not password:
        pytest.skip(f"{backend.name} has no password here")
    assert remote_server.log_lines()
    assert all(password not in line for line in remote_server.log_lines())


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }",
        "SELECT * WHERE { sErViCe <{url}> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE <\\u0068ttp://127.0.0.1:{port}/> { ?s ?p ?o } }",
    ],
)
def test_a_client_query_never_makes_the_backend_fetch_anything(remote_server: ApiServer, query: str):
    import http.server
    import threading

    seen: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(500)
            self.end_headers()

        do_POST = do_GET

        def log_message(self, *args: object) -> None:
            pass

    listener = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    port = listener.server_address[1]
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    try:
        text = query.replace("{url}", f"http://127.0.0.1:{port}/").replace("{port}", str(port))
        response = httpx.post(remote_server.url("/sparql"), data={"query": text}, timeout=30)
        update = httpx.post(
            remote_server.url("/update"),
            data={"update": f"LOAD <http://127.0.0.1:{port}/data.ttl>"},
            headers={"Authorization": f"Bearer {remote_server.write_token}"},
            timeout=30,
        )
    finally:
        listener.shutdown()
    assert response.status_code == 400 and update.status_code == 400
    assert seen == []


def test_graph_store_reads_a_graph_and_404s_a_missing_one_as_the_embedded_store(
    embedded_server: ApiServer, remote_server: ApiServer
):
    """`/store?graph=` on a remote backend asks the server about that graph alone (not a list of
    every graph name), and answers as the embedded store: the ontology's graph, then none."""
    ontology = ONTOLOGY_GRAPH
    for server in (remote_server, embedded_server):
        found = httpx.get(
            server.url("/store"),
            params={"graph": ontology},
            headers={"Accept": "application/n-triples"},
            timeout=60,
        )
        assert found.status_code == 200 and found.text.count("\n") > 100
        missing = httpx.get(server.url("/store"), params={"graph": ontology + "-never-written"}, timeout=60)
        assert missing.status_code == 404
