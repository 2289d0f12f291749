"""No query or update makes the server send a request anywhere off the allowlist, however spelled.

Attacks go to a real `jalinan serve` on a loopback port; their targets are a local listener (a
tiny HTTP server that records every request it receives) on another loopback port. Two servers:
one with no allowlist, and one whose allowlist names one path on that same listener, so that an
attack that only needs the routing check to be fooled would be heard by the listener too.
"""

import argparse
import http.server
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pyoxigraph import Store

from jalinan.api.service_guard import needs_network
from jalinan.graph import OxigraphStore, sandbox
from jalinan.graph.sandbox import OutboundRefused
from tests.conftest import ApiServer, build_store, free_port, run_server

LISTENER_ROW = "answered-by-the-listener"
REDIRECTS = (301, 302, 303, 307, 308)


class Listener:
    """An HTTP server on a free loopback port that records every request and answers each with
    one SPARQL JSON row (or one Turtle triple), so that a request that got through is seen."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        recorded = self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                recorded.append(f"{self.command} {self.path}")
                if self.path.startswith("/redirect"):  # an allowlisted endpoint that sends elsewhere
                    self.send_response(int(self.path.rsplit("-", 1)[-1]))
                    self.send_header("Location", f"http://127.0.0.1:{self.server.server_port}/attack")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if "sparql-results" in self.headers.get("accept", ""):
                    row = {"x": {"type": "literal", "value": LISTENER_ROW}}
                    body = {"head": {"vars": ["x"]}, "results": {"bindings": [row]}}
                    data, media = json.dumps(body).encode(), "application/sparql-results+json"
                else:
                    data, media = f'<urn:a> <urn:b> "{LISTENER_ROW}" .\n'.encode(), "text/turtle"
                self.send_response(200)
                self.send_header("Content-Type", media)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_HEAD = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        self.base = f"http://127.0.0.1:{self.port}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    running = Listener()
    yield running
    running.close()


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("outbound") / "store")


@pytest.fixture(scope="module")
def closed_server(store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    """No allowlist: nothing may go out at all."""
    log = tmp_path_factory.mktemp("outbound-closed") / "serve.log"
    copy = tmp_path_factory.mktemp("outbound-closed-store") / "store"
    with run_server(build_store(copy), log) as server:
        yield server


@pytest.fixture(scope="module")
def allowlist_server(
    listener: Listener, store_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApiServer]:
    """The allowlist names `<listener>/allowed` (one path on the very host the attacks target) and
    endpoints there that answer with a redirect to `/attack`."""
    log = tmp_path_factory.mktemp("outbound-allow") / "serve.log"
    options = ["--service-allow", listener.base + "allowed"]
    for status in REDIRECTS:
        options += ["--service-allow", f"{listener.base}redirect-{status}"]
    with run_server(store_path, log, *options) as server:
        yield server


@pytest.fixture(params=["no-allowlist", "allowlist"])
def server(request: pytest.FixtureRequest) -> ApiServer:
    return request.getfixturevalue("closed_server" if request.param == "no-allowlist" else "allowlist_server")


def _fill(template: str, listener: Listener) -> str:
    """Put the listener into a template: {t} an attack target, {a} the allowlisted endpoint,
    {base} the listener's root, {port} its port."""
    return template.format(
        t=listener.base + "attack", a=listener.base + "allowed", base=listener.base, port=listener.port
    )


QUERIES = {
    "plain": "SELECT * WHERE {{ SERVICE <{t}> {{ ?s ?p ?o }} }}",
    "silent": "SELECT * WHERE {{ SERVICE SILENT <{t}> {{ ?s ?p ?o }} }}",
    "lower-case": "select * where {{ service <{t}> {{ ?s ?p ?o }} }}",
    "mixed-case": "SELECT * WHERE {{ sErViCe SiLeNt <{t}> {{ ?s ?p ?o }} }}",
    "ask": "ASK {{ SERVICE <{t}> {{ ?s ?p ?o }} }}",
    "construct": "CONSTRUCT WHERE {{ SERVICE <{t}> {{ ?s ?p ?o }} }}",
    "describe": "DESCRIBE ?s WHERE {{ SERVICE <{t}> {{ ?s ?p ?o }} }}",
    "prefixed": "PREFIX x: <{base}> SELECT * WHERE {{ SERVICE x:attack {{ ?s ?p ?o }} }}",
    "repeated-prefix": "PREFIX x: <{a}#> PREFIX x: <{t}#> SELECT * WHERE {{ SERVICE x:z {{ ?s ?p ?o }} }}",
    "repeated-prefix-last-allowed": "PREFIX x: <{t}#> PREFIX x: <{a}#> SELECT * {{ SERVICE x:z {{}} }}",
    "base-relative": "BASE <{base}> SELECT * WHERE {{ SERVICE <attack> {{ ?s ?p ?o }} }}",
    "base-empty-iri": "BASE <{t}> SELECT * WHERE {{ SERVICE <> {{ ?s ?p ?o }} }}",
    "base-network-path": "BASE <{a}> SELECT * WHERE {{ SERVICE <//127.0.0.1:{port}/attack> {{ ?s ?p ?o }} }}",
    "escape-in-iri": "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/\\u0061ttack> {{ ?s ?p ?o }} }}",
    "escape-whole-iri": "SELECT * WHERE {{ SERVICE <\\u0068ttp://127.0.0.1:{port}/attack> {{ ?s ?p ?o }} }}",
    "escape-in-keyword": "SELECT * WHERE {{ \\u0053ERVICE <{t}> {{ ?s ?p ?o }} }}",
    "escaped-quote-hides-service": 'SELECT * {{ BIND("\\u0022" AS ?q) SERVICE <{t}> {{ ?s ?p ?o }} '
    'BIND("\\u0022" AS ?r) }}',
    "escaped-quote-with-allowed": 'SELECT * {{ BIND("\\u0022 SERVICE <{a}> {{}} \\u0022" AS ?q) '
    "SERVICE <{t}> {{ ?s ?p ?o }} }}",
    "escaped-backslash": 'SELECT * WHERE {{ BIND("\\u005C" AS ?q) SERVICE <{t}> {{ ?s ?p ?o }} }}',
    "allowed-in-a-string": 'SELECT * WHERE {{ BIND("SERVICE <{a}>" AS ?q) SERVICE <{t}> {{ ?s ?p ?o }} }}',
    "allowed-in-a-comment": "SELECT * WHERE {{ # SERVICE <{a}>\n SERVICE <{t}> {{ ?s ?p ?o }} }}",
    "comment-between": "SELECT * WHERE {{ SERVICE # <{a}>\n <{t}> {{ ?s ?p ?o }} }}",
    "allowed-then-attack": "SELECT * WHERE {{ SERVICE <{a}> {{ ?s ?p ?o }} SERVICE <{t}> {{ ?x ?y ?z }} }}",
    "nested-in-allowed": "SELECT * WHERE {{ SERVICE <{a}> {{ SERVICE <{t}> {{ ?s ?p ?o }} }} }}",
    "subquery": "SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{t}> {{ ?s ?p ?o }} }} }} }}",
    "optional": "SELECT * WHERE {{ OPTIONAL {{ SERVICE <{t}> {{ ?s ?p ?o }} }} }}",
    "union": "SELECT * WHERE {{ {{ BIND(1 AS ?one) }} UNION {{ SERVICE <{t}> {{ ?s ?p ?o }} }} }}",
    "exists": "SELECT * WHERE {{ BIND(1 AS ?one) FILTER EXISTS {{ SERVICE <{t}> {{ ?s ?p ?o }} }} }}",
    "values-variable": "SELECT * WHERE {{ VALUES ?e {{ <{t}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
    "bind-variable": "SELECT * WHERE {{ BIND(<{t}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
    "values-after": "SELECT * WHERE {{ SERVICE ?e {{ ?s ?p ?o }} }} VALUES ?e {{ <{t}> }}",
    "localhost": "SELECT * WHERE {{ SERVICE <http://localhost:{port}/attack> {{ ?s ?p ?o }} }}",
    "short-ipv4": "SELECT * WHERE {{ SERVICE <http://127.1:{port}/attack> {{ ?s ?p ?o }} }}",
    "ipv6-mapped": "SELECT * WHERE {{ SERVICE <http://[::ffff:127.0.0.1]:{port}/attack> {{ ?s ?p ?o }} }}",
    "https": "SELECT * WHERE {{ SERVICE <https://127.0.0.1:{port}/attack> {{ ?s ?p ?o }} }}",
    "allowed-prefix-of-target": "SELECT * WHERE {{ SERVICE <{a}/../attack> {{ ?s ?p ?o }} }}",
}


def assert_refused_or_empty(attack: str, response) -> None:
    """A SERVICE attack's answer: SERVICE SILENT gives an empty answer, the others a 400 saying
    the query fetches nothing from outside; neither carries the listener's row."""
    if "silent" in QUERIES[attack].lower():
        assert response.status_code == 200, (attack, response.text)
    else:
        assert response.status_code == 400, (attack, response.text)
        assert "fetches none" in response.json()["detail"]
    assert LISTENER_ROW not in response.text


UPDATES = {
    "load": "LOAD <{t}>",
    "load-silent": "LOAD SILENT <{t}>",
    "load-into": "LOAD <{t}> INTO GRAPH <urn:jalinan:test:loaded>",
    "load-lower-case": "load <{t}>",
    "load-allowlisted-endpoint": "LOAD <{a}>",
    "load-escaped-iri": "LOAD <http://127.0.0.1:{port}/\\u0061ttack>",
    "load-prefixed": "PREFIX x: <{base}> LOAD x:attack",
    "load-repeated-prefix": "PREFIX x: <{a}#> PREFIX x: <{t}#> LOAD x:z",
    "load-base": "BASE <{base}> LOAD <attack>",
    "load-after-insert": "INSERT DATA {{ <urn:a> <urn:b> <urn:c> }} ; LOAD <{t}>",
    "load-with-comment": "# nothing to see\nLOAD # <{a}>\n<{t}>",
    "service-in-where": "INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{t}> {{ ?s ?p ?o }} }}",
    "silent-optional": "INSERT {{ ?s ?p ?o }} WHERE {{ OPTIONAL {{ SERVICE SILENT <{t}> {{ ?s ?p ?o }} }} }}",
    "service-allowlisted-in-update": "INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{a}> {{ ?s ?p ?o }} }}",
    "service-in-delete-where": "DELETE {{ ?s ?p ?o }} WHERE {{ SERVICE <{t}> {{ ?s ?p ?o }} }}",
    "service-variable": "INSERT {{ ?s ?p ?o }} WHERE {{ VALUES ?e {{ <{t}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
    "service-escaped-iri": "INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <\\u0068ttp://127.0.0.1:{port}/attack> "
    "{{ ?s ?p ?o }} }}",
}


def _assert_refused_or_empty(response: httpx.Response) -> None:
    """A refusal is a 4xx problem; SERVICE SILENT answers as if the endpoint had failed; never
    a 5xx, and never anything the listener said."""
    assert response.status_code < 500, response.text
    assert LISTENER_ROW not in response.text
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("template", QUERIES.values(), ids=QUERIES.keys())
def test_a_query_never_reaches_a_host_off_the_allowlist(
    server: ApiServer, listener: Listener, template: str
) -> None:
    query = _fill(template, listener)
    listener.requests.clear()
    for send in (
        lambda: httpx.post(server.url("/sparql"), data={"query": query}, timeout=30),
        lambda: httpx.get(server.url("/query"), params={"query": query}, timeout=30),
        lambda: httpx.post(
            server.url("/query"),
            content=query,
            headers={"Content-Type": "application/sparql-query"},
            timeout=30,
        ),
    ):
        _assert_refused_or_empty(send())
    assert listener.requests == []


@pytest.mark.parametrize("with_token", [True, False], ids=["token", "no-token"])
@pytest.mark.parametrize("template", UPDATES.values(), ids=UPDATES.keys())
def test_an_update_never_reaches_any_host(
    server: ApiServer, listener: Listener, template: str, with_token: bool
) -> None:
    update = _fill(template, listener)
    headers = {"Authorization": f"Bearer {server.write_token}"} if with_token else {}
    listener.requests.clear()
    for send in (
        lambda: httpx.post(server.url("/update"), data={"update": update}, headers=headers, timeout=30),
        lambda: httpx.post(
            server.url("/sparql"),
            content=update,
            headers=headers | {"Content-Type": "application/sparql-update"},
            timeout=30,
        ),
    ):
        response = send()
        _assert_refused_or_empty(response)
        if not with_token:
            assert response.status_code == 401
    assert listener.requests == []


def test_a_json_ld_body_with_a_remote_context_is_not_fetched(server: ApiServer, listener: Listener) -> None:
    body = json.dumps({"@context": listener.base + "attack-context", "@id": "urn:a", "urn:b": "c"})
    headers = {"Authorization": f"Bearer {server.write_token}", "Content-Type": "application/ld+json"}
    listener.requests.clear()
    response = httpx.put(
        server.url("/store"), params={"graph": "urn:jalinan:test:ld"}, content=body, headers=headers
    )
    assert response.status_code == 400, response.text
    assert listener.requests == []


def _refusal(server: ApiServer, endpoint: str, kind: str) -> tuple[int, str]:
    if kind == "query":
        query = f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"
        response = httpx.post(server.url("/sparql"), data={"query": query})
    else:
        headers = {"Authorization": f"Bearer {server.write_token}"}
        response = httpx.post(server.url("/update"), data={"update": f"LOAD <{endpoint}>"}, headers=headers)
    return response.status_code, response.text


@pytest.mark.parametrize("kind", ["query", "update"])
def test_the_refusal_is_the_same_for_an_open_and_a_closed_port(
    server: ApiServer, listener: Listener, kind: str
) -> None:
    """An attacker learns nothing by probing: the answer does not depend on what listens there."""
    listener.requests.clear()
    open_port = _refusal(server, listener.base + "probe", kind)
    closed_port = _refusal(server, f"http://127.0.0.1:{free_port()}/probe", kind)
    other_host = _refusal(server, "http://10.255.255.1:8080/probe", kind)
    named_host = _refusal(server, f"http://localhost:{listener.port}/probe", kind)
    assert open_port[0] == 400
    assert open_port == closed_port == other_host == named_host
    assert str(listener.port) not in open_port[1] and "probe" not in open_port[1]
    assert listener.requests == []


def test_an_allowlisted_endpoint_is_reached(allowlist_server: ApiServer, listener: Listener) -> None:
    listener.requests.clear()
    query = f"SELECT ?x WHERE {{ SERVICE <{listener.base}allowed> {{ ?x ?p ?o }} }}"
    response = httpx.post(allowlist_server.url("/sparql"), data={"query": query}, timeout=30)
    assert response.status_code == 200, response.text
    assert [row["x"]["value"] for row in response.json()["results"]["bindings"]] == [LISTENER_ROW]
    assert [r.split("?")[0] for r in listener.requests] == ["POST /allowed"]


FEDERATED = {
    "from": ("SELECT * FROM <{t}> WHERE {{ SERVICE <{a}> {{ ?s ?p ?o }} }}", {}),
    "from-named": ("SELECT * FROM NAMED <{t}> WHERE {{ SERVICE <{a}> {{ ?s ?p ?o }} }}", {}),
    "describe": ("DESCRIBE <{t}> WHERE {{ SERVICE <{a}> {{ ?s ?p ?o }} }}", {}),
    "dataset-parameters": (
        "SELECT * WHERE {{ SERVICE <{a}> {{ ?s ?p ?o }} }}",
        {"default-graph-uri": "{t}", "named-graph-uri": "{t}#named"},
    ),
}


@pytest.mark.parametrize(("template", "parameters"), FEDERATED.values(), ids=FEDERATED.keys())
def test_a_query_with_network_reaches_only_its_allowlisted_endpoint(
    allowlist_server: ApiServer, listener: Listener, template: str, parameters: dict[str, str]
) -> None:
    """A query that gets the networked worker fetches nothing else: graph names are not URLs."""
    data = {"query": _fill(template, listener)} | {k: _fill(v, listener) for k, v in parameters.items()}
    listener.requests.clear()
    response = httpx.post(allowlist_server.url("/sparql"), data=data, timeout=30)
    assert response.status_code < 500, response.text
    assert listener.requests and all(r.split(" ")[1].startswith("/allowed") for r in listener.requests)


@pytest.mark.parametrize("status", REDIRECTS)
def test_an_allowlisted_endpoint_cannot_redirect_the_server_elsewhere(
    allowlist_server: ApiServer, listener: Listener, status: int
) -> None:
    listener.requests.clear()
    query = f"SELECT * WHERE {{ SERVICE <{listener.base}redirect-{status}> {{ ?s ?p ?o }} }}"
    response = httpx.post(allowlist_server.url("/sparql"), data={"query": query}, timeout=30)
    assert response.status_code == 400, response.text
    assert listener.requests and not any("/attack" in r for r in listener.requests)


def test_an_allowlisted_endpoint_is_not_reached_without_an_allowlist(
    closed_server: ApiServer, listener: Listener
) -> None:
    listener.requests.clear()
    query = f"SELECT ?x WHERE {{ SERVICE <{listener.base}allowed> {{ ?x ?p ?o }} }}"
    response = httpx.post(closed_server.url("/sparql"), data={"query": query}, timeout=30)
    assert response.status_code == 400 and "SERVICE" in response.json()["detail"]
    assert listener.requests == []


def test_the_word_service_in_a_literal_still_runs(server: ApiServer) -> None:
    response = httpx.post(server.url("/sparql"), data={"query": 'ASK { ?s ?p "customer service" }'})
    assert response.status_code == 200 and response.json()["boolean"] is False


def _seccomp_mode(pid: int, task: str | None = None) -> int:
    status = Path(f"/proc/{pid}/task/{task}/status" if task else f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("Seccomp:")))


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _worker_modes(server_pid: int) -> list[int]:
    """The seccomp mode of each query worker and of the store writer (spawned, so its command
    line names spawn_main)."""
    workers = [
        pid for pid in _children(server_pid) if "spawn_main" in Path(f"/proc/{pid}/cmdline").read_text()
    ]
    return sorted(_seccomp_mode(pid) for pid in workers)


def test_every_query_worker_but_the_federation_one_runs_under_the_filter(
    closed_server: ApiServer, allowlist_server: ApiServer
) -> None:
    """Read from /proc: the kernel, not the application, holds the workers (seccomp mode 2).
    A worker installs its filter once it has started, before it reads its first job, so this
    waits for the workers to be up."""
    # 4 general + 1 reserved workers, the 2 spares started ahead and the store writer
    # (graph/writer.py), all filtered; the federation worker of the allowlist server is not
    for running, expected in ((closed_server, [2] * 8), (allowlist_server, [0] + [2] * 8)):
        assert running.pid is not None
        deadline = time.monotonic() + 60
        while _worker_modes(running.pid) != expected and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _worker_modes(running.pid) == expected
        # the server process keeps its network (it listens), but one thread of it (updates) does not
        threads = [
            _seccomp_mode(running.pid, task.name) for task in Path(f"/proc/{running.pid}/task").iterdir()
        ]
        assert 2 in threads and 0 in threads


# -- the pieces, in-process ---------------------------------------------------------------------


def test_serve_refuses_to_start_where_the_network_cannot_be_cut(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No unsafe fallback: on a system where the filter cannot be installed (here: an
    architecture the sandbox has no filter for), `jalinan serve` exits 3 before opening the store."""
    from jalinan.api import server as server_module

    store = tmp_path / "store"
    store.mkdir()
    (store / "CURRENT").write_text("")
    monkeypatch.setattr(sandbox.platform, "machine", lambda: "sparc64")
    monkeypatch.setattr(server_module, "offline_thread", sandbox.OfflineThread)
    assert server_module.serve(argparse.Namespace(store=str(store))) == 3
    assert "cannot cut SPARQL evaluation off from the network" in capsys.readouterr().err


def test_where_the_filter_cannot_be_installed_nothing_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox.platform, "machine", lambda: "sparc64")
    ran: list[bool] = []
    thread = sandbox.OfflineThread()
    with pytest.raises(sandbox.SandboxUnavailable, match="sparc64"):
        thread.run(lambda: ran.append(True))
    thread.close()
    assert ran == []
    assert "runs nothing" in (sandbox.enter_worker_sandbox(networked=False) or "")


def test_an_update_through_the_store_interface_cannot_load(listener: Listener) -> None:
    store = OxigraphStore(Store())
    listener.requests.clear()
    with pytest.raises(OutboundRefused):
        store.update(f"LOAD <{listener.base}in-process>")
    store.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")  # ordinary updates still run
    assert listener.requests == []


def test_a_process_cut_off_keeps_unix_sockets_and_loses_every_other_kind(listener: Listener) -> None:
    script = f"""
import ctypes, errno, socket, urllib.request
from jalinan.graph.sandbox import deny_network
deny_network()
socket.socketpair()  # the pipes to the parent are Unix sockets: they must keep working
refused = []
for family, kind in ((socket.AF_INET, socket.SOCK_STREAM), (socket.AF_INET6, socket.SOCK_STREAM),
                     (socket.AF_INET, socket.SOCK_DGRAM), (socket.AF_NETLINK, socket.SOCK_RAW)):
    try:
        socket.socket(family, kind).close()
    except PermissionError:
        refused.append(family.name)
libc = ctypes.CDLL(None, use_errno=True)
params = ctypes.create_string_buffer(120)
if libc.syscall(425, 8, params) == -1 and ctypes.get_errno() == errno.EACCES:
    refused.append("io_uring")
try:
    urllib.request.urlopen("{listener.base}from-a-sandboxed-process", timeout=5)
except OSError:
    refused.append("http")
print(" ".join(refused))
"""
    listener.requests.clear()
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["AF_INET", "AF_INET6", "AF_INET", "AF_NETLINK", "io_uring", "http"]
    assert listener.requests == []


ALLOWED = "http://127.0.0.1:1234/sparql"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"SELECT * {{ SERVICE <{ALLOWED}> {{ ?s ?p ?o }} }}", True),
        (f"SELECT * {{ service silent <{ALLOWED}> {{ ?s ?p ?o }} }}", True),
        (f"SELECT * {{ SERVICE <{ALLOWED}> {{}} SERVICE <{ALLOWED}> {{}} }}", True),
        ('ASK { ?s ?p "customer service" }', False),  # no SERVICE: no network needed
        ("SELECT * { ?s ?p ?o }", False),
        (f"SELECT * {{ SERVICE <{ALLOWED}> {{}} SERVICE <http://127.0.0.1:1234/other> {{}} }}", False),
        (f'SELECT * {{ SERVICE <{ALLOWED}> {{ ?s ?p "\\u0022" }} }}', False),  # any escape: offline
        (f"PREFIX s: <{ALLOWED}> SELECT * {{ SERVICE s: {{}} }}", False),  # prefixed: not recognised
        (f"SELECT * {{ SERVICE <{ALLOWED}> {{}} # service <http://evil/>\n }}", False),
        (f"SELECT * {{ SERVICE ?e {{}} VALUES ?e {{ <{ALLOWED}> }} }}", False),
        (f"SELECT * {{ SERVICE #c\n <{ALLOWED}> {{}} }}", False),
    ],
)
def test_only_a_query_whose_every_service_is_allowlisted_gets_network(text: str, expected: bool) -> None:
    assert needs_network(text, [ALLOWED]) is expected
    assert needs_network(text, []) is False


def test_only_a_failed_fetch_is_reported_as_one(tmp_path: Path) -> None:
    """The uniform refusal must not hide the store's own failures (they stay 503s)."""
    from jalinan.graph import StoreCorruptError, StoreError, open_store

    with pytest.raises(StoreCorruptError) as broken:
        (tmp_path / "CURRENT").write_text("garbage")
        open_store(tmp_path, read_only=True)
    assert not sandbox.outbound_failure(broken.value)
    wrapped = StoreError("Permission denied (os error 13)")
    wrapped.__cause__ = PermissionError(13, "Permission denied")
    assert sandbox.outbound_failure(wrapped)
    assert not sandbox.outbound_failure(OSError("IO error: No space left on device"))
    assert sandbox.outbound_failure(RuntimeError("The variable encoding the service name is unbound"))
    assert not sandbox.outbound_failure(RuntimeError("The graph <http://a/service> does not exist"))
