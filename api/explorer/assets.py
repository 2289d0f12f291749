"""Static files: our own stylesheet and scripts, and the vendored third-party assets.

Third-party files live in `api/static/vendor/{folder}/`, copied unchanged from the npm
tarballs named in `api/static/vendor/manifest.json`, which records for each package its
version, licence, licence file and the SHA-256 of every file (a test checks them all). Pages
refer to them only through `vendor_url`, which refuses a file the manifest does not list.
"""

import json
from functools import cache
from pathlib import Path
from typing import Any

from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parents[1] / "static"
VENDOR = STATIC / "vendor"
MANIFEST = VENDOR / "manifest.json"
STATIC_PATH = "/static"


@cache
def manifest() -> dict[str, Any]:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def vendor_url(folder: str, name: str) -> str:
    """The URL of a vendored file; KeyError if the manifest does not list it."""
    package = next(p for p in manifest()["packages"] if p["folder"] == folder)
    if name not in package["files"]:
        raise KeyError(f"{folder}/{name} is not in {MANIFEST.name}")
    return f"{STATIC_PATH}/vendor/{folder}/{name}?v={package['version']}"


def static_files() -> StaticFiles:
    return StaticFiles(directory=STATIC)
