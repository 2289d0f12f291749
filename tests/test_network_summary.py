"""The network summary ingest prepares (`ingest/network_summary.py`): the network view read
from it is the view the live ties (`queries/network/ties.rq`) give, for every node of the
curated facts; and `jalinan ingest FILE` keeps it as a full ingest of the same facts writes it.
Nothing here counts what the corpus holds today."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from jalinan.api.network import neighbourhood as nb
from jalinan.api.network.views import network_document
from jalinan.graph import GraphStore, open_store
from jalinan.ingest import network_summary
from jalinan.ingest.network_summary import NEIGHBOUR, SUMMARY_GRAPH, is_built
from jalinan.ingest.pipeline import default_facts_dir, ingest, ingest_articles


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    with open_store(tmp_path_factory.mktemp("summary") / "store") as opened:
        ingest(opened, default_facts_dir())
        yield opened


def _nodes(store: GraphStore) -> list[str]:
    """Every node the summary names as somebody's neighbour (each has neighbours of its own)."""
    return sorted(
        {q.object.value.split(" ")[0] for q in store.quads(SUMMARY_GRAPH) if q.predicate == NEIGHBOUR}
    )


def _document(store: GraphStore, centre: str, hops: int, limit: int, **filters: object) -> dict:
    network = nb.neighbourhood(
        store, NamedNode(centre), hops=hops, limit=limit, filters=nb.Filters(**filters)
    )
    assert network is not None
    return network_document(network, "/x", [])


def _live(store: GraphStore, centre: str, hops: int, limit: int, monkeypatch: pytest.MonkeyPatch) -> dict:
    with monkeypatch.context() as patched:
        patched.setattr(nb, "_from_summary", lambda *args: None)
        return _document(store, centre, hops, limit)


def test_the_network_read_from_the_summary_is_the_one_the_live_ties_give(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    nodes = _nodes(store)
    assert len(nodes) > 20 and is_built(store)
    for centre in nodes:
        for limit in (60, 3):
            live = _live(store, centre, 1, limit, monkeypatch)
            with monkeypatch.context() as patched:  # the summary's view runs no live ties query
                patched.setattr(nb, "ties_text", lambda *args: pytest.fail("read the live ties"))
                assert _document(store, centre, 1, limit) == live, centre


def test_one_kind_of_tie_from_the_summary_is_the_one_the_live_ties_give(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    for centre in ("https://w3id.org/jalinan/id/anwar-ibrahim", "https://w3id.org/jalinan/id/mosti"):
        for kinds in (("party",), ("signed", "witnessed"), ("post", "met")):
            with monkeypatch.context() as patched:
                patched.setattr(nb, "_from_summary", lambda *args: None)
                live = _document(store, centre, 1, 60, ties=kinds)
            assert _document(store, centre, 1, 60, ties=kinds) == live


def test_a_view_cut_to_a_few_ties_from_the_summary_is_the_one_the_live_ties_give(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(the summary reads the first ties only of the pairs that can be drawn within the cap)"""
    monkeypatch.setattr(nb, "MAX_EDGES", 5)
    for centre in ("https://w3id.org/jalinan/id/anwar-ibrahim", "https://w3id.org/jalinan/id/malaysia"):
        for hops in (1, 2):
            summary, live = _document(store, centre, hops, 500), _live(store, centre, hops, 500, monkeypatch)
            assert len(summary["edges"]) == 5
            assert summary == live


def test_two_hops_from_the_summary_reach_the_nodes_and_ties_the_live_ties_reach(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    for centre in ("https://w3id.org/jalinan/id/anwar-ibrahim", "https://w3id.org/jalinan/id/mosti"):
        summary, live = _document(store, centre, 2, 500), _live(store, centre, 2, 500, monkeypatch)
        assert {n["iri"]: n["hop"] for n in summary["nodes"]} == {n["iri"]: n["hop"] for n in live["nodes"]}

        def ties(doc: dict) -> set[tuple]:
            return {(e["from"], e["to"], e["tie"], e["via"]) for e in doc["edges"]}

        assert ties(summary) == ties(live)
        assert summary["showing"] == live["showing"]


def _summary(store: GraphStore) -> tuple[list[str], dict[str, dict]]:
    """The counts as written, and every node's view read from the summary (which keeps the
    first ties of each pair, between 4 and 8 of them: a one-file ingest may keep fewer than a
    full one, never others)."""
    counts = sorted(str(q.triple) for q in store.quads(SUMMARY_GRAPH) if q.predicate == NEIGHBOUR)
    return counts, {node: _document(store, node, 1, 500) for node in _nodes(store)}


EDITS = [
    # a witness and a participant leave (witnessed and met ties go)
    ("002_39e3ab31b4f62a31", "witness: [anwar-ibrahim, xi-jinping]", "witness: [anwar-ibrahim]"),
    # the same, from the agreement whose ties sort first (the pair's first tie goes)
    (
        "002_39e3ab31b4f62a31",
        "witness: [anwar-ibrahim, xi-jinping]\n      concludedDuring: ceremony-malaysia-ndrc-mou-exchange\n"
        '    - quote: "As for the MoU on AI',
        "witness: [anwar-ibrahim]\n      concludedDuring: ceremony-malaysia-ndrc-mou-exchange\n"
        '    - quote: "As for the MoU on AI',
    ),
    # a party changes (party, signed and witnessed ties move from one body to another)
    (
        "002_39e3ab31b4f62a31",
        "hasParty: {malaysia: [mdec], china: [zhejiang-university]}",
        "hasParty: {malaysia: [mosti], china: [zhejiang-university]}",
    ),
]


@pytest.mark.parametrize("shown", [nb.PER_PAIR, 1], ids=["as-served", "one-tie-a-pair"])
@pytest.mark.parametrize("article_id, old, new", EDITS)
def test_ingest_file_keeps_the_summary_as_a_full_ingest_writes_it(
    tmp_path: Path, article_id: str, old: str, new: str, shown: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (one tie a pair, none spare: the curated pairs have few ties, so this is what makes a
    # one-file ingest drop a kept tie, read a pair's first ties again, and place new ones)
    monkeypatch.setattr(nb, "PER_PAIR", shown)
    monkeypatch.setattr(network_summary, "SHOWN_PER_PAIR", shown)
    monkeypatch.setattr(network_summary, "KEPT_PER_PAIR", 2 * shown if shown > 1 else shown)
    facts = tmp_path / "facts"
    shutil.copytree(default_facts_dir(), facts)
    article = next((facts / "articles").glob(f"*{article_id}.yaml"))
    original = article.read_text(encoding="utf-8")
    assert old in original
    with open_store(tmp_path / "incremental") as store:
        ingest(store, facts)
        before = _summary(store)
        article.write_text(original.replace(old, new, 1), encoding="utf-8")
        ingest_articles(store, [article])
        changed = _summary(store)
        with open_store(tmp_path / "full") as full:
            ingest(full, facts)
            assert changed == _summary(full)
        article.write_text(original, encoding="utf-8")
        ingest_articles(store, [article])
        assert _summary(store) == before != changed


def test_a_sub_organisation_added_by_one_file_joins_the_summary(tmp_path: Path) -> None:
    facts = tmp_path / "facts"
    shutil.copytree(default_facts_dir(), facts)
    article = next((facts / "articles").glob("*0cc1c77dfdf8eb02.yaml"))
    original = article.read_text(encoding="utf-8")
    link = (
        "\n- about: bank-negara-malaysia\n"
        '  quote: "The relevant authorities are the Communications Ministry, the Malaysian '
        'Communications and Multimedia Commission, and Bank Negara Malaysia."\n'
        "  subOrganizationOf: ministry-of-finance-malaysia\n"
    )
    with open_store(tmp_path / "incremental") as store:
        ingest(store, facts)
        article.write_text(original + link, encoding="utf-8")
        ingest_articles(store, [article])
        changed = _summary(store)
        with open_store(tmp_path / "full") as full:
            ingest(full, facts)
            assert changed == _summary(full)
    assert any("ministry-of-finance-malaysia sub-organisation" in t for t in changed[0])
