"""Where the embedded store lives: `--store`, else `JALINAN_STORE`, else `./data/store`."""

import os
from pathlib import Path

STORE_ENV_VAR = "JALINAN_STORE"
DEFAULT_STORE_PATH = Path("data") / "store"


def resolve_store_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Return the store path a command should use, in order of precedence."""
    if explicit:
        return Path(explicit)
    from_env = os.environ.get(STORE_ENV_VAR)
    if from_env:
        return Path(from_env)
    return DEFAULT_STORE_PATH
