"""Helpers shared by the tests: where things are, and how to build a store from facts."""

import hashlib
import os
from pathlib import Path

import httpx
import pytest

from jalinan.graph import OxigraphStore, open_store
from jalinan.ingest.pipeline import ingest

ROOT = Path(__file__).resolve().parents[1]
SHARED_ARTICLES = ROOT.parent / "shared" / "articles"


def shared_articles() -> Path:
    """The source article texts beside the project; skip with a reason where they are absent."""
    if not SHARED_ARTICLES.is_dir():
        pytest.skip(f"the source articles are not beside the project ({SHARED_ARTICLES} is absent)")
    return SHARED_ARTICLES


def ingest_into(path: Path, facts_dir: Path | None = None, articles_dir: Path | None = None) -> None:
    """Build the corpus and write it into the on-disk store at `path`, closing it after."""
    with open_store(path) as store:
        ingest(store, facts_dir, articles_dir)


def graphs_under(store: OxigraphStore, prefix: str) -> dict[str, list[str]]:
    """Each non-empty named graph under `prefix` (bookkeeping lists), its triples sorted: what
    a full ingest and `jalinan ingest FILE` must leave alike."""
    return {
        name: sorted(str(quad.triple) for quad in store.quads(name))
        for name in store.graph_names()
        if name.startswith(prefix + "/") and list(store.quads(name))
    }


def sorted_nquads(store: OxigraphStore) -> list[str]:
    return sorted(str(quad) for quad in store.quads())


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def problem_detail(response: httpx.Response, status: int) -> str:
    """The detail of a refusal, checked to be `status` in the API's one problem+json shape."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["detail"]
    return body["detail"]


def curated_nodes() -> list[dict]:
    """Every entity the curated facts define (`ingest/facts/`: shared ones and those of article
    files), as written, with `article` set to its file's article for those of article files."""
    import yaml

    facts = Path(__file__).resolve().parents[1] / "ingest" / "facts"
    found: list[dict] = []

    def walk(value: object, article: str | None) -> None:
        if isinstance(value, dict):
            if "id" in value and "label" in value and "type" in value:
                found.append({"article": article, **value})
            for inner in value.values():
                walk(inner, article)
        elif isinstance(value, list):
            for inner in value:
                walk(inner, article)

    for path in sorted(facts.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        walk(data, ((data.get("article") or {}).get("id") if isinstance(data, dict) else None))
    return found


def missing_component(message: str) -> None:
    """A component a test needs is not installed: skip, saying how to install it; under
    `CI=true`, where `make` installs it, fail instead (a missing install step must not pass)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message} (CI=true: it must be installed)")
    pytest.skip(message)
