"""The app's own CPU per `/sparql` answer, in-process, with a store that answers at once.

What the front end spends per answer between the ASGI call and the response's last message, apart
from HTTP and the store (which `sparql_bench` and `hop_bench` measure): every request a distinct
text (a trailing comment), as a GET with `Accept: application/sparql-results+json`, the store
answering with a fixed SPARQL JSON body of the two-hop query's size. The figure is the process's
CPU (`time.process_time`) per answer, steadier than wall time on a shared machine; runs alternate
when several are asked for, so that a change of load hits each alike.

    python -m bench.sparql_app_bench --answers 5000 --runs 3

Run it from two checkouts (each with its own venv) for an A/B of the front end.
"""

import argparse
import contextlib
import json
import os
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvloop

from bench.sparql_bench import TWO_HOP
from jalinan.api import logging as access_log
from jalinan.api.app import create_app
from jalinan.api.settings import Settings

# The two-hop query's answer at 1,000 articles is ~24 KB of SPARQL JSON; this has that shape.
_ROW = (
    '{"agreement":{"type":"uri","value":"https://w3id.org/jalinan/id/agreement-%05d"},'
    '"party":{"type":"uri","value":"https://w3id.org/jalinan/id/party-%05d"},'
    '"label":{"type":"literal","value":"Party number %05d","xml:lang":"en"}}'
)
BODY = (
    '{"head":{"vars":["agreement","party","label"]},"results":{"bindings":['
    + ",".join(_ROW % (n, n, n) for n in range(100))
    + "]}}"
).encode()


class InstantStore:
    """A store that answers every query at once with `BODY` (the app's cost alone)."""

    version = "v1"
    path = None

    async def query_serialized_async(self, sparql: str, *args: Any, **kwargs: Any) -> tuple[str, bytes]:
        return "SELECT", BODY

    def query_serialized(self, sparql: str, *args: Any, **kwargs: Any) -> tuple[str, bytes]:
        return "SELECT", BODY

    def close(self) -> None:
        pass


async def get(app: Any, path: str, query_string: bytes, client: int = 0) -> tuple[int, int]:
    """One GET of `path` through the ASGI `app` as a JSON client sends it, from client port
    50000 + `client`: the response's status and the bytes of its body."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query_string,
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"accept", b"application/sparql-results+json"),
            (b"user-agent", b"bench"),
        ],
        "client": ("127.0.0.1", 50000 + client),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    status = 0
    sent = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, sent
        if message["type"] == "http.response.start":
            status = message["status"]
        else:
            sent += len(message.get("body", b""))

    await app(scope, receive, send)
    return status, sent


async def _one(app: Any, path: str, query: str) -> int:
    status, sent = await get(app, path, query.encode())
    assert status == 200 and sent == len(BODY), (status, sent)
    return sent


async def _measure(app: Any, answers: int, tag: str) -> float:
    encoded = [urllib.parse.urlencode({"query": f"{TWO_HOP} # {tag} {n}"}) for n in range(answers)]
    for n in range(200):  # warm: first-call imports, the cache's first version
        await _one(app, "/sparql", urllib.parse.urlencode({"query": f"{TWO_HOP} # warm {tag} {n}"}))
    started = time.process_time()
    for query in encoded:
        await _one(app, "/sparql", query)
    return 1e6 * (time.process_time() - started) / answers


@contextlib.contextmanager
def access_lines_as_served() -> Iterator[None]:
    """The access line written as `serve` writes it (`access_log.configure`: its handler on a
    stream), here to nowhere, for this run only."""
    logger = access_log.logger
    level, propagate, before = logger.level, logger.propagate, list(logger.handlers)
    with open(os.devnull, "w") as nowhere:
        for handler in before:
            logger.removeHandler(handler)
        access_log.configure(nowhere)
        try:
            yield
        finally:
            for handler in list(logger.handlers):
                logger.removeHandler(handler)
            for handler in before:
                logger.addHandler(handler)
            logger.setLevel(level)
            logger.propagate = propagate


def run(answers: int, runs: int, cache_bytes: int | None) -> dict[str, Any]:
    options = {} if cache_bytes is None else {"cache_bytes": cache_bytes}
    settings = Settings(store_path=Path("unused"), **options)
    app = create_app(settings, InstantStore())  # type: ignore[arg-type]
    with access_lines_as_served():
        figures = [uvloop.run(_measure(app, answers, f"run{number}")) for number in range(runs)]
    return {"answers": answers, "us_per_answer": figures, "best_us": min(figures)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cache-bytes", type=int, help="the result cache's size (default: the server's)")
    args = parser.parse_args()
    print(json.dumps(run(args.answers, args.runs, args.cache_bytes)))


if __name__ == "__main__":
    main()
