"""Open the store a location names: an embedded Oxigraph folder, or a remote SPARQL server.

`--store PATH` (or `JALINAN_STORE`) is a folder for the embedded store by default; an address
`sparql+http(s)://…` names a SPARQL 1.1 server instead (see `remote_store.RemoteLocation`),
reached with the credentials in the environment (`remote_store.auth_from_env`).
"""

from __future__ import annotations

import os
from pathlib import Path

from jalinan.graph.oxigraph_store import OxigraphStore
from jalinan.graph.oxigraph_store import open_store as open_embedded
from jalinan.graph.remote_store import RemoteLocation, RemoteStore, auth_from_env, is_remote
from jalinan.graph.store import GraphStore

REMOTE_TIMEOUT_ENV = "JALINAN_STORE_TIMEOUT"


def open_store(location: str | os.PathLike[str], *, read_only: bool = False) -> GraphStore:
    """The store at `location`, opened for writing unless `read_only`."""
    if is_remote(location):
        timeout = float(os.environ.get(REMOTE_TIMEOUT_ENV, "30"))
        return RemoteStore(
            RemoteLocation(str(location)), read_only=read_only, auth=auth_from_env(), timeout=timeout
        )
    return open_embedded(Path(location), read_only=read_only)


def is_embedded(store: GraphStore) -> bool:
    """Whether the store is an embedded Oxigraph folder (that a pool of workers can read)."""
    return isinstance(store, OxigraphStore)
