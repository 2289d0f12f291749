"""Where the embedded store lives: `--store`, else `JALINAN_STORE`, else `./data/store`."""

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jalinan.graph.remote_store import RemoteLocation

STORE_ENV_VAR = "JALINAN_STORE"
DEFAULT_STORE_PATH = Path("data") / "store"


def resolve_store_path(explicit: str | os.PathLike[str] | None = None) -> "Path | RemoteLocation":
    """Return the store a command should use, in order of precedence: a folder, or the address
    of a remote SPARQL server (`sparql+http(s)://…`)."""
    from jalinan.graph.remote_store import RemoteLocation, is_remote

    chosen = explicit or os.environ.get(STORE_ENV_VAR)
    if chosen and is_remote(chosen):
        return RemoteLocation(str(chosen))
    return Path(chosen) if chosen else DEFAULT_STORE_PATH
