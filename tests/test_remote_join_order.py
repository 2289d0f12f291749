"""On Virtuoso, Jalinan's own queries that ask for it are joined in the order written.

Virtuoso 7 picks a join order from index samples kept from earlier queries, so the same page
query took 3 ms or 167 ms of its execution depending on what ran before it (queries/README.md,
"Virtuoso's join order"). What is sent is checked at the HTTP boundary (httpx's transport for
tests, answering as each server answers); the rows on the real servers are checked by
`test_backends_remote.py`, which runs every canned query, hinted ones included, on Virtuoso.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

import jalinan.queries
from jalinan.graph import RemoteLocation, RemoteStore
from jalinan.graph.remote_store import WRITTEN_ORDER

EMPTY = b'{"head":{"vars":["s"]},"results":{"bindings":[]}}'
HINTED = f"{WRITTEN_ORDER}.\nSELECT ?s WHERE {{ ?s ?p ?o }}"
PLAIN = "SELECT ?s WHERE { ?s ?p ?o }"


def _store(server: str, sent: list[str]) -> RemoteStore:
    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(parse_qs(request.content.decode())["query"][0])
        headers = {"content-type": "application/sparql-results+json", "server": server}
        return httpx.Response(200, content=EMPTY, headers=headers)

    location = RemoteLocation("sparql+http://127.0.0.1:8890/sparql")
    return RemoteStore(location, read_only=True, transport=httpx.MockTransport(answer))


def test_a_hinted_query_of_jalinans_own_asks_virtuoso_for_the_written_order() -> None:
    sent: list[str] = []
    store = _store("Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu", sent)
    store.query(PLAIN, trusted=True)  # the first answer says which server it is
    store.query(HINTED, trusted=True)
    store.query(PLAIN, trusted=True)
    assert sent[1] == 'DEFINE sql:select-option "order"\n' + HINTED
    assert sent[2] == PLAIN  # a query that does not ask is planned by Virtuoso


def test_a_clients_query_is_sent_as_given_even_with_the_comment() -> None:
    sent: list[str] = []
    store = _store("Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu", sent)
    store.query(PLAIN, trusted=True)
    store.query(HINTED)
    assert sent[-1] == HINTED


@pytest.mark.parametrize("server", ["Oxigraph/0.5.5", ""])
def test_another_server_never_gets_virtuosos_pragma(server: str) -> None:
    sent: list[str] = []
    store = _store(server, sent)
    store.query(PLAIN, trusted=True)
    store.query(HINTED, trusted=True)
    assert sent[-1] == HINTED


def test_every_query_that_asks_for_the_written_order_is_listed_with_its_measurement() -> None:
    """The comment is a claim measured on Virtuoso: queries/README.md lists each file that makes it."""
    folder = Path(jalinan.queries.__file__).parent
    hinted = sorted(
        str(p.relative_to(folder)) for p in folder.rglob("*.rq") if WRITTEN_ORDER in p.read_text()
    )
    section = (folder / "README.md").read_text().split("## Virtuoso's join order", 1)[1].split("\n## ", 1)[0]
    assert hinted and [path for path in hinted if f"`{path}`" not in section] == []
