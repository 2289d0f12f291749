"""Conditional requests and a result cache for reads, both keyed by the data's version.

Why: every read answer is a function of the data, of what the request asks and of the format
it negotiated. `PooledStore.version` changes with every write, so an answer computed once can be
served again until the next write, and a client that holds it can be told it is still current
(304) without running anything. Reads are many and writes rare: this is where the product can
do better than a generic SPARQL server.

* `ETag`: a strong validator, a hash of (version, the request's identity), so identical
  requests get the same tag and any write changes every tag. `If-None-Match` (RFC 9110
  §13.1.2: a list, weak comparison) naming it answers a GET with 304 before any query runs,
  since the client can only hold it from a 200 at this version; `*` matches once there is an
  answer (not an error). A POST query gets 412, as the RFC says for methods other than GET.
* `X-Jalinan-Data-Version`: the version itself, beside the ETag. On read replicas it names the
  published snapshot the answer was read from, the same on every replica (`graph/replica.py`).
* `Cache-Control: public, no-cache` (RFC 9111): anyone may store the answer, nobody may reuse
  it without revalidating, since a write can change it at any moment. `Vary: Accept` where the
  format is negotiated.
* `ResultCache`: the answers themselves, an LRU capped by total bytes (`--cache-bytes`; 0 turns
  it off, the validators still work). It holds one version's answers: the first lookup at a new
  version drops them all, so after a write no old answer is reachable and its memory is freed.
  Identical canned requests (canned queries, friendly JSON, entity pages) arriving while an
  answer is computed wait for that one run.

Neither cached nor tagged: errors (they raise before anything is stored), truncated answers
(which items are cut depends on an order SPARQL does not promise), answers computed while a
write landed (the version moved during the query), queries calling RAND, NOW, UUID, STRUUID or
BNODE (however spelled: `volatile.py`), and answers holding blank nodes (fresh labels on every
run: the bytes would not repeat, which a strong ETag promises). A store without a `version` (a
plain store a test hands in) turns all of this off.
"""

import asyncio
import hashlib
import json
import re
import threading
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response

from jalinan.api.errors import precondition_failed
from jalinan.api.limits import TRUNCATED_HEADER
from jalinan.api.logging import note_cache
from jalinan.api.volatile import is_volatile
from jalinan.graph import GraphStore

CACHE_HEADER = "X-Jalinan-Cache"  # hit (from the cache), miss (computed now), revalidated (304)
VERSION_HEADER = "X-Jalinan-Data-Version"  # the data version the answer (and its ETag) was read at
CACHE_CONTROL = "public, no-cache"
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not Modified: `If-None-Match` names the current ETag (no body)"}
}
_BLANK_NODE_MARKERS = (b"_:", b"bnode", b"nodeID")  # N-Triples/Turtle/CSV, SPARQL JSON/XML, RDF/XML
# SPARQL results in JSON and XML name a blank node only as `"type":"bnode"` / `<bnode>`: one scan
# of the body, not three (the scans were the largest single cost of a cached /sparql answer).
_BLANK_NODE_MARKERS_BY_TYPE = {
    "application/sparql-results+json": (b"bnode",),
    "application/sparql-results+xml": (b"bnode",),
}
_ENTITY_TAG = re.compile(r'(?:W/)?"([^"]*)"')
_TRUNCATED_KEY = TRUNCATED_HEADER.lower().encode("latin-1")
_ENTRY_OVERHEAD = 256  # bytes counted per entry for the key, the objects and the dict slot

Identity = tuple[str, ...]


@dataclass(frozen=True)
class CachedAnswer:
    """A 200 answer as sent: its body and headers (without Content-Length, recomputed)."""

    body: bytes
    headers: tuple[tuple[str, str], ...]


def _size(identity: Identity, answer: CachedAnswer) -> int:
    return (
        len(answer.body)
        + sum(len(part) for part in identity)
        + sum(len(k) + len(v) for k, v in answer.headers)
        + _ENTRY_OVERHEAD
    )


class ResultCache:
    """An LRU of answers for one data version, capped at `capacity` bytes (0: off).

    Used from the event loop and guarded by a lock anyway, so it stays correct if a caller ever
    moves to a thread. `computing` holds the answers being computed now (event loop only), so
    identical requests arriving meanwhile wait for that one run instead of each starting their
    own: after a write, 32 clients asking the same thing cost one query, not 32.
    """

    def __init__(self, capacity: int):
        self.capacity = max(0, capacity)
        self.bytes = 0
        self.computing: dict[tuple[str, Identity], asyncio.Event] = {}
        self._version: str | None = None
        self._retired: deque[str] = deque(maxlen=64)  # versions left behind, newest last
        self._entries: OrderedDict[Identity, tuple[CachedAnswer, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def _adopt(self, version: str) -> bool:
        """Versions only move forward: a new one makes every entry stale, so drop them all.
        False for a version already left behind (a read replica's request pinned to the snapshot
        before the newest): it neither reads the cache nor takes it back a version."""
        if version != self._version:
            if version in self._retired:
                return False
            if self._version is not None:
                self._retired.append(self._version)
            self._entries.clear()
            self.bytes = 0
            self._version = version
        return True

    def get(self, version: str, identity: Identity) -> CachedAnswer | None:
        if not self.capacity:
            return None
        with self._lock:
            if not self._adopt(version):
                return None
            found = self._entries.get(identity)
            if found is None:
                return None
            self._entries.move_to_end(identity)
            return found[0]

    def put(self, version: str, identity: Identity, answer: CachedAnswer) -> None:
        """Keep `answer`, evicting the least recently used; an answer of an older version, or one
        larger than the whole cache, is not kept."""
        size = _size(identity, answer)
        if size > self.capacity:
            return
        with self._lock:
            if version != self._version:
                return
            previous = self._entries.pop(identity, None)
            if previous is not None:
                self.bytes -= previous[1]
            while self._entries and self.bytes + size > self.capacity:
                _, (_, evicted) = self._entries.popitem(last=False)
                self.bytes -= evicted
            self._entries[identity] = (answer, size)
            self.bytes += size


def data_version(store: GraphStore) -> str | None:
    """The store's data version (`GraphStore.version`), or None when it has none."""
    return store.version


def entity_tag(version: str, identity: Identity) -> str:
    """A strong ETag: the same for the same request at the same version, new after any write."""
    text = json.dumps([version, *identity])  # unambiguous, and ASCII whatever the query holds
    return '"' + hashlib.blake2b(text.encode(), digest_size=16).hexdigest() + '"'


def none_match(header: str | None, etag: str) -> bool:
    """Whether `If-None-Match` lists `etag` (weak comparison: `W/` is ignored). `*` is decided
    by the caller: it matches only if there is an answer, which an error is not."""
    return bool(header) and etag.strip('"') in _ENTITY_TAG.findall(header or "")


def _not_modified(request: Request, validators: dict[str, str]) -> Response:
    """304 for a GET; 412 for other methods, which RFC 9110 §13.1.2 says must not be performed."""
    if request.method not in ("GET", "HEAD"):
        raise precondition_failed("If-None-Match matches the current answer")
    note_cache(request, "revalidated")
    return Response(status_code=304, headers={**validators, CACHE_HEADER: "revalidated"})


def _repeatable(response: Response, body: bytes) -> bool:
    """A complete 200 answer whose bytes the same request would get again at this version.

    Read from the raw headers in one pass (their names are lower case): `response.headers`
    builds a `MutableHeaders` and decodes every name for each question asked of it."""
    if response.status_code != 200:
        return False
    cache_control = content_type = None
    for key, value in response.raw_headers:
        if key == _TRUNCATED_KEY:
            return False
        if key == b"cache-control" and cache_control is None:
            cache_control = value
        elif key == b"content-type" and content_type is None:
            content_type = value
    if cache_control is not None and b"no-store" in cache_control:  # a page that knows it is partial
        return False
    return not _has_blank_node(body, content_type.decode("latin-1") if content_type is not None else "")


def _kept_headers(response: Response) -> tuple[tuple[str, str], ...]:
    """The headers a cached answer keeps: all but Content-Length (recomputed), as
    `response.headers.items()` gives them, decoded from the raw list in one pass."""
    kept = [(key, value) for key, value in response.raw_headers if key != b"content-length"]
    return tuple((key.decode("latin-1"), value.decode("latin-1")) for key, value in kept)


def _set_headers(response: Response, headers: dict[str, str]) -> None:
    """`response.headers.update(headers)`, with a header the response lacks appended to its raw
    list at once: Starlette's `MutableHeaders` rebuilds its key list and scans it for each header
    set (about a tenth of the app's own work per uncached `/sparql` answer, cProfile)."""
    present = {key for key, _ in response.raw_headers}
    for name, value in headers.items():
        key = name.lower().encode("latin-1")
        if key in present:
            response.headers[name] = value
        else:
            response.raw_headers.append((key, value.encode("latin-1")))


def _has_blank_node(body: bytes, content_type: str) -> bool:
    """Whether the body may name a blank node (whose label differs from one run to the next).
    A marker inside a literal only costs a cache miss. `_` is looked for first: a one-byte
    search is a `memchr`, some fifty times faster than the two-byte one it spares when absent."""
    media = content_type.partition(";")[0].strip().lower()
    for marker in _BLANK_NODE_MARKERS_BY_TYPE.get(media, _BLANK_NODE_MARKERS):
        if marker == b"_:" and b"_" not in body:
            continue
        # `rfind`, not `in`: CPython's backward search skips on the marker's first byte (`b`,
        # rare in results), the forward one on its last (`e`, in every "type" and "value"):
        # 3.5 against 13 µs on the two-hop query's 23 KB answer (timeit, session 11)
        if body.rfind(marker) != -1:
            return True
    return False


def query_identity(
    sparql: str,
    results_format: object,
    graph_format: object,
    default_graphs: list[str] | None = None,
    named_graphs: list[str] | None = None,
) -> Identity:
    """What a SPARQL answer depends on besides the data: the text, the dataset, and the format
    for each query form (None: that form is not acceptable). A canned query's answer also
    depends on its route and parameters as given (its `Link` repeats them), so the canned route
    adds those to this, and never shares an entry with `/sparql`."""
    return (
        "sparql",
        sparql,
        json.dumps(default_graphs) if default_graphs else "[]",  # (the common case, without JSON)
        json.dumps(named_graphs) if named_graphs else "[]",
        getattr(results_format, "media_type", ""),
        getattr(graph_format, "media_type", ""),
    )


async def cached(
    request: Request,
    identity: Identity,
    produce: Callable[[], Awaitable[Response]],
    *,
    sparql: str | None = None,
    vary: str | None = "Accept",
    coalesce: bool = True,
) -> Response:
    """Answer a read from validators or the cache, else from `produce` (and keep its answer).

    Call it after the request is validated, so a client's mistake is answered as such (4xx)
    rather than 304; `produce` raises for errors, which are thereby never stored.
    `coalesce=False` (a client's own SPARQL): never wait for an identical request running now,
    since that one may run to the time limit and fail, and then each waiter would start again;
    each such query keeps its own place in the workers' waiting line (`--max-waiting`).
    """
    store = request.app.state.store
    version = data_version(store)
    header = request.headers.get("if-none-match")
    any_answer = header is not None and header.strip() == "*"
    if sparql is not None and is_volatile(sparql):
        version = None  # an answer that differs on every run: no tag, no cache
    validators: dict[str, str] = {}
    cache: ResultCache = request.app.state.result_cache
    running: asyncio.Event | None = None
    if version is not None:
        etag = entity_tag(version, identity)
        validators = {
            "ETag": etag,
            "Cache-Control": CACHE_CONTROL,
            VERSION_HEADER: version,
            **({"Vary": vary} if vary else {}),
        }
        if none_match(header, etag):  # the client got this tag with a 200 at this version
            return _not_modified(request, validators)
        flight = (version, identity)
        answer = cache.get(version, identity)
        if answer is None and coalesce and flight in cache.computing:
            await cache.computing[flight].wait()  # the same request is running now: take its answer
            # unless a write landed meanwhile (then a lookup would take the cache back a version)
            answer = cache.get(version, identity) if data_version(store) == version else None
        if answer is not None:
            note_cache(request, "hit")
            if any_answer:
                return _not_modified(request, validators)
            response = Response(answer.body, headers=dict(answer.headers))
            response.headers.update({**validators, CACHE_HEADER: "hit"})
            return response
        if coalesce and cache.capacity and flight not in cache.computing:
            running = cache.computing[flight] = asyncio.Event()
    try:
        response = await produce()
        note_cache(request, "miss")
        _set_headers(response, {CACHE_HEADER: "miss"})
        body = bytes(response.body)
        if version is not None and _repeatable(response, body) and data_version(store) == version:
            cache.put(version, identity, CachedAnswer(body, _kept_headers(response)))
            _set_headers(response, validators)
        else:
            validators = {}  # the next request computes it again, and no tag promises otherwise
    finally:
        if running is not None:  # wake those waiting: they find the answer, or compute their own
            cache.computing.pop(flight)
            running.set()
    if any_answer and response.status_code == 200:
        return _not_modified(request, validators)
    return response
