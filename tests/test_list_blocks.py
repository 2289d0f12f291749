"""Lists of agreements read by blocks (`jl:listBlock`, `ingest/list_order.py`; queries/README.md,
"Blocks"): every list's blocks follow its keys and never decrease along it, and a page read
through a window of blocks, widened by the runner until the page is full, is exactly that page
of the whole list, in its order, whichever the filters, the order and the page size."""

from decimal import Decimal
from pathlib import Path

import pytest

from jalinan.api.reading import _steps
from jalinan.graph import SelectResult, open_store
from jalinan.graph.namespaces import JL
from jalinan.ingest.list_order import LIST_ORDER_GRAPH, block_span
from jalinan.ingest.pipeline import ingest
from jalinan.queries.catalogue import ALL_ROWS, Page, load_catalogue


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    with open_store(tmp_path_factory.mktemp("blocks") / "store") as opened:
        ingest(opened)
        yield opened


def _run(store, name: str, params: dict[str, str], page: Page) -> tuple[list[str], bool, list[str]]:  # type: ignore[no-untyped-def]
    """The page's agreements in order, whether a next page exists, and the SPARQL texts run."""
    query = load_catalogue()[name]
    steps = _steps(query, params, page, store.version)
    texts: list[str] = []
    try:
        sparql = next(steps)
        while True:
            texts.append(sparql)
            result = store.query(sparql, trusted=True)
            assert isinstance(result, SelectResult)
            sparql = steps.send(result)
    except StopIteration as done:
        reading = done.value
    agreements = [str(row[0].value) for row in reading.subjects]
    return agreements, reading.has_next, texts


def test_every_list_of_agreements_names_the_blocks_its_keys_fall_in_never_decreasing(store) -> None:  # type: ignore[no-untyped-def]
    blocked = [name for name in store.graph_names() if block_span(name) is not None]
    assert f"{LIST_ORDER_GRAPH}/agreements-a-z" in blocked
    assert any(name.startswith(f"{LIST_ORDER_GRAPH}/agreements-oldest-by-status/") for name in blocked)
    for name in blocked:
        span = block_span(name)
        assert span is not None
        keys: dict[str, int] = {}
        blocks: dict[str, int] = {}
        named: set[int] = set()
        first: list[int] = []
        for quad in store.quads(name):
            subject, predicate, value = quad.subject.value, quad.predicate.value, quad.object.value
            if predicate == JL + "listPosition":
                keys[subject] = int(Decimal(value))
            elif predicate == JL + "listBlock" and subject == name:
                named.add(int(value))
            elif predicate == JL + "listBlock":
                blocks[subject] = int(value)
            elif predicate == JL + "listFirstBlock":
                first.append(int(value))
        if not keys:  # an index graph
            continue
        assert blocks == {member: key // span for member, key in keys.items()}, name
        in_order = [blocks[member] for member in sorted(keys, key=keys.__getitem__)]
        assert in_order == sorted(in_order), name
        assert named == set(blocks.values()) and first == [min(named)], name


CASES = [
    ("agreements", {}),
    ("agreements", {"sort": "oldest"}),
    ("agreements", {"sort": "a-z"}),
    ("agreements", {"status": "signed"}),
    ("agreements", {"year": "2025"}),
    ("agreements", {"party": "Mosti"}),
    ("agreements", {"topic": "digital-economy", "sort": "oldest"}),
    ("agreements-by-status", {"status": "signed"}),
    ("agreements-by-status", {"status": "planned"}),
    ("agreements-by-topic", {"topic": "digital-economy"}),
    ("agreements-between", {}),
    ("agreements-between", {"to": "2025-06"}),
    ("agreements-between", {"from": "2025-04"}),
    ("timeline", {}),
    ("timeline", {"kind": "Visit"}),
    ("timeline", {"party": "Mosti"}),
    ("timeline", {"topic": "digital-economy"}),
]


@pytest.mark.parametrize(("name", "params"), CASES)
def test_pages_read_by_blocks_are_the_pages_of_the_whole_list(
    store, name: str, params: dict[str, str]
) -> None:  # type: ignore[no-untyped-def]
    whole, _, texts = _run(store, name, params, ALL_ROWS)
    assert whole and len(whole) == len(set(whole))
    assert len([text for text in texts if "VALUES ?window {" in text]) == 1  # every block at once
    for size in (1, 3, 25):
        paged: list[str] = []
        number = 1
        while True:
            agreements, has_next, _ = _run(store, name, params, Page(number, size))
            paged += agreements
            if not has_next:
                break
            number += 1
        assert paged == whole, (name, params, size)


def test_a_window_that_cannot_fill_the_page_is_widened_until_it_does(store) -> None:  # type: ignore[no-untyped-def]
    """The last agreement of the list (an undated one) lies past the whole list's first month:
    the first window cannot give the last page, and the runner reads wider ones, then every
    block, for the same answer."""
    whole, _, _ = _run(store, "agreements", {}, ALL_ROWS)
    last, has_next, texts = _run(store, "agreements", {}, Page(len(whole), 1))
    assert len([text for text in texts if "VALUES ?window {" in text]) >= 2
    assert last == whole[-1:] and not has_next


def test_a_page_query_read_by_blocks_runs_as_written_for_the_whole_list(store) -> None:  # type: ignore[no-untyped-def]
    """As a user runs it in any SPARQL client, the window left UNDEF: every block."""
    query = load_catalogue()["agreements"]
    result = store.query(query.text)
    assert isinstance(result, SelectResult)
    whole, _, _ = _run(store, "agreements", {}, ALL_ROWS)
    assert [row["agreement"].value for row in result.rows] == whole


def test_a_full_ingest_over_a_store_ranked_before_blocks_gives_its_lists_their_blocks(tmp_path: Path) -> None:
    """A store whose lists carry no blocks (ingested before they existed) would answer the
    lists read by blocks empty: the next `jalinan ingest`, though no article changed, ranks its
    lists again."""
    with open_store(tmp_path / "store") as opened:
        ingest(opened)
        blocks = [
            quad
            for name in opened.graph_names()
            if name.startswith(LIST_ORDER_GRAPH + "/")
            for quad in opened.quads(name)
            if quad.predicate.value in (JL + "listBlock", JL + "listFirstBlock")
        ]
        assert blocks
        opened.replace_graphs({}, remove=blocks)
        assert _run(opened, "agreements", {}, Page(1, 25))[0] == []
        ingest(opened)
        whole, _, _ = _run(opened, "agreements", {}, ALL_ROWS)
        assert whole and _run(opened, "agreements", {}, Page(1, 25))[0] == whole[:25]


def test_the_lists_a_full_ingest_ranks_carry_the_blocks_of_their_keys() -> None:
    """Ranked from a corpus in memory (each term made once for all the lists), every list
    graph holds its keys and exactly the blocks `with_blocks` gives those keys."""
    from jalinan.ingest.list_order import POSITION, positions_from_graphs, with_blocks
    from jalinan.ingest.pipeline import build_corpus

    ranked = positions_from_graphs(build_corpus(check_shapes=False).graphs)
    with_keys = [graph for graph in ranked if block_span(graph) is not None and ranked[graph]]
    assert len(with_keys) > 10
    for graph, triples in ranked.items():
        keys = [t for t in triples if t.predicate == POSITION]
        if keys:  # (not a filter's index, which names its lists)
            assert triples == with_blocks(graph, keys), graph
