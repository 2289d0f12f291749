"""An ingest writes the data and everything derived from it in one transaction.

The lists' order, the member lists, the agreements' prepared lists and the network summary are
derived from the data. Written after it, in transactions of their own, a crash between two writes
left new data beside old derived graphs (a reader saw an agreement in the wrong lists, or a
network that no longer matched the facts) until the next full ingest. Here the store fails every
write after its first, as a crash right after the first commit would: it must be left in the old
state or in the new one, never between.
"""

import contextlib
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from jalinan.graph import GraphStore, open_store
from jalinan.ingest.pipeline import default_facts_dir, ingest, ingest_articles
from tests.conftest import build_store
from tests.support import sorted_nquads

# MCMC read as under the Digital Ministry, and the postal MoU's Malaysian party made MDEC beside
# it: the tree moves, so the lists "involving" a ministry, the member lists and the network change.
EDITS = [
    (
        "      subOrganizationOf: ministry-of-communications\n",
        "      subOrganizationOf: ministry-of-digital\n",
    ),
    (
        "  hasParty: {malaysia: [mcmc], china: [china-state-postal-bureau]}\n",
        "  hasParty: {malaysia: [mcmc, mdec], china: [china-state-postal-bureau]}\n",
    ),
]


class CrashAfter(Exception):
    """The write the store refused: the process 'died' after its first commit."""


class FirstWriteOnly:
    """A store that commits its first write and refuses every later one (a crash after it)."""

    def __init__(self, store: GraphStore):
        self._store = store
        self.writes = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def _write(self, method: Callable[..., None], *args: Any, **kwargs: Any) -> None:
        self.writes += 1
        if self.writes > 1:
            raise CrashAfter(f"write {self.writes}")
        method(*args, **kwargs)

    def replace_graphs(self, *args: Any, **kwargs: Any) -> None:
        self._write(self._store.replace_graphs, *args, **kwargs)

    def add_quads(self, *args: Any, **kwargs: Any) -> None:
        self._write(self._store.add_quads, *args, **kwargs)

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._write(self._store.update, *args, **kwargs)


@pytest.fixture(scope="module")
def state_a(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("state-a") / "store")


@pytest.fixture
def facts_b(tmp_path: Path) -> Path:
    facts = tmp_path / "facts-b"
    shutil.copytree(default_facts_dir(), facts, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    article = next((facts / "articles").glob("003_*.yaml"))
    text = article.read_text(encoding="utf-8")
    for old, new in EDITS:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    article.write_text(text, encoding="utf-8")
    return facts


def _states(state_a: Path, tmp_path: Path, run: Callable[[GraphStore], object]) -> tuple[list, list, list]:
    """The quads before, after `run` completes, and after `run` on a store that crashes after
    its first commit."""
    with open_store(_copy(state_a, tmp_path / "complete")) as store:
        run(store)
        new = sorted_nquads(store)
    with open_store(_copy(state_a, tmp_path / "crashed")) as store:
        with contextlib.suppress(CrashAfter):
            run(FirstWriteOnly(store))  # type: ignore[arg-type]
        crashed = sorted_nquads(store)
    with open_store(state_a) as store:
        old = sorted_nquads(store)
    return old, new, crashed


def _copy(store: Path, target: Path) -> Path:
    shutil.copytree(store, target)
    return target


def test_ingest_file_crashing_after_its_first_commit_leaves_the_old_or_the_new_state(
    state_a: Path, tmp_path: Path, facts_b: Path
) -> None:
    article = next((facts_b / "articles").glob("003_*.yaml"))
    old, new, crashed = _states(state_a, tmp_path, lambda store: ingest_articles(store, [article]))
    assert old != new
    assert crashed in (old, new), "the data and what is derived from it were written apart"


def test_full_ingest_crashing_after_its_first_commit_leaves_the_old_or_the_new_state(
    state_a: Path, tmp_path: Path, facts_b: Path
) -> None:
    old, new, crashed = _states(state_a, tmp_path, lambda store: ingest(store, facts_b))
    assert old != new
    assert crashed in (old, new), "the data and what is derived from it were written apart"


def test_ingest_file_leaves_no_scratch_copy_beside_the_store(
    state_a: Path, tmp_path: Path, facts_b: Path
) -> None:
    article = next((facts_b / "articles").glob("003_*.yaml"))
    folder = tmp_path / "store-folder"
    folder.mkdir()
    with open_store(_copy(state_a, folder / "store")) as store:
        ingest_articles(store, [article])
    assert [p.name for p in folder.iterdir()] == ["store"]
