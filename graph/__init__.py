"""The store behind Jalinan: open it, query it, replace named graphs atomically, dump it.

`graph` knows nothing of YAML or HTTP. `ingest` writes only through it and `api` reads only
through it, so that another backend (a remote SPARQL 1.1 server) can be added behind the same
`GraphStore` interface without touching either.
"""

from jalinan.graph.backends import is_embedded, open_store
from jalinan.graph.errors import (
    ExistingGraphError,
    MissingGraphError,
    QueryError,
    StoreCorruptError,
    StoreError,
    StoreLockedError,
    StoreNotFoundError,
)
from jalinan.graph.location import DEFAULT_STORE_PATH, STORE_ENV_VAR, resolve_store_path
from jalinan.graph.oxigraph_store import OxigraphStore, open_memory_store
from jalinan.graph.remote_store import RemoteLocation, RemoteStore
from jalinan.graph.results import AskResult, GraphResult, QueryResult, SelectResult
from jalinan.graph.store import GraphStore

__all__ = [
    "DEFAULT_STORE_PATH",
    "STORE_ENV_VAR",
    "AskResult",
    "ExistingGraphError",
    "GraphResult",
    "GraphStore",
    "MissingGraphError",
    "OxigraphStore",
    "QueryError",
    "QueryResult",
    "RemoteLocation",
    "RemoteStore",
    "SelectResult",
    "StoreCorruptError",
    "StoreError",
    "StoreLockedError",
    "StoreNotFoundError",
    "is_embedded",
    "open_memory_store",
    "open_store",
    "resolve_store_path",
]
