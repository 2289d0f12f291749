"""Typed store errors, so that the CLI and the API can say clearly what went wrong."""


class StoreError(Exception):
    """Base class: anything that goes wrong opening or using the store."""


class StoreLockedError(StoreError):
    """Another process holds the on-disk store open for writing (RocksDB allows only one)."""


class StoreNotFoundError(StoreError):
    """A read-only open was asked for a store that does not exist."""


class StoreCorruptError(StoreError):
    """The directory exists but does not hold a readable Oxigraph store."""


class QueryError(StoreError):
    """The SPARQL text is not valid (a client's mistake, not a server fault)."""


class MissingGraphError(StoreError):
    """An update names a graph that does not exist where SPARQL says that is an error (`DROP`,
    `CLEAR`, `MOVE` without `SILENT`): the client's mistake, not a server fault."""


class ExistingGraphError(StoreError):
    """An update creates a graph that already exists (`CREATE` without `SILENT`)."""
