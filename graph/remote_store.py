"""`GraphStore` over a SPARQL 1.1 server: the Protocol for queries and updates, the Graph Store
Protocol (where the server has it) for whole graphs.

A newsroom that already runs a SPARQL server (Virtuoso, Oxigraph server, GraphDB, Fuseki…)
points Jalinan at it with `--store sparql+http://host:port/path` (see `RemoteLocation`). Reads
and writes then go over HTTP; everything above `graph/` is unchanged.

What the server does differently is handled here, once:
- results come back as SPARQL JSON / N-Triples and are parsed by pyoxigraph, then re-serialised
  by pyoxigraph in whatever format the client asked for, so a server's own formatting quirks
  (Virtuoso answers ASK as a one-row SELECT, and writes an `xsd:boolean` as `"1"`/`"0"`, not in
  its canonical form `"true"`/`"false"`) never reach a client;
- a server's own graphs (Virtuoso keeps system graphs in its default graph) are left out of
  counts, listings and dumps;
- a write cannot be staged on the server, so `before_commit` runs before anything is written;
  each graph is replaced in turn, and a data-version marker is written last, so that readers
  and caches see one version change per write;
- Virtuoso 7's planner picks its join order from index samples it keeps from earlier queries,
  so one page query took 3 ms or 167 ms of its execution (another 12 ms or 14 s) depending on
  what had run since the load. Jalinan's own queries (`trusted`) that say so in a comment
  (`WRITTEN_ORDER`) ask Virtuoso to join in the order written (`DEFINE sql:select-option
  "order"`) once an answer's `Server:` header says it is Virtuoso; forced on every query it made
  others slower (`people` 33 → 646 ms), so it is asked for only where measured better
  (queries/README.md, "Virtuoso's join order"). A client's own query is always sent as given;
- the server's refusals become Jalinan's: a syntax error `QueryError` (400), a time-out
  `QueryTimeout` (503), an answer past the byte cap `ResultTooLarge` (413), anything else
  `StoreError` (503). Credentials are never put in a message or a log line.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit, urlunsplit

import httpx
from pyoxigraph import (
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Triple,
    parse,
    parse_query_results,
    serialize,
)

from jalinan.graph.errors import QueryError, StoreError
from jalinan.graph.namespaces import JL, XSD
from jalinan.graph.oxigraph_store import OxigraphStore, memory_copy, quad_block
from jalinan.graph.pool import QueryTimeout, ResultTooLarge
from jalinan.graph.results import AskResult, GraphResult, QueryResult, SelectResult, materialise
from jalinan.graph.sandbox import OutboundRefused

SCHEME_PREFIX = "sparql+"
VERSION_GRAPH = "https://w3id.org/jalinan/graph/data-version"
DATA_VERSION = JL + "dataVersion"
# Graphs a server keeps for itself, never Jalinan's data (Virtuoso's system graphs).
SERVER_GRAPH_PREFIXES = (
    "http://www.openlinksw.com/",
    "http://localhost:8890/",
    "http://localuriqaserver/",
    "http://www.w3.org/ns/ldp#",
    "http://www.w3.org/2002/07/owl#",
    "urn:activitystreams-owl:map",
    "urn:core:services:sparql",
    "virtrdf:",
)
DEFAULT_TIMEOUT_S = 30.0
# A comment in a query of Jalinan's own asking Virtuoso to join in the order written, and what is
# then put before it on Virtuoso (known by its `Server:` header).
WRITTEN_ORDER = "# On Virtuoso: join in the order written"
VIRTUOSO_ORDER = 'DEFINE sql:select-option "order"\n'
DEFAULT_MAX_RESULT_BYTES = 256 * 1024 * 1024
BATCH = 2_000  # triples per INSERT DATA: servers cap the size of one update
AUTH_ENV = {
    "kind": "JALINAN_STORE_AUTH",
    "user": "JALINAN_STORE_USER",
    "password": "JALINAN_STORE_PASSWORD",
    "token": "JALINAN_STORE_TOKEN",
}


def is_remote(location: object) -> bool:
    return isinstance(location, RemoteLocation) or str(location).startswith(SCHEME_PREFIX)


class RemoteLocation(str):
    """A remote store's address: `sparql+http(s)://host:port/query-path`, optionally with
    `?update=/update-path&store=/graph-store-path` where the server uses other paths for updates
    and for the Graph Store Protocol (without `store`, whole graphs are written with SPARQL
    Update). A `str`, so that messages show it; it never holds credentials (see `auth_from_env`).
    """

    def __new__(cls, text: str) -> RemoteLocation:
        parts = urlsplit(text)
        if not parts.scheme.startswith(SCHEME_PREFIX) or parts.scheme[len(SCHEME_PREFIX) :] not in (
            "http",
            "https",
        ):
            raise StoreError(f"{text!r}: a remote store is sparql+http://… or sparql+https://…")
        if parts.username or parts.password:
            raise StoreError(
                "put a remote store's credentials in the environment (JALINAN_STORE_USER, "
                "JALINAN_STORE_PASSWORD or JALINAN_STORE_TOKEN), never in its address"
            )
        return super().__new__(cls, text)

    def exists(self) -> bool:  # as `Path.exists`, for callers that check a location first
        return True

    @property
    def endpoints(self) -> tuple[str, str, str | None]:
        """The query, update and Graph Store URLs."""
        parts = urlsplit(self)
        scheme = parts.scheme[len(SCHEME_PREFIX) :]
        base = urlunsplit((scheme, parts.netloc, "", "", ""))
        options = parse_qs(parts.query)
        query = base + (parts.path or "/sparql")

        def path(name: str) -> str | None:
            value = options.get(name, [None])[0]
            if value is None:
                return None
            return value if value.startswith(("http://", "https://")) else base + value

        return query, path("update") or query, path("store")


def auth_from_env(environ: Mapping[str, str] = os.environ) -> httpx.Auth | None:
    """Basic, Digest or Bearer credentials for the backend, from the environment."""
    token = environ.get(AUTH_ENV["token"])
    kind = environ.get(AUTH_ENV["kind"], "bearer" if token else "basic").lower()
    user, password = environ.get(AUTH_ENV["user"]), environ.get(AUTH_ENV["password"], "")
    if kind == "bearer":
        if not token:
            raise StoreError(f"{AUTH_ENV['kind']}=bearer needs {AUTH_ENV['token']}")
        return _Bearer(token)
    if user is None:
        return None
    if kind == "digest":
        return httpx.DigestAuth(user, password)
    if kind == "basic":
        return httpx.BasicAuth(user, password)
    raise StoreError(f"{AUTH_ENV['kind']}={kind!r}: use basic, digest or bearer")


class _Bearer(httpx.Auth):
    def __init__(self, token: str):
        self._token = token

    def auth_flow(self, request: httpx.Request):  # type: ignore[no-untyped-def]
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def __repr__(self) -> str:  # never the token
        return "Bearer(…)"


_QUICKACK = getattr(socket, "TCP_QUICKACK", None)  # (Linux only)


def _acknowledge_at_once(response: httpx.Response) -> None:
    """Acknowledge what the server sent at once, not 40 ms later (Linux's delayed acknowledgement
    on a kept-alive connection). A server that holds the rest of an answer until its first part
    is acknowledged (Nagle's algorithm: Virtuoso 7 does) otherwise waits those 40 ms for every
    answer of more than a few kilobytes: `stats-by-article`'s 44 KB first page took 57–60 ms
    where Virtuoso spent 2 ms on it (docs/deploy.md). The kernel leaves quick acknowledgement by
    itself, so it is asked for again as the answer arrives. Nothing happens where the option or
    the socket is not there."""
    if _QUICKACK is None:
        return
    stream = response.extensions.get("network_stream")
    raw = stream.get_extra_info("socket") if stream is not None else None
    if raw is not None:
        with contextlib.suppress(OSError):
            raw.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)


@dataclass
class _Cached:
    value: str | None
    at: float


class RemoteStore:
    """`GraphStore` over a SPARQL 1.1 server (see the module's docstring)."""

    version_ttl = 1.0  # seconds a data version read from the server is trusted

    def __init__(
        self,
        location: RemoteLocation,
        *,
        read_only: bool = False,
        auth: httpx.Auth | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
        max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES,
        transport: httpx.BaseTransport | None = None,
    ):
        self.location = location
        self.read_only = read_only
        self.timeout = timeout
        self.max_result_bytes = max_result_bytes
        self._query_url, self._update_url, self._store_url = location.endpoints
        self._client = httpx.Client(
            auth=auth, timeout=httpx.Timeout(timeout, connect=5.0), trust_env=False, transport=transport
        )
        self._version = _Cached(None, 0.0)
        self._version_lock = threading.Lock()
        self._virtuoso = False  # learnt from the first answer's `Server:` header
        self.path = None  # no folder: callers that stage on disk (bulk load) do not apply

    # -- the version -----------------------------------------------------------------------
    @property
    def version(self) -> str | None:
        with self._version_lock:
            if time.monotonic() - self._version.at < self.version_ttl:
                return self._version.value
        result = self.query(
            f"SELECT ?v WHERE {{ GRAPH <{VERSION_GRAPH}> {{ <{VERSION_GRAPH}> <{DATA_VERSION}> ?v }} }}"
        )
        assert isinstance(result, SelectResult)
        value = result.rows[0]["v"].value if result.rows else "unversioned"
        with self._version_lock:
            self._version = _Cached(value, time.monotonic())
        return value

    # -- HTTP ------------------------------------------------------------------------------
    def _post(self, url: str, data: dict[str, object], accept: str, timeout: float | None) -> httpx.Response:
        limit = min(timeout or self.timeout, self.timeout)
        try:
            with self._client.stream(
                "POST", url, data=data, headers={"Accept": accept}, timeout=httpx.Timeout(limit, connect=5.0)
            ) as response:
                _acknowledge_at_once(response)
                body = bytearray()
                for chunk in response.iter_bytes():
                    _acknowledge_at_once(response)
                    body += chunk
                    if len(body) > self.max_result_bytes:
                        raise ResultTooLarge(
                            f"the backend's answer grew past {self.max_result_bytes} bytes; add a LIMIT"
                        )
                response._content = bytes(body)
            self._virtuoso = response.headers.get("server", "").startswith("Virtuoso/")
        except httpx.TimeoutException:
            raise QueryTimeout(f"the backend did not answer within {limit:g} s") from None
        except httpx.HTTPError as exc:
            raise StoreError(
                f"cannot reach the SPARQL backend at {self.location}: {type(exc).__name__}"
            ) from None
        self._check(response)
        return response

    def _check(self, response: httpx.Response) -> None:
        if response.status_code < 300:
            return
        detail = response.text[:500].strip()
        if response.status_code in (400, 422):
            raise QueryError(f"the SPARQL backend refused the request: {detail}")
        if response.status_code in (401, 403):
            raise StoreError("the SPARQL backend refused Jalinan's credentials (see JALINAN_STORE_AUTH)")
        if response.status_code == 413:
            raise ResultTooLarge(f"the SPARQL backend refused the request as too large: {detail}")
        if response.status_code in (408, 504) or "timeout" in detail.lower():
            raise QueryTimeout(f"the SPARQL backend stopped the query: {detail}")
        raise StoreError(f"the SPARQL backend answered {response.status_code}: {detail}")

    # -- reading ---------------------------------------------------------------------------
    def execute(
        self,
        sparql: str,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
        trusted: bool = False,
    ) -> QuerySolutions | QueryBoolean | list[Triple]:
        """The server's answer parsed by pyoxigraph (consume it in this thread)."""
        if not trusted:
            refuse_outbound(sparql)
        elif self._virtuoso and WRITTEN_ORDER in sparql:
            sparql = VIRTUOSO_ORDER + sparql
        data: dict[str, object] = {"query": sparql}
        if default_graphs is not None:
            data["default-graph-uri"] = list(default_graphs)
        if named_graphs is not None:
            data["named-graph-uri"] = list(named_graphs)
        # Ask for one format by the query's form: a server offered both may answer a CONSTRUCT
        # as a table of ?s ?p ?o (Virtuoso does).
        graph_form = query_form(sparql) in ("CONSTRUCT", "DESCRIBE")
        accept = "application/n-triples" if graph_form else "application/sparql-results+json"
        response = self._post(self._query_url, data, accept, timeout)
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            if media in ("application/sparql-results+json", "application/json"):
                parsed = parse_query_results(
                    _canonical_booleans(response.content), format=QueryResultsFormat.JSON
                )
                if isinstance(parsed, QuerySolutions) and [v.value for v in parsed.variables] == [
                    "__ASK_RETVAL"
                ]:
                    # Virtuoso answers ASK as a one-row SELECT of 1 or 0
                    rows = [solution["__ASK_RETVAL"] for solution in parsed]
                    answer = bool(rows) and rows[0] is not None and rows[0].value not in ("0", "false")
                    return parse_query_results(
                        b'{"head":{},"boolean":' + (b"true" if answer else b"false") + b"}",
                        format=QueryResultsFormat.JSON,
                    )
                return parsed
            rdf_format = RdfFormat.from_media_type(media) or RdfFormat.N_TRIPLES
            return [_canonical_triple(quad.triple) for quad in parse(response.content, format=rdf_format)]
        except (SyntaxError, ValueError) as exc:
            raise StoreError(f"the SPARQL backend answered {media!r} that cannot be read: {exc}") from None

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
        trusted: bool = False,
    ) -> QueryResult:
        """Run a query on the server (`trusted` has no lane of its own there)."""
        return materialise(self.execute(sparql, default_graphs, named_graphs, timeout, trusted))

    def query_serialized(
        self,
        sparql: str,
        results_format: QueryResultsFormat,
        graph_format: RdfFormat,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
        trusted: bool = False,
        base_iri: str | None = None,
    ) -> tuple[str, bytes]:
        """Relative IRIs resolve against `base_iri`, which the protocol cannot send: a `BASE`
        line goes before the text (a `BASE` of the query's own still wins; the server's error
        messages then count one line more)."""
        result = self.execute(_with_base(sparql, base_iri), default_graphs, named_graphs, timeout, trusted)
        if isinstance(result, QueryBoolean):
            return "ASK", result.serialize(format=results_format)
        if isinstance(result, QuerySolutions):
            return "SELECT", result.serialize(format=results_format)
        return "GRAPH", serialize(result, format=graph_format)

    async def query_serialized_async(
        self,
        sparql: str,
        results_format: QueryResultsFormat,
        graph_format: RdfFormat,
        *,
        client: str | None = None,  # who asks: only a pool's fair line uses it
        **options: object,
    ) -> tuple[str, bytes]:
        """`query_serialized` for a caller on an event loop (in a thread: httpx waits here)."""
        return await asyncio.to_thread(self.query_serialized, sparql, results_format, graph_format, **options)  # type: ignore[arg-type]

    def graph_names(self) -> list[str]:
        # The filter is not only tidiness: without it Virtuoso 7 took 22 s to list its own
        # system graphs' names (measured), and `serve` waits for this list before it answers.
        result = self.query(
            f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_OURS_FILTER} }}", trusted=True
        )
        assert isinstance(result, SelectResult)
        return sorted(n for n in (row["g"].value for row in result.rows) if _ours(n) and n != VERSION_GRAPH)

    def has_graph(self, name: str) -> bool:
        """Asked of the server (a graph holding no triple does not exist there); never the
        server's own graphs or the version marker, as `graph_names`."""
        if not _ours(name) or name == VERSION_GRAPH:
            return False
        result = self.query(
            f"ASK {{ VALUES ?g {{ {NamedNode(name)} }} GRAPH ?g {{ ?s ?p ?o }} }}", trusted=True
        )
        assert isinstance(result, AskResult)
        return result.value

    def quad_count(self) -> int:
        """Counted by the server in one query (not one per graph)."""
        result = self.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_OURS_FILTER} }}", trusted=True
        )
        assert isinstance(result, SelectResult)
        return int(result.rows[0]["n"].value)

    def quads(self, graph: str | None = None) -> Iterable[Quad]:
        if graph is not None:
            node = NamedNode(graph)
            result = self.query(
                f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {node} {{ ?s ?p ?o }} }}", trusted=True
            )
            assert isinstance(result, GraphResult)
            return [Quad(t.subject, t.predicate, t.object, node) for t in result.triples]
        every = self.query(
            f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_OURS_FILTER} }}", trusted=True
        )
        assert isinstance(every, SelectResult)
        return [Quad(row["s"], row["p"], row["o"], row["g"]) for row in every.rows]  # type: ignore[arg-type]

    def dump(
        self,
        rdf_format: RdfFormat,
        *,
        graph: str | None = None,
        timeout: float | None = None,
        trusted: bool = False,
    ) -> bytes:
        """(`timeout` and `trusted` as for `query`: the backend's own limits apply.)"""
        quads = list(self.quads(graph))
        if graph is not None or not rdf_format.supports_datasets:
            return serialize([q.triple for q in quads], format=rdf_format)
        return serialize(quads, format=rdf_format)

    # -- writing ---------------------------------------------------------------------------
    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(f"the store at {self.location} is open read-only")

    def update(self, sparql_update: str, *, base_iri: str | None = None) -> None:
        """A client's update (ingest writes through `replace_graphs`); relative IRIs resolve
        against `base_iri` (a `BASE` line before the text, as for queries)."""
        self._writable()
        refuse_outbound(sparql_update)
        self._post(self._update_url, {"update": _with_base(sparql_update, base_iri)}, "*/*", None)
        self._new_version()

    def _update_quietly(self, sparql_update: str) -> None:
        self._post(self._update_url, {"update": sparql_update}, "*/*", None)

    def _new_version(self) -> None:
        """Write a new data-version marker: the last step of every write."""
        value = uuid.uuid4().hex
        graph = NamedNode(VERSION_GRAPH)
        self._update_quietly(
            f"DROP SILENT GRAPH {graph} ;\n"
            f"INSERT DATA {{ GRAPH {graph} {{ {graph} {NamedNode(DATA_VERSION)} {Literal(value)} }} }}"
        )
        with self._version_lock:
            self._version = _Cached(value, time.monotonic())

    def replace_graphs(
        self,
        graphs: Mapping[str, Iterable[Triple]],
        *,
        remove: Iterable[Quad] = (),
        add: Iterable[Quad] = (),
        before_commit: Callable[[], None] | None = None,
    ) -> None:
        """Replace each graph in turn (Graph Store PUT, or DROP then INSERT DATA in batches),
        then remove and add the single quads, then write the version marker. A server cannot
        stage this, so `before_commit` is called before anything is written."""
        self._writable()
        materialised = {name: list(triples) for name, triples in graphs.items()}
        removed, added = list(remove), list(add)
        if before_commit is not None:
            before_commit()
        for name, triples in materialised.items():
            self._put_graph(name, triples)
        for batch in _batches(removed):
            self._update_quietly(f"DELETE DATA {{\n{quad_block(batch)}\n}}")
        for batch in _batches(added):
            self._update_quietly(f"INSERT DATA {{\n{quad_block(batch)}\n}}")
        self._new_version()

    def _put_graph(self, name: str, triples: list[Triple]) -> None:
        node = NamedNode(name)
        if self._store_url is not None:
            body = serialize(triples, format=RdfFormat.N_TRIPLES) if triples else b""
            try:
                response = self._client.put(
                    self._store_url,
                    params={"graph": name},
                    content=body,
                    headers={"Content-Type": "application/n-triples"},
                )
            except httpx.HTTPError as exc:
                raise StoreError(
                    f"cannot reach the SPARQL backend at {self.location}: {type(exc).__name__}"
                ) from None
            self._check(response)
            return
        self._update_quietly(f"DROP SILENT GRAPH {node}")
        for batch in _batches([Quad(t.subject, t.predicate, t.object, node) for t in triples]):
            self._update_quietly(f"INSERT DATA {{\n{quad_block(batch)}\n}}")

    def scratch_copy(self) -> contextlib.AbstractContextManager[OxigraphStore]:
        """A copy of every quad in memory (`GraphStore.scratch_copy`)."""
        return memory_copy(self)

    def add_quads(self, quads: Iterable[Quad]) -> None:
        self._writable()
        for batch in _batches([q for q in quads if not isinstance(q.graph_name, DefaultGraph)]):
            self._update_quietly(f"INSERT DATA {{\n{quad_block(batch)}\n}}")
        self._new_version()

    def remove_graphs(self, names: Iterable[str]) -> None:
        self._writable()
        statements = [f"DROP SILENT GRAPH {NamedNode(name)}" for name in names]
        if statements:
            self._update_quietly(" ;\n".join(statements))
        self._new_version()

    def flush(self) -> None:
        return None

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_SKIPPED = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\s]*>'
    r"|#[^\n]*"
)
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


_BOOLEAN = XSD + "boolean"
_CANONICAL_BOOLEAN = {"1": "true", "0": "false"}


def _canonical_booleans(body: bytes) -> bytes:
    """SPARQL JSON results with every `xsd:boolean` in its canonical form: Virtuoso 7 writes
    `"1"^^xsd:boolean` (the same value as `"true"`, XSD §3.3.2, but another term to a client that
    compares results, and to the next query a page's rows are bound into). Read as JSON only when
    a boolean is there at all (a search page, not a long listing)."""
    if _BOOLEAN.encode() not in body:
        return body
    document = json.loads(body)
    for row in document.get("results", {}).get("bindings", []):
        for term in row.values():
            if term.get("datatype") == _BOOLEAN and term.get("value") in _CANONICAL_BOOLEAN:
                term["value"] = _CANONICAL_BOOLEAN[term["value"]]
    return json.dumps(document).encode()


def _canonical_triple(triple: Triple) -> Triple:
    """The triple with its object's `xsd:boolean` in canonical form (see `_canonical_booleans`)."""
    value = triple.object
    if isinstance(value, Literal) and value.datatype.value == _BOOLEAN and value.value in _CANONICAL_BOOLEAN:
        return Triple(
            triple.subject,
            triple.predicate,
            Literal(_CANONICAL_BOOLEAN[value.value], datatype=value.datatype),
        )
    return triple


def _with_base(text: str, base_iri: str | None) -> str:
    return text if base_iri is None else f"BASE {NamedNode(base_iri)}\n{text}"


def query_form(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first such keyword outside strings, IRIs and
    comments (only to choose what to accept; the server parses the query)."""
    match = _FORM.search(_SKIPPED.sub(" ", sparql))
    return match.group(1).upper() if match else "SELECT"


_OUTBOUND = re.compile(r"service|load|\\u|\\U", re.IGNORECASE)


def refuse_outbound(text: str) -> None:
    """Refuse a client's query or update that could make the server fetch remote data.

    The remote server, not Jalinan, would make the request, so Jalinan's network sandbox cannot
    stop it; instead any text holding "service" or "load" (in any case, anywhere, strings and
    comments included) or an escape that could spell them is refused, before it is sent. A few
    harmless queries are refused too (a string "download"); that is the price of a rule that
    cannot be argued with.
    """
    if _OUTBOUND.search(text):
        raise OutboundRefused(
            "the query could ask the SPARQL backend for data from another server (it holds 'service', "
            "'load' or an escape); with a remote backend Jalinan sends no such query"
        )


# Jalinan's graphs in a query: not the server's own, not the version marker
_OURS_FILTER = (
    "FILTER ("
    + " && ".join(f'!STRSTARTS(STR(?g), "{prefix}")' for prefix in SERVER_GRAPH_PREFIXES)
    + f" && ?g != <{VERSION_GRAPH}>)"
)


def _ours(graph: str) -> bool:
    return not graph.startswith(SERVER_GRAPH_PREFIXES)


def _batches(items: list, size: int = BATCH) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
