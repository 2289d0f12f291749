"""`jalinan serve` warns about an empty store, found without listing every graph.

It used to list every named graph (one per article) to tell: 5 s and 145 MB kept in the server
at 100,000 articles. It now asks for the first quad in any named graph; the warning must still
come for a store with no data, and not for one with data.
"""

from pathlib import Path

from jalinan.graph import open_store
from tests.conftest import ApiServer, run_server


def test_serve_warns_that_a_store_without_data_is_empty(tmp_path: Path) -> None:
    store = tmp_path / "store"
    open_store(store).close()  # a store, with nothing in it
    with run_server(store, tmp_path / "serve.log") as server:
        log = server.log_path.read_text()
    assert f"the store at {store} is empty" in log


def test_serve_does_not_warn_about_a_store_that_holds_data(embedded_api_server: ApiServer) -> None:
    log = embedded_api_server.log_path.read_text()
    assert "Jalinan is serving" in log and "is empty" not in log
