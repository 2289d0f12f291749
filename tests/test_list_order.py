"""The lists' order ranked at ingest (`ingest/list_order.py`): `jalinan ingest FILE` leaves the
list-order graphs as a full ingest of the same facts writes them, per-status and per-topic
lists included, and a status no agreement has any more loses its list."""

import shutil
from pathlib import Path

from jalinan.graph import open_store
from jalinan.ingest.list_order import LIST_ORDER_GRAPH
from jalinan.ingest.pipeline import default_facts_dir, ingest, ingest_articles

PLANNED = "hasStatus: agreement-status:planned"
STATUS_LISTS = f"{LIST_ORDER_GRAPH}/agreements-by-status"


def _lists(store) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    return {
        name: sorted(str(quad.triple) for quad in store.quads(name))
        for name in store.graph_names()
        if name.startswith(LIST_ORDER_GRAPH + "/") and list(store.quads(name))
    }


def test_ingest_file_ranks_the_lists_as_a_full_ingest_does(tmp_path: Path) -> None:
    facts = tmp_path / "facts"
    shutil.copytree(default_facts_dir(), facts)
    article = next((facts / "articles").glob("*05363b917c408ffc.yaml"))
    original = article.read_text(encoding="utf-8")
    assert original.count(PLANNED) == 1
    with open_store(tmp_path / "incremental") as store:
        ingest(store, facts)
        before = _lists(store)
        assert f"{STATUS_LISTS}/planned" in before
        # the only planned agreement becomes announced: `planned` has no list any more
        announced = original.replace(PLANNED, "hasStatus: agreement-status:announced")
        article.write_text(announced, encoding="utf-8")
        ingest_articles(store, [article])
        changed = _lists(store)
    with open_store(tmp_path / "full") as full:
        ingest(full, facts)
        expected = _lists(full)
    assert changed == expected
    assert f"{STATUS_LISTS}/planned" not in changed and changed != before
