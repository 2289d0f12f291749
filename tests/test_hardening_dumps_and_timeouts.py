"""Whole-store dumps run in query workers under the size limit; a request's timeout has a floor.

`GET /store?default` used to serialise the whole store inside the server process with no limit;
now it runs in a worker, like a query, and past `--max-result-bytes` it is abandoned with 503.
A near-zero `timeout` would stop (and restart) a worker on every request, so below the
documented minimum it is refused: 400 on the SPARQL Protocol, 422 on canned queries.
"""

from collections.abc import Iterator

import httpx
import pytest
from pyoxigraph import RdfFormat, parse

from jalinan.api.settings import MIN_TIMEOUT_S
from tests.conftest import ApiServer, build_store, run_server

MAX_RESULT_BYTES = 200_000
ARTICLE = "https://w3id.org/jalinan/id/article/05363b917c408ffc"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    directory = tmp_path_factory.mktemp("dumps")
    store = build_store(directory / "store")
    with run_server(store, directory / "serve.log", "--max-result-bytes", str(MAX_RESULT_BYTES)) as running:
        yield running


@pytest.mark.parametrize("accept", ["application/n-quads", "text/turtle"])
def test_a_whole_store_dump_past_the_size_limit_is_503(server: ApiServer, accept: str) -> None:
    response = httpx.get(server.url("/store?default"), headers={"Accept": accept}, timeout=30)
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["title"] == "Result Too Large"


def test_a_graph_within_the_limit_is_dumped_by_a_worker(server: ApiServer) -> None:
    response = httpx.get(
        server.url("/store"), params={"graph": ARTICLE}, headers={"Accept": "text/turtle"}, timeout=30
    )
    assert response.status_code == 200
    triples = list(parse(response.content, format=RdfFormat.TURTLE))
    assert len(triples) > 10


def test_a_timeout_below_the_minimum_is_refused_naming_the_minimum(server: ApiServer) -> None:
    too_short = str(MIN_TIMEOUT_S / 5)
    response = httpx.post(server.url("/sparql"), data={"query": "ASK {}", "timeout": too_short}, timeout=30)
    assert response.status_code == 400
    assert response.json()["parameter"] == "timeout" and f"{MIN_TIMEOUT_S:g}" in response.json()["detail"]
    canned = httpx.get(
        server.url("/queries/agreements-by-party"),
        params={"party": "Mosti", "_timeout": too_short},
        timeout=30,
    )
    assert canned.status_code == 422 and canned.json()["parameter"] == "_timeout"
    at_minimum = httpx.post(
        server.url("/sparql"), data={"query": "ASK {}", "timeout": str(MIN_TIMEOUT_S)}, timeout=30
    )
    assert at_minimum.status_code == 200
