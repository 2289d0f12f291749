"""HTTP caching: strong ETags from the data version, 304 on If-None-Match, a result cache.

Reads use the session server (they change nothing). Writes and the settings run on servers of
their own: `writable` (small `--max-rows`, so friendly JSON is cut) and `uncached`
(`--cache-bytes 0`). `X-Jalinan-Cache` says whether an answer came from the cache.
"""

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from jalinan.api.caching import CachedAnswer, ResultCache, none_match
from jalinan.cli import build_parser
from tests.conftest import ApiServer, build_store, run_server

MINISTRIES = "PREFIX jl: <https://w3id.org/jalinan/ontology#> SELECT ?m WHERE { ?m a jl:Ministry } LIMIT 5"
SCRATCH = "https://example.org/test/caching"


def unique(query: str) -> str:
    """The query with a comment no other request sends, so its first answer is computed."""
    return f"{query} # {uuid.uuid4()}"


def bearer(server: ApiServer) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.write_token}"}


@pytest.fixture(scope="module")
def writable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    directory = tmp_path_factory.mktemp("caching-writable")
    with run_server(build_store(directory / "store"), directory / "serve.log", "--max-rows", "3") as server:
        yield server


@pytest.fixture(scope="module")
def uncached(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    directory = tmp_path_factory.mktemp("caching-off")
    store = build_store(directory / "store")
    with run_server(store, directory / "serve.log", "--cache-bytes", "0") as server:
        yield server


def client(server: ApiServer) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, timeout=30)


# -- validators and the cache on reads -------------------------------------------------------
def test_same_request_twice_has_one_etag_and_the_second_is_a_hit(http: httpx.Client) -> None:
    params = {"query": unique(MINISTRIES)}
    first, second = http.get("/sparql", params=params), http.get("/sparql", params=params)
    assert first.status_code == second.status_code == 200
    assert first.headers["X-Jalinan-Cache"] == "miss" and second.headers["X-Jalinan-Cache"] == "hit"
    assert first.headers["ETag"] == second.headers["ETag"] and first.headers["ETag"].startswith('"')
    assert first.content == second.content
    assert second.headers["content-type"] == first.headers["content-type"]
    assert first.headers["Cache-Control"] == "public, no-cache"
    assert "Accept" in first.headers["Vary"]


@pytest.mark.parametrize(
    "path",
    [
        "/queries/agreements-by-party?party=Mosti",
        "/agreements?party=Mosti",
        "/search?q=ministry",
        "/id/mosti",
        "/ontology",
    ],
)
def test_each_kind_of_read_is_tagged_and_cached(http: httpx.Client, path: str) -> None:
    for accept in ("*/*", "text/html") if path.startswith("/id/") else ("*/*",):
        first = http.get(path, headers={"Accept": accept})
        again = http.get(path, headers={"Accept": accept})
        assert again.status_code == 200 and again.headers["X-Jalinan-Cache"] == "hit"
        assert again.headers["ETag"] == first.headers["ETag"] and again.content == first.content


def test_if_none_match_gives_304_without_a_body(http: httpx.Client) -> None:
    path = "/queries/agreements-by-party?party=Mosti"
    etag = http.get(path).headers["ETag"]
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = http.get(path, headers={"If-None-Match": header})
        assert response.status_code == 304, header
        assert response.content == b""
        assert response.headers["ETag"] == etag and response.headers["Cache-Control"] == "public, no-cache"
        assert "Accept" in response.headers["Vary"]
    assert http.get(path, headers={"If-None-Match": '"other"'}).status_code == 200


def test_a_different_format_has_a_different_etag(http: httpx.Client) -> None:
    path = "/queries/agreements-by-party?party=Mosti"
    as_json = http.get(path, headers={"Accept": "application/sparql-results+json"})
    as_csv = http.get(path, headers={"Accept": "text/csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_json.headers["ETag"] != as_csv.headers["ETag"]
    other = http.get(path, headers={"Accept": "text/csv", "If-None-Match": as_json.headers["ETag"]})
    assert other.status_code == 200
    # `_format=csv` asks for CSV too, but its next link repeats `_format`: another answer, another tag
    assert http.get(path + "&_format=csv").headers["ETag"] != as_csv.headers["ETag"]


def test_identical_canned_requests_at_once_run_the_query_once(api_server: ApiServer) -> None:
    """Canned requests arriving while the same answer is computed wait for it (one miss)."""
    path = f"/search?q={uuid.uuid4().hex}"

    def get(_: int) -> httpx.Response:
        with client(api_server) as http:
            return http.get(path)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(get, range(8)))
    assert {a.status_code for a in answers} == {200} and len({a.content for a in answers}) == 1
    assert sorted(a.headers["X-Jalinan-Cache"] for a in answers) == ["hit"] * 7 + ["miss"]


def test_a_post_query_is_tagged_and_if_none_match_on_it_is_412(http: httpx.Client) -> None:
    query = unique(MINISTRIES)
    first = http.post("/sparql", data={"query": query})
    second = http.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
    assert second.headers["X-Jalinan-Cache"] == "hit" and second.headers["ETag"] == first.headers["ETag"]
    refused = http.post("/sparql", data={"query": query}, headers={"If-None-Match": first.headers["ETag"]})
    assert refused.status_code == 412 and refused.json()["title"] == "Precondition Failed"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/sparql?query=SELEC", 400),
        ("/queries/agreements-by-party?party=", 422),
        ("/queries/agreements-by-party?nonsense=1", 422),
        ("/id/no-such-entity-at-all", 404),
        ("/queries/agreements-by-party?party=Mosti&_format=html5", 406),
    ],
)
def test_errors_are_never_tagged_or_cached(http: httpx.Client, path: str, status: int) -> None:
    for headers in ({}, {}, {"If-None-Match": "*"}):  # `*` matches an answer, not an error
        response = http.get(path, headers=headers)
        assert response.status_code == status, response.text
        assert "ETag" not in response.headers
        assert response.headers.get("X-Jalinan-Cache") != "hit"


def test_queries_with_fresh_values_each_run_are_not_cached(http: httpx.Client) -> None:
    for query in ("SELECT (NOW() AS ?now) WHERE {}", "CONSTRUCT { _:b <https://example.org/p> 1 } WHERE {}"):
        first, second = (http.get("/sparql", params={"query": query}) for _ in range(2))
        assert first.status_code == second.status_code == 200
        assert "ETag" not in second.headers and second.headers["X-Jalinan-Cache"] == "miss", query


# -- writes make every old answer unreachable ------------------------------------------------
def test_a_write_changes_the_etag_and_the_answer(writable: ApiServer) -> None:
    ask = {"query": f"ASK {{ GRAPH <{SCRATCH}> {{ ?s ?p ?o }} }}"}
    with client(writable) as http:
        before = http.get("/sparql", params=ask)
        assert http.get("/sparql", params=ask).headers["X-Jalinan-Cache"] == "hit"
        assert before.json()["boolean"] is False
        unrelated = http.get("/queries/agreements-by-party", params={"party": "Mosti"}).headers["ETag"]
        insert = f"INSERT DATA {{ GRAPH <{SCRATCH}> {{ <{SCRATCH}#s> <{SCRATCH}#p> 'o' }} }}"
        assert http.post("/update", data={"update": insert}, headers=bearer(writable)).status_code == 204
        after = http.get("/sparql", params=ask, headers={"If-None-Match": before.headers["ETag"]})
        assert after.status_code == 200 and after.json()["boolean"] is True
        assert after.headers["X-Jalinan-Cache"] == "miss" and after.headers["ETag"] != before.headers["ETag"]
        # every tag changes, not only those of answers the write touched
        stale = http.get("/queries/agreements-by-party?party=Mosti", headers={"If-None-Match": unrelated})
        assert stale.status_code == 200 and stale.headers["ETag"] != unrelated
        # a Graph Store write too
        dropped = http.delete("/store", params={"graph": SCRATCH}, headers=bearer(writable))
        assert dropped.status_code == 204
        gone = http.get("/sparql", params=ask, headers={"If-None-Match": after.headers["ETag"]})
        assert gone.status_code == 200 and gone.json()["boolean"] is False


def test_a_refused_write_changes_nothing(writable: ApiServer) -> None:
    path = "/queries/agreements-by-party?party=Mosti"
    with client(writable) as http:
        etag = http.get(path).headers["ETag"]
        assert http.post("/update", data={"update": "INSERT DATA {}"}).status_code == 401
        assert http.get(path, headers={"If-None-Match": etag}).status_code == 304


def test_truncated_answers_are_neither_tagged_nor_cached(writable: ApiServer) -> None:
    with client(writable) as http:
        for _ in range(2):
            response = http.get("/agreements")
            assert response.status_code == 200 and response.headers["X-Jalinan-Truncated"] == "3"
            assert "ETag" not in response.headers and response.headers["X-Jalinan-Cache"] == "miss"


# -- the setting -----------------------------------------------------------------------------
def test_with_the_cache_off_every_answer_is_computed_and_304_still_works(uncached: ApiServer) -> None:
    path = "/queries/agreements-by-party?party=Mosti"
    with client(uncached) as http:
        answers = [http.get(path) for _ in range(3)]
        assert [a.headers["X-Jalinan-Cache"] for a in answers] == ["miss"] * 3
        assert len({a.headers["ETag"] for a in answers}) == 1
        assert http.get(path, headers={"If-None-Match": answers[0].headers["ETag"]}).status_code == 304


def test_the_cache_size_option_takes_zero_but_not_a_negative_number() -> None:
    parser = build_parser()
    assert parser.parse_args(["serve", "--cache-bytes", "0"]).cache_bytes == 0
    with pytest.raises(SystemExit):
        parser.parse_args(["serve", "--cache-bytes", "-1"])


# -- the cache itself ------------------------------------------------------------------------
def test_the_cache_evicts_the_least_recently_used_within_its_byte_cap() -> None:
    cache = ResultCache(3000)
    answer = CachedAnswer(b"x" * 1000, (("content-type", "text/csv"),))
    assert cache.get("v1", ("a",)) is None  # the first lookup adopts the version
    for name in ("a", "b"):
        cache.put("v1", (name,), answer)
    assert cache.get("v1", ("a",)) is not None  # now "b" is the least recently used
    cache.put("v1", ("c",), answer)
    assert cache.get("v1", ("b",)) is None and cache.get("v1", ("a",)) and cache.get("v1", ("c",))
    assert cache.bytes <= 3000
    cache.put("v1", ("huge",), CachedAnswer(b"x" * 5000, ()))
    assert cache.get("v1", ("huge",)) is None


def test_a_new_version_drops_every_entry_and_an_old_one_is_not_kept() -> None:
    cache = ResultCache(10_000)
    answer = CachedAnswer(b"body", ())
    assert cache.get("v1", ("a",)) is None
    cache.put("v1", ("a",), answer)
    assert cache.get("v2", ("a",)) is None and len(cache) == 0 and cache.bytes == 0
    cache.put("v1", ("a",), answer)  # computed before the write: not kept
    assert cache.get("v2", ("a",)) is None


def test_if_none_match_uses_weak_comparison() -> None:
    assert none_match('W/"abc"', '"abc"') and none_match('"x", "abc"', '"abc"')
    assert not none_match('"abcd"', '"abc"') and not none_match("", '"abc"') and not none_match(None, '"abc"')
