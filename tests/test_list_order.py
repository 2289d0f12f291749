"""The lists' order ranked at ingest (`ingest/list_order.py`): `jalinan ingest FILE` leaves the
list-order graphs as a full ingest of the same facts writes them, per-status and per-topic
lists included, and a status no agreement has any more loses its list."""

import shutil
from pathlib import Path

from jalinan.graph import open_store
from jalinan.ingest.list_order import LIST_ORDER_GRAPH, LISTS, Member, RankedList
from jalinan.ingest.pipeline import default_facts_dir, ingest, ingest_articles
from tests.support import graphs_under

PLANNED = "hasStatus: agreement-status:planned"
STATUS_LISTS = f"{LIST_ORDER_GRAPH}/agreements-by-status"


def test_ingest_file_ranks_the_lists_as_a_full_ingest_does(tmp_path: Path) -> None:
    facts = tmp_path / "facts"
    shutil.copytree(default_facts_dir(), facts)
    article = next((facts / "articles").glob("*05363b917c408ffc.yaml"))
    original = article.read_text(encoding="utf-8")
    assert original.count(PLANNED) == 1
    with open_store(tmp_path / "incremental") as store:
        ingest(store, facts)
        before = graphs_under(store, LIST_ORDER_GRAPH)
        assert f"{STATUS_LISTS}/planned" in before
        # the only planned agreement becomes announced: `planned` has no list any more
        announced = original.replace(PLANNED, "hasStatus: agreement-status:announced")
        article.write_text(announced, encoding="utf-8")
        ingest_articles(store, [article])
        changed = graphs_under(store, LIST_ORDER_GRAPH)
    with open_store(tmp_path / "full") as full:
        ingest(full, facts)
        expected = graphs_under(full, LIST_ORDER_GRAPH)
    assert changed == expected
    assert f"{STATUS_LISTS}/planned" not in changed and changed != before


def test_ingest_file_that_moves_nodes_within_their_group_ranks_as_a_full_ingest(tmp_path: Path) -> None:
    """Two agreements that come to share a day's first letters (one renamed after the other,
    one re-dated): their keys, and their place in every list, as a full ingest gives them."""
    facts = tmp_path / "facts"
    shutil.copytree(default_facts_dir(), facts)
    article = next((facts / "articles").glob("*05363b917c408ffc.yaml"))
    original = article.read_text(encoding="utf-8")
    renamed = original.replace(
        "label: Malaysia–China MoU in the field of telecommunications",
        "label: Malaysia–China MoU in the field of telecommunications and content production",
    ).replace(
        "label: Planned Malaysia–China MoUs on content production and cybersecurity",
        "label: Malaysia–China MoU in the field of telecommunications, planned",
    )
    assert renamed.count("Malaysia–China MoU in the field") == 2
    with open_store(tmp_path / "incremental") as store:
        ingest(store, facts)
        before = graphs_under(store, LIST_ORDER_GRAPH)
        article.write_text(renamed, encoding="utf-8")
        ingest_articles(store, [article])
        changed = graphs_under(store, LIST_ORDER_GRAPH)
        article.write_text(original, encoding="utf-8")  # and back again
        ingest_articles(store, [article])
        restored = graphs_under(store, LIST_ORDER_GRAPH)
    assert restored == before
    article.write_text(renamed, encoding="utf-8")
    with open_store(tmp_path / "full") as full:
        ingest(full, facts)
        expected = graphs_under(full, LIST_ORDER_GRAPH)
    assert changed == expected and changed != before


def _sorted_by_keys(ranked: RankedList, members: dict[str, Member]) -> list[str]:
    keys = ranked.keys(members)
    return sorted(members, key=keys.__getitem__)


def _sorted_exactly(ranked: RankedList, members: dict[str, Member]) -> list[str]:
    return sorted(members, key=lambda iri: ranked.key(iri, members[iri]))


LABELS = [
    "MoU on trade",
    "mou on trade",
    "MoU on trade ",
    "MoU on trades",
    "MoU on trade (2)",
    "MoU-on trade",
    "Mou on tradé",
    "Mou on trad",
    "Éxchange of notes",
    "Exchange of notes",
    "Zheng He accord",
    "中马协议",
    "123 plan",
    "12 plan",
    "",
    "a",
    "a b",
    "ab",
    "a\u00e9",
    "a-b",
    "aa",
]
DATES = [None, "2025", "2025-04", "2025-04-16", "2025-04-01", "2024-12-31", "1405", "1405-07", "2200", "1900"]
INSTANTS = [
    None,
    "2025-04-16T00:00:00",
    "2025-04-16T23:59:59",
    "2025-04-16T12:00:00",
    "2025-04-17T00:00:00",
    "1405-01-01T00:00:00",
    "2300-01-01T00:00:00",
    "2025-04-16T00:00:00Z",
]


def test_the_keys_put_every_list_in_its_exact_order() -> None:
    """Whatever the labels (accents, punctuation, shared first letters, other scripts) and dates
    (each precision, undated, years far outside the common range), ordering by the keys alone
    gives the list's full order: newest first, oldest first, earliest start first, or by label."""
    by_name = {ranked.name: ranked for ranked in LISTS}
    dated = {
        f"urn:x:{i}-{j}": (label, date) for i, label in enumerate(LABELS) for j, date in enumerate(DATES)
    }
    started = {
        f"urn:x:{i}-{j}": (label, at) for i, label in enumerate(LABELS) for j, at in enumerate(INSTANTS)
    }
    named = {f"urn:x:{i}": (label, None) for i, label in enumerate(LABELS)}
    for name, members in (
        ("agreements", dated),
        ("visits", started),
        ("people", named),
        ("organisations", named),
        ("agreements-oldest", dated),
        ("agreements-a-z", named),
    ):
        ranked = by_name[name]
        assert _sorted_by_keys(ranked, members) == _sorted_exactly(ranked, members), name
        assert len(set(ranked.keys(members).values())) == len(members)
        assert max(ranked.keys(members).values()) < 10**18  # an integer to every engine (Virtuoso: 18 digits)
    newest = _sorted_by_keys(by_name["agreements"], dated)
    assert dated[newest[0]][1] == "2200" and dated[newest[-1]][1] is None
    oldest = _sorted_by_keys(by_name["agreements-oldest"], dated)
    assert dated[oldest[0]][1] == "1405" and dated[oldest[-1]][1] is None
    assert [named[iri][0] for iri in _sorted_by_keys(by_name["agreements-a-z"], named)][:3] == [
        "",
        "12 plan",
        "123 plan",
    ]


def test_a_node_moves_only_the_nodes_that_share_its_day_and_first_letters() -> None:
    """Adding an agreement leaves the key of every agreement of another day, or of other first
    letters, as it was: re-ingesting one article rewrites a few keys, not the list."""
    ranked = next(ranked for ranked in LISTS if ranked.name == "agreements")
    members = {f"urn:x:{i}": (f"Agreement {i:04d}", f"2025-04-{1 + i % 28:02d}") for i in range(500)}
    before = ranked.keys(members)
    after = ranked.keys({**members, "urn:x:new": ("Agreement 0000a", "2025-04-01")})
    moved = {iri for iri in before if before[iri] != after[iri]}
    assert len(moved) < 20
    assert all(members[iri][1] == "2025-04-01" for iri in moved)


def test_a_revised_label_that_moves_within_its_group_ranks_as_a_full_ingest(tmp_path: Path) -> None:
    """By name, the agreements whose labels share their first letters ("Malaysia–China …") form
    one group: a revised label that keeps its place moves no key, one that passes its
    neighbours moves theirs, each as a full ingest of the same facts ranks them."""
    facts = tmp_path / "facts"
    shutil.copytree(default_facts_dir(), facts)
    article = next((facts / "articles").glob("*05363b917c408ffc.yaml"))
    original = article.read_text(encoding="utf-8")
    label = "label: Malaysia–China MoU in the field of telecommunications"
    assert label in original
    for revised in (label + " (revised)", "label: Malaysia–China AAA MoU in the field of telecommunications"):
        article.write_text(original, encoding="utf-8")
        with open_store(tmp_path / f"incremental-{len(revised)}") as store:
            ingest(store, facts)
            article.write_text(original.replace(label, revised), encoding="utf-8")
            ingest_articles(store, [article])
            changed = graphs_under(store, LIST_ORDER_GRAPH)
        with open_store(tmp_path / f"full-{len(revised)}") as full:
            ingest(full, facts)
            assert changed == graphs_under(full, LIST_ORDER_GRAPH), revised
