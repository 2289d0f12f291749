"""The agreement lists prepared at ingest (`ingest/agreement_lists.py`): `jalinan ingest FILE`
leaves them as a full ingest of the same facts writes them, when an article moves an
organisation in the tree, changes a party or re-dates an agreement; and a period's page reads
exactly the agreements whose date overlaps it, in the whole list's order."""

import shutil
from pathlib import Path

from jalinan.api.reading import read
from jalinan.graph import open_store
from jalinan.graph.namespaces import ID, JL
from jalinan.ingest.agreement_lists import AGREEMENT_LISTS_GRAPH, derive_all, list_graph
from jalinan.ingest.pipeline import default_facts_dir, ingest, ingest_articles
from jalinan.queries.catalogue import Page, load_catalogue
from tests.support import graphs_under

UNDER_COMMUNICATIONS = "      subOrganizationOf: ministry-of-communications\n"
POSTAL_PARTY = "  hasParty: {malaysia: [mcmc], china: [china-state-postal-bureau]}\n"
SIGNED_BY = 'date: {by: "2025-04-17", basis: inferred'


def _incremental_equals_full(tmp_path: Path, article_glob: str, edits: list[tuple[str, str]]) -> None:
    """Ingest everything, re-ingest the article with `edits` made, then as it was: the lists are
    those a full ingest of the edited facts writes, then those before."""
    facts = tmp_path / "facts"
    shutil.copytree(default_facts_dir(), facts)
    article = next((facts / "articles").glob(article_glob))
    original = article.read_text(encoding="utf-8")
    edited = original
    for old, new in edits:
        assert edited.count(old) == 1, old
        edited = edited.replace(old, new)
    with open_store(tmp_path / "incremental") as store:
        ingest(store, facts)
        before = graphs_under(store, AGREEMENT_LISTS_GRAPH)
        article.write_text(edited, encoding="utf-8")
        ingest_articles(store, [article])
        changed = graphs_under(store, AGREEMENT_LISTS_GRAPH)
        article.write_text(original, encoding="utf-8")
        ingest_articles(store, [article])
        restored = graphs_under(store, AGREEMENT_LISTS_GRAPH)
    article.write_text(edited, encoding="utf-8")
    with open_store(tmp_path / "full") as full:
        ingest(full, facts)
        expected = graphs_under(full, AGREEMENT_LISTS_GRAPH)
    assert changed == expected and changed != before
    assert restored == before


def test_ingest_file_that_moves_an_organisation_in_the_tree_lists_as_a_full_ingest(tmp_path: Path) -> None:
    """MCMC read as under the Digital Ministry, and the postal MoU's Malaysian party made MDEC
    beside it: the Communications Ministry's lists lose the MoU, the Digital Ministry's gain it."""
    _incremental_equals_full(
        tmp_path,
        "003_*.yaml",
        [
            (UNDER_COMMUNICATIONS, "      subOrganizationOf: ministry-of-digital\n"),
            (POSTAL_PARTY, "  hasParty: {malaysia: [mcmc, mdec], china: [china-state-postal-bureau]}\n"),
        ],
    )
    with open_store(tmp_path / "full") as full:
        lists = graphs_under(full, AGREEMENT_LISTS_GRAPH)
    postal = f"<{ID}mou-mcmc-china-state-postal-bureau>"
    assert any(postal in t for t in lists[list_graph("involving", ID + "ministry-of-digital")])
    assert any(postal in t for t in lists[list_graph("as-party", ID + "mdec")])


def test_ingest_file_that_re_dates_an_agreement_lists_as_a_full_ingest(tmp_path: Path) -> None:
    """The LOI known only as signed by a day (in no list: a bound overlaps no period) becomes
    dated to a day no other agreement has: that day's list appears."""
    _incremental_equals_full(
        tmp_path, "002_*.yaml", [(SIGNED_BY, 'date: {value: "2025-10-02", basis: inferred')]
    )
    with open_store(tmp_path / "full") as full:
        lists = graphs_under(full, AGREEMENT_LISTS_GRAPH)
    october = lists[list_graph("by-date", ID + "date/2025-10-02")]
    assert october == [
        f"<{ID}loi-mdec-zhejiang-university> <{JL}listPosition> " + october[0].split("> ", 2)[2]
    ]
    assert not any("by-2025-04-17" in graph for graph in lists)


def test_ingest_file_that_moves_other_articles_agreements_lists_as_a_full_ingest(tmp_path: Path) -> None:
    """The LOI (article 002) dated as Miti's two MoUs (article 003) are, from 2024, under a label
    sharing their first letters and sorting before theirs: it takes the first of their places,
    so the MoUs' keys in the whole list move, and with them their places in every prepared list,
    though no fact of theirs changed and their article was not re-ingested."""
    _incremental_equals_full(
        tmp_path,
        "002_*.yaml",
        [
            (
                SIGNED_BY + ', note: "reported as signed in this article, dated 2025-04-17, which '
                'gives no date of its own: signed by that day"}',
                'date: {from: "2024"}',
            ),
            ("  label: MDEC–Zhejiang University Letter of Intent", "  label: Miti–China MoU on agriculture"),
        ],
    )


def test_a_periods_pages_are_the_agreements_dated_within_it_in_the_whole_lists_order(tmp_path: Path) -> None:
    catalogue = load_catalogue()
    between, everything = catalogue["agreements-between"], catalogue["agreements"]
    periods = [
        ("2025", "2025"),
        ("2025-04", "2025-04-16"),
        ("2025-04-17", None),
        (None, "2024"),
        ("2022", "2025-09"),
    ]
    with open_store(tmp_path / "store") as store:
        ingest(store)
        whole = list(
            dict.fromkeys(r["agreement"].value for r in read(store, everything, {}, Page(1, 500)).rows)
        )
        for start, end in periods:
            overlapping = f"""PREFIX jl: <https://w3id.org/jalinan/ontology#>
                SELECT DISTINCT ?a WHERE {{
                  ?a jl:date ?day . ?day jl:earliestDateTime ?earliest ; jl:latestDateTime ?latest .
                  {f'FILTER (STR(?latest) >= "{start}")' if start else ""}
                  {f'FILTER (STR(?earliest) <= "{end}~")' if end else ""}
                }}"""
            dated = {row["a"].value for row in store.query(overlapping).rows}  # type: ignore[union-attr]
            expected = dated & set(whole)  # the agreements among the dated things
            params = {name: value for name, value in (("from", start), ("to", end)) if value}
            paged: list[str] = []
            page = 1
            while True:  # two agreements a page, each once, every page followed
                reading = read(store, between, params, Page(page, 2))
                paged += list(dict.fromkeys(row["agreement"].value for row in reading.rows))
                if not reading.has_next:
                    break
                page += 1
            assert len(paged) == len(set(paged)), (start, end)
            assert set(paged) == expected, (start, end)
            assert paged == [a for a in whole if a in expected], (start, end)


def test_a_full_ingest_over_a_store_writes_the_lists_its_data_gives(tmp_path: Path) -> None:
    """A full ingest derives the lists before its write, from what it is about to write (so that
    they go in the data's own transaction): over a store that held other facts, with the
    inferred graph moved rather than rebuilt, they are the lists a first ingest of the same facts
    writes, and the ones the store's data gives once written."""
    facts = tmp_path / "facts"
    shutil.copytree(default_facts_dir(), facts)
    article = next((facts / "articles").glob("003_*.yaml"))
    original = article.read_text(encoding="utf-8")
    assert original.count(UNDER_COMMUNICATIONS) == 1
    with open_store(tmp_path / "over") as store:
        ingest(store, facts)
        before = graphs_under(store, AGREEMENT_LISTS_GRAPH)
        article.write_text(
            original.replace(UNDER_COMMUNICATIONS, "      subOrganizationOf: ministry-of-digital\n")
        )
        ingest(store, facts)
        over = graphs_under(store, AGREEMENT_LISTS_GRAPH)
        derived = {name: sorted(map(str, triples)) for name, triples in derive_all(store).items() if triples}
    with open_store(tmp_path / "first") as first:
        ingest(first, facts)
        expected = graphs_under(first, AGREEMENT_LISTS_GRAPH)
    assert over == expected != before
    assert over == derived


def test_the_prepared_lists_add_no_date_to_the_graph(tmp_path: Path) -> None:
    """Only dates have the dates' instants: a list that carried them was met as one more date
    by every query starting from `jl:earliestDateTime` (the home page's latest agreements)."""
    with open_store(tmp_path / "store") as store:
        ingest(store)
        outside = store.query(
            f"SELECT DISTINCT ?node WHERE {{ VALUES ?p {{ <{JL}earliestDateTime> <{JL}latestDateTime> }} "
            f"GRAPH ?g {{ ?node ?p ?instant }} FILTER (?g != <https://w3id.org/jalinan/graph/dates>) }}"
        )
        dated_lists = store.query(
            f"ASK {{ GRAPH ?g {{ ?list <{JL}listSize> ?n ; <{JL}earliestDateTime> ?i }} }}"
        )
    assert [row["node"].value for row in outside.rows] == []
    assert dated_lists.value is False
