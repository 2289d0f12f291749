"""The bench that times a pipeline's detail query against other versions of it
(`bench/detail_variants_bench.py`) refuses a version that changes the rows: a planner workaround
is kept for its measured speed only if it answers the same."""

from pathlib import Path

import pytest

from bench.detail_variants_bench import differing, versions
from jalinan.graph import GraphStore, open_store
from jalinan.queries.catalogue import Page, load_catalogue
from tests.conftest import build_store

PEOPLE = load_catalogue()["people"]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    path = build_store(tmp_path_factory.mktemp("variants") / "store")
    with open_store(path, read_only=True) as opened:
        yield opened


def test_a_version_giving_the_same_rows_passes(store: GraphStore, tmp_path: Path) -> None:
    same = tmp_path / "same.rq"
    assert PEOPLE.detail is not None
    same.write_text(
        PEOPLE.detail.replace("  # each fact with each quote", "  # (reworded) each fact with each quote")
    )
    assert differing(store, versions(PEOPLE, [same]), {}, Page(1, 25)) == []


def test_a_version_that_loses_rows_is_named(store: GraphStore, tmp_path: Path) -> None:
    no_posts = tmp_path / "no-posts.rq"
    assert PEOPLE.detail is not None and "FILTER (?predicate = jl:holdsPost)" in PEOPLE.detail
    no_posts.write_text(
        PEOPLE.detail.replace("FILTER (?predicate = jl:holdsPost)", "FILTER (?predicate = jl:nothing)")
    )
    assert differing(store, versions(PEOPLE, [no_posts]), {}, Page(1, 25)) == [str(no_posts)]
