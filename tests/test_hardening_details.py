"""Writes that cannot corrupt or inject, and cache and protocol details (issue #12).

Against a real `jalinan serve` on its own store (these tests write), with a configured public
URL and small body and query limits, so each rule is reached with small requests:

- an RDF/XML body declaring entities is refused before it is expanded;
- only http(s) IRIs become links on HTML pages;
- an update's mistakes are 4xx (a missing graph 404, an existing one 409), never 500;
- the result cache never hands one route's or one spelling's links to another;
- queries calling RAND, NOW… are never cached, whatever comments or escapes hide the call;
- HEAD answers wherever GET does; one body limit (413) and the query length limit for updates;
- refusals carry CORS headers; absolute links come from `--public-url`, never the Host header.

The ingest tests use the real store and the real `ingest`: a graph changed through the write
API is repaired by the next ingest, even when the bookkeeping was changed to match it.
"""

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pyoxigraph import Literal, NamedNode, QueryResultsFormat, Triple

from jalinan.graph import open_store
from jalinan.graph.namespaces import ARTICLE, INGEST_DIGEST, INGEST_STATE_GRAPH
from jalinan.graph.outside_writes import mark_written_outside_ingest, written_outside_ingest
from jalinan.ingest.pipeline import as_stored, build_corpus, graph_digest, ingest
from jalinan.queries.catalogue import load_catalogue
from tests.conftest import JALINAN, WRITE_TOKEN, ApiServer, build_store, run_server
from tests.support import problem_detail

PUBLIC_URL = "https://kg.example.org/jalinan"
MAX_WRITE_BODY = 200_000
MAX_QUERY_LENGTH = 4096
SCRATCH = "https://example.org/details/"
AUTH = {"Authorization": f"Bearer {WRITE_TOKEN}"}
ORIGIN = {"Origin": "https://app.example.net"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    directory = tmp_path_factory.mktemp("details")
    store = build_store(directory / "store")
    options = [
        "--public-url", PUBLIC_URL + "/", "--max-write-body", str(MAX_WRITE_BODY),
        "--max-query-length", str(MAX_QUERY_LENGTH),
    ]  # fmt: skip
    with run_server(store, directory / "serve.log", *options) as running:
        yield running


@pytest.fixture(scope="module")
def http(server: ApiServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        yield client


def _update(http: httpx.Client, text: str) -> httpx.Response:
    return http.post("/update", content=text, headers={**AUTH, "Content-Type": "application/sparql-update"})


# -- RDF/XML entity expansion ------------------------------------------------------------------

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def _laughs(levels: int) -> bytes:
    """A few hundred bytes of RDF/XML whose entity `&a{levels};` expands to 10^(levels+1) bytes."""
    entities = '<!ENTITY a0 "AAAAAAAAAA">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, levels + 1)
    )
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [{entities}]>\n'
        f'<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:ex="http://example.org/">'
        f'<rdf:Description rdf:about="http://example.org/s"><ex:p>&a{levels};</ex:p></rdf:Description>'
        "</rdf:RDF>"
    ).encode()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_rdfxml_declaring_entities_is_refused_before_expansion_and_writes_nothing(
    http: httpx.Client, encoding: str
) -> None:
    body = _laughs(8)  # 10^9 bytes once expanded
    assert len(body) < 800
    if encoding != "utf-8":
        body = body.decode().replace('version="1.0"', f'version="1.0" encoding="{encoding}"').encode(encoding)
    graph = SCRATCH + "laughs-" + encoding
    response = http.put(
        "/store",
        params={"graph": graph},
        content=body,
        headers={**AUTH, "Content-Type": "application/rdf+xml"},
    )
    assert "DTD" in problem_detail(response, 400)
    assert http.get("/store", params={"graph": graph}).status_code == 404


def test_rdfxml_without_a_dtd_is_still_accepted(http: httpx.Client) -> None:
    body = (
        f'<?xml version="1.0"?><rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:ex="http://example.org/">'
        '<rdf:Description rdf:about="http://example.org/s"><ex:p>plain</ex:p></rdf:Description></rdf:RDF>'
    )
    graph = SCRATCH + "plain-rdfxml"
    response = http.put(
        "/store",
        params={"graph": graph},
        content=body,
        headers={**AUTH, "Content-Type": "application/rdf+xml"},
    )
    assert response.status_code == 201, response.text
    assert "plain" in http.get("/store", params={"graph": graph}).text


# -- links only for http(s) IRIs ---------------------------------------------------------------


def test_a_javascript_iri_on_an_entity_page_is_text_not_a_link(http: httpx.Client) -> None:
    entity = "https://w3id.org/jalinan/id/details-js-test"
    evidence = "https://w3id.org/jalinan/id/evidence/details-js-test/1"
    jl = "https://w3id.org/jalinan/ontology#"
    update = f"""
        PREFIX jl: <{jl}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        INSERT DATA {{ GRAPH <{SCRATCH}js> {{
          <{entity}> a jl:Organization ; rdfs:label "JS test"@en ;
                     rdfs:seeAlso <javascript:alert(1)> , <https://example.org/fine> .
          <{evidence}> a jl:EvidenceQuote ; jl:quote "a quote" ; jl:claimSubject <{entity}> ;
                     jl:claimPredicate rdfs:seeAlso ; jl:claimObject <javascript:alert(1)> ;
                     prov:wasQuotedFrom <javascript:alert(2)> .
        }} }}"""
    assert _update(http, update).status_code == 204
    page = http.get("/id/details-js-test", headers={"Accept": "text/html"})
    assert page.status_code == 200, page.text
    hrefs = re.findall(r'href="([^"]*)"', page.text)
    assert not [h for h in hrefs if not h.startswith(("/", "?", "#", "http://", "https://"))], hrefs
    assert "javascript:alert(1)" in page.text and "javascript:alert(2)" in page.text  # shown as text
    assert 'href="https://example.org/fine"' in page.text


# -- every client mistake in an update is a 4xx ------------------------------------------------


@pytest.mark.parametrize(
    ("update", "status"),
    [
        (f"DROP GRAPH <{SCRATCH}missing>", 404),
        (f"CLEAR GRAPH <{SCRATCH}missing>", 404),
        (f"MOVE <{SCRATCH}missing> TO <{SCRATCH}elsewhere>", 404),
        ("CREATE GRAPH <https://w3id.org/jalinan/graph/entities>", 409),
        ("INSERT DATA { <a:b> <a:c> }", 400),
    ],
)
def test_an_update_mistake_is_a_4xx_naming_it(http: httpx.Client, update: str, status: int) -> None:
    detail = problem_detail(_update(http, update), status)
    assert "SILENT" in detail or status == 400


def test_drop_silent_of_a_missing_graph_succeeds(http: httpx.Client) -> None:
    assert _update(http, f"DROP SILENT GRAPH <{SCRATCH}missing>").status_code == 204


def test_an_update_past_the_length_limit_is_413_naming_it(http: httpx.Client) -> None:
    text = f"INSERT DATA {{ GRAPH <{SCRATCH}long> {{ <a:s> <a:p> '{'x' * MAX_QUERY_LENGTH}' }} }}"
    response = _update(http, text)
    problem_detail(response, 413)
    assert response.json()["parameter"] == "update"
    assert http.get("/store", params={"graph": SCRATCH + "long"}).status_code == 404


# -- one body limit, one status ----------------------------------------------------------------


def _ntriples(size: int) -> bytes:
    line = b'<http://example.org/s> <http://example.org/p> "' + b"x" * 100 + b'" .\n'
    return line * (size // len(line))


def test_a_graph_store_body_is_held_to_the_write_body_setting_with_413(http: httpx.Client) -> None:
    headers = {**AUTH, "Content-Type": "application/n-triples"}
    graph = SCRATCH + "sized"
    fits = http.put(
        "/store", params={"graph": graph}, content=_ntriples(MAX_WRITE_BODY - 1000), headers=headers
    )
    assert fits.status_code == 201, fits.text
    too_big = http.put(
        "/store", params={"graph": graph}, content=_ntriples(MAX_WRITE_BODY + 1000), headers=headers
    )
    assert str(MAX_WRITE_BODY) in problem_detail(too_big, 413)


def test_a_term_too_long_to_parse_is_400_not_500(api_server: ApiServer) -> None:
    """pyoxigraph's Turtle parser stops at one 16 MiB token (MemoryError): the client's body."""
    body = b'<http://example.org/s> <http://example.org/p> "' + b"x" * 17_000_000 + b'" .\n'
    response = httpx.put(
        api_server.url("/store"),
        params={"graph": SCRATCH + "long-term"},
        content=body,
        headers={**AUTH, "Content-Type": "text/turtle"},
        timeout=120,
    )
    assert "too long" in problem_detail(response, 400)


def test_a_graph_store_body_past_50_mib_is_accepted_under_the_default_64_mib_setting(
    api_server: ApiServer,
) -> None:
    """The Graph Store had its own 50 MiB cap (answered 400) under the 64 MiB setting (413)."""
    graph = SCRATCH + "large"
    comment = b"# " + b"x" * 1021 + b"\n"
    body = comment * (51 * 1024) + b"<http://example.org/s> <http://example.org/p> 1 .\n"
    with httpx.Client(base_url=api_server.base_url, timeout=120) as http:
        response = http.put(
            "/store", params={"graph": graph}, content=body, headers={**AUTH, "Content-Type": "text/turtle"}
        )
        assert response.status_code == 201, response.text
        assert http.delete("/store", params={"graph": graph}, headers=AUTH).status_code == 204


# -- bookkeeping is not writable through the Graph Store ---------------------------------------


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_graph_store_writes_to_ingest_bookkeeping_are_forbidden(http: httpx.Client, method: str) -> None:
    response = http.request(
        method,
        "/store",
        params={"graph": INGEST_STATE_GRAPH},
        content=b"" if method == "DELETE" else b"<http://example.org/s> <http://example.org/p> 1 .\n",
        headers={**AUTH, "Content-Type": "application/n-triples"},
    )
    assert "ingest" in problem_detail(response, 403)


# -- the cache key covers the route and the parameters as given --------------------------------


def _bound(name: str, size: int) -> str:
    query = load_catalogue()[name]
    return query.bind_parameters({}, query.page_request(str(size), None))


def test_sparql_never_gets_a_canned_answers_next_link_nor_the_reverse(http: httpx.Client) -> None:
    json_results = {"Accept": QueryResultsFormat.JSON.media_type}
    # canned first, then the same text through /sparql
    # (a list written as one file, whose bound text /sparql can run as is)
    canned = http.get("/queries/stats-by-article", params={"_size": 2}, headers=json_results)
    assert 'rel="next"' in canned.headers["Link"]
    direct = http.get("/sparql", params={"query": _bound("stats-by-article", 2)}, headers=json_results)
    assert direct.status_code == 200 and "Link" not in direct.headers
    assert direct.headers["ETag"] != canned.headers["ETag"]
    # /sparql first, then the canned route: its next link is there
    first = http.get("/sparql", params={"query": _bound("stats-by-article", 3)}, headers=json_results)
    assert first.headers["X-Jalinan-Cache"] == "miss"
    canned = http.get("/queries/stats-by-article", params={"_size": 3}, headers=json_results)
    assert "_size=3&_page=2" in canned.headers["Link"]


def _next(response: httpx.Response) -> str:
    found = re.search(r'<([^>]*)>; rel="next"', response.headers.get("Link", ""))
    assert found, response.headers.get("Link")
    return found.group(1)


def test_a_next_link_carries_this_requests_own_parameters(http: httpx.Client) -> None:
    path = "/queries/agreements-by-party"
    # (a party of several agreements: a page that holds the last one has no next link)
    first = http.get(path, params={"party": "Malaysia", "_size": 1})
    second = http.get(path, params={"party": "MALAYSIA", "_size": 1})
    assert "party=Malaysia" in _next(first)
    assert "party=MALAYSIA" in _next(second)
    entity = http.get("/id/mosti", params={"_size": 1, "_format": "ttl"})
    negotiated = http.get("/id/mosti", params={"_size": 1}, headers={"Accept": "text/turtle"})
    assert "_format=ttl" in _next(entity) and "_format" not in _next(negotiated)


# -- volatile functions are found however the query spells them --------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "SELECT (RAND#hidden\n() AS ?r) WHERE {}",
        "SELECT (rand#)\n\t() AS ?r) WHERE {}",
        "SELECT ?s (STRUUID#)\n() AS ?u) WHERE { BIND(<http://example.org/#x> AS ?s) }",
        "SELECT (NOW#(\n( ) AS ?t) WHERE {}",
        "SELECT ?s (UUID#\n() AS ?b) WHERE { VALUES ?s { '#' } }",
    ],
)
def test_a_volatile_query_is_never_cached_nor_tagged(http: httpx.Client, query: str) -> None:
    first, second = (http.get("/sparql", params={"query": query}) for _ in range(2))
    assert first.status_code == 200, first.text
    assert second.headers["X-Jalinan-Cache"] == "miss" and "ETag" not in second.headers


# -- HEAD wherever GET -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/queries/agreements-by-party?party=Mosti",
        "/queries",
        "/sparql?query=ASK%20%7B%7D",
        "/sparql",
        "/agreements?party=Mosti",
        "/id/mosti",
        "/ontology",
        "/store?graph=https%3A%2F%2Fw3id.org%2Fjalinan%2Fgraph%2Fentities",
    ],
)
def test_head_answers_wherever_get_does_with_the_same_headers_and_no_body(
    http: httpx.Client, path: str
) -> None:
    get = http.get(path)
    head = http.head(path)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    for header in ("content-type", "etag", "link", "content-length"):
        assert head.headers.get(header) == get.headers.get(header), header


def test_head_on_a_post_only_route_is_405(http: httpx.Client) -> None:
    assert http.head("/update").status_code == 405


# -- CORS on every refusal ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        (
            "POST",
            "/sparql",
            {"content": b"x" * 2_000_000, "headers": {"Content-Type": "application/sparql-query"}},
            413,
        ),
        ("GET", "/sparql", {"params": {"query": "SELECT * {" + " " * MAX_QUERY_LENGTH + "}"}}, 413),
        ("GET", "/sparql", {"params": {"query": "SELEC"}}, 400),
        ("POST", "/update", {"data": {"update": "CLEAR ALL"}}, 401),
        ("GET", "/queries/no-such-query", {}, 404),
        ("DELETE", "/sparql", {}, 405),
        ("GET", "/queries/agreements", {"params": {"_size": "0"}}, 422),
    ],
)
def test_every_refusal_carries_cors_headers(
    http: httpx.Client, method: str, path: str, kwargs: dict, status: int
) -> None:
    headers = {**ORIGIN, **kwargs.pop("headers", {})}
    response = http.request(method, path, headers=headers, **kwargs)
    assert response.status_code == status, response.text
    assert response.headers.get("access-control-allow-origin") == "*"


# -- absolute links from the configured public URL, never the Host header ----------------------


def test_absolute_links_use_the_public_url_whatever_the_host_header_says(http: httpx.Client) -> None:
    evil = {"Host": "evil.example"}
    friendly = http.get("/agreements", params={"_size": 1}, headers=evil).json()
    assert friendly["query"].startswith(PUBLIC_URL + "/queries/agreements")
    assert friendly["next"].startswith(PUBLIC_URL + "/agreements?")
    listing = http.get("/queries", params={"_format": "json"}, headers=evil).json()["queries"]
    assert all(q["url"].startswith(PUBLIC_URL + "/queries/") for q in listing)
    description = http.get("/sparql", headers={**evil, "Accept": "text/turtle"}).text
    assert f"<{PUBLIC_URL}/sparql>" in description
    for text in (str(friendly), str(listing), description):
        assert "evil.example" not in text


def test_without_a_public_url_links_use_the_listening_address(api_server: ApiServer) -> None:
    response = httpx.get(api_server.url("/agreements?_size=1"), headers={"Host": "evil.example"})
    assert response.json()["query"].startswith(api_server.base_url + "/queries/")


def test_serve_refuses_a_public_url_that_is_not_http(tmp_path: Path) -> None:
    store = build_store(tmp_path / "store")
    done = subprocess.run(
        [str(JALINAN), "serve", "--store", str(store), "--public-url", "javascript:alert(1)"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 3 and "public base URL" in done.stderr


# -- ingest repairs what was changed behind its back -------------------------------------------


def _graph_content(store_path: Path, graph: str) -> list:
    with open_store(store_path) as store:
        return [quad.triple for quad in store.quads(graph)]


def test_ingest_repairs_a_graph_changed_through_the_write_api_even_with_forged_bookkeeping(
    tmp_path: Path,
) -> None:
    corpus = build_corpus()
    article = next(name for name in sorted(corpus.graphs) if name.startswith(ARTICLE))
    store_path = build_store(tmp_path / "store")
    forged = graph_digest([])  # the digest of the content the attacker leaves behind
    with (
        run_server(store_path, tmp_path / "serve.log") as running,
        httpx.Client(base_url=running.base_url) as http,
    ):
        emptied = http.put(
            "/store", params={"graph": article}, content=b"", headers={**AUTH, "Content-Type": "text/turtle"}
        )
        assert emptied.status_code == 204, emptied.text
        # the bookkeeping made to match, through a variable graph no text check could see
        digest = f"<{article}> <{INGEST_DIGEST}>"
        forge = f"""DELETE {{ GRAPH ?state {{ {digest} ?d }} }}
                    INSERT {{ GRAPH ?state {{ {digest} "{forged}" }} }}
                    WHERE {{ BIND(<{INGEST_STATE_GRAPH}> AS ?state) GRAPH ?state {{ {digest} ?d }} }}"""
        assert _update(http, forge).status_code == 204
    assert _graph_content(store_path, article) == []
    assert written_outside_ingest(store_path)
    with open_store(store_path) as store:
        _, report = ingest(store)
    assert article in report.written
    assert sorted(map(str, _graph_content(store_path, article))) == sorted(map(str, corpus.graphs[article]))
    assert not written_outside_ingest(store_path)
    with open_store(store_path) as store:
        _, again = ingest(store)
    assert again.written == []


def test_a_single_file_reingest_compares_content_after_a_write_through_the_api(tmp_path: Path) -> None:
    """`jalinan ingest FILE` after an API write reads its graphs back instead of trusting their
    digests, and leaves the mark for a full ingest to check the rest."""
    store_path = build_store(tmp_path / "store")
    facts = sorted((Path(__file__).resolve().parents[1] / "ingest" / "facts" / "articles").glob("*.yaml"))
    article = ARTICLE + facts[0].stem.split("_", 1)[1]  # `000_<article id>.yaml`
    assert _graph_content(store_path, article), f"{facts[0].name} is ingested as {article}"
    with (
        run_server(store_path, tmp_path / "serve.log") as running,
        httpx.Client(base_url=running.base_url) as http,
    ):
        assert _update(http, f"CLEAR GRAPH <{article}>").status_code == 204
    done = subprocess.run(
        [str(JALINAN), "ingest", "--store", str(store_path), str(facts[0])],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "read back" in done.stderr  # the operator is told why this ingest reads more
    assert _graph_content(store_path, article)
    assert written_outside_ingest(store_path)


def test_an_intact_store_is_left_alone_by_the_check_after_an_outside_write(tmp_path: Path) -> None:
    store_path = build_store(tmp_path / "store")
    mark_written_outside_ingest(store_path)
    with open_store(store_path) as store:
        _, report = ingest(store)
    assert report.written == [] and report.dropped == []
    assert not written_outside_ingest(store_path)


def test_content_is_compared_in_the_form_the_store_gives_back() -> None:
    """The store keeps `433.0` as the decimal 433: an intact graph must not look changed."""
    decimal = NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    s, p = NamedNode("https://example.org/s"), NamedNode("https://example.org/p")
    written = [Triple(s, p, Literal("433.0", datatype=decimal)), Triple(s, p, Literal("a"))]
    assert [str(t.object) for t in as_stored(written)] == [
        '"433"^^<http://www.w3.org/2001/XMLSchema#decimal>',
        '"a"',
    ]
