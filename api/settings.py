"""Server settings: one typed object, read from the command line or the environment."""

import os
from dataclasses import dataclass
from pathlib import Path

from jalinan.graph import resolve_store_path

WRITE_TOKEN_ENV_VAR = "JALINAN_WRITE_TOKEN"


@dataclass(frozen=True)
class Settings:
    """What the app needs to know; built once by `serve` (or a test) and handed to `create_app`."""

    store_path: Path
    host: str = "127.0.0.1"
    port: int = 8000
    write_token: str | None = None

    @property
    def writes_enabled(self) -> bool:
        return bool(self.write_token)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @classmethod
    def from_args(cls, args: object) -> "Settings":
        """From the `jalinan serve` arguments, falling back to the environment."""
        token = getattr(args, "write_token", None) or os.environ.get(WRITE_TOKEN_ENV_VAR) or None
        return cls(
            store_path=resolve_store_path(getattr(args, "store", None)),
            host=getattr(args, "host", None) or "127.0.0.1",
            port=int(getattr(args, "port", None) or 8000),
            write_token=token,
        )
