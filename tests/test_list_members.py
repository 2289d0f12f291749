"""The member lists prepared at ingest (`ingest/list_members.py`): `jalinan ingest FILE` leaves
them as a full ingest of the same facts writes them, and a country that hosts no visit any
more loses its list; the visits page of a country reads exactly the visits it hosts, in the
whole list's order."""

import shutil
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Triple

from jalinan.api.reading import read
from jalinan.graph import open_store
from jalinan.graph.namespaces import ID, JL
from jalinan.ingest.list_members import LIST_MEMBERS_GRAPH, members_from_graphs
from jalinan.ingest.list_order import LIST_ORDER_GRAPH
from jalinan.ingest.pipeline import default_facts_dir, ingest, ingest_articles
from jalinan.queries.catalogue import Page, load_catalogue
from tests.support import graphs_under

BY_COUNTRY = f"{LIST_MEMBERS_GRAPH}/visits-by-country"
HOSTED_BY_PERU = "  hostCountry: peru\n"


def test_ingest_file_lists_the_members_as_a_full_ingest_does(tmp_path: Path) -> None:
    facts = tmp_path / "facts"
    shutil.copytree(default_facts_dir(), facts)
    article = next((facts / "articles").glob("*0cc1c77dfdf8eb02.yaml"))
    original = article.read_text(encoding="utf-8")
    assert original.count(HOSTED_BY_PERU) == 1
    with open_store(tmp_path / "incremental") as store:
        ingest(store, facts)
        before = graphs_under(store, LIST_MEMBERS_GRAPH)
        assert f"{BY_COUNTRY}/peru" in before
        # Anwar's visit to Peru is said to be hosted by Malaysia: Peru hosts nothing any more
        article.write_text(original.replace(HOSTED_BY_PERU, "  hostCountry: malaysia\n"), encoding="utf-8")
        ingest_articles(store, [article])
        changed = graphs_under(store, LIST_MEMBERS_GRAPH)
        # and back: Peru's list appears again, with its entry in the index
        article.write_text(original, encoding="utf-8")
        ingest_articles(store, [article])
        restored = graphs_under(store, LIST_MEMBERS_GRAPH)
        article.write_text(original.replace(HOSTED_BY_PERU, "  hostCountry: malaysia\n"), encoding="utf-8")
    assert restored == before
    with open_store(tmp_path / "full") as full:
        ingest(full, facts)
        expected = graphs_under(full, LIST_MEMBERS_GRAPH)
    assert changed == expected
    assert f"{BY_COUNTRY}/peru" not in changed and changed != before
    assert any("visit-anwar-peru" in triple for triple in changed[f"{BY_COUNTRY}/malaysia"])


def test_a_countrys_visits_are_those_it_hosts_in_the_whole_lists_order(tmp_path: Path) -> None:
    visits = load_catalogue()["visits"]
    with open_store(tmp_path / "store") as store:
        ingest(store)
        whole = [r["visit"] for r in read(store, visits, {}, Page(1, 500)).rows]
        for country in ("malaysia", "china", "peru"):
            hosts = f"SELECT DISTINCT ?visit WHERE {{ ?visit <{JL}hostCountry> <{ID}{country}> }}"
            hosted = store.query(hosts)
            expected = {row["visit"] for row in hosted.rows}  # type: ignore[union-attr]
            assert expected, country
            rows = read(store, visits, {"country": country}, Page(1, 500)).rows
            listed = list(dict.fromkeys(row["visit"] for row in rows))
            assert set(listed) == expected
            assert listed == [visit for visit in dict.fromkeys(whole) if visit in expected]
        # with no country, the whole list: the one the class names
        named = {q.object.value for q in store.quads(BY_COUNTRY) if q.subject == NamedNode(JL + "Visit")}
        assert named == {f"{LIST_ORDER_GRAPH}/visits"}


def test_a_visit_is_listed_under_the_year_its_date_is_known_within() -> None:
    def visit(n: int) -> NamedNode:
        return NamedNode(f"{ID}visit-{n}")

    day, bound = NamedNode(ID + "date/2024-05-02"), NamedNode(ID + "date/by-2025")
    date = NamedNode(JL + "date")
    label = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    graphs = {
        "article": [Triple(visit(1), date, day), Triple(visit(2), date, bound), Triple(visit(3), date, day)],
        "dates": [Triple(day, label, Literal("2024-05-02")), Triple(bound, label, Literal("by 2025"))],
    }
    position = NamedNode(JL + "listPosition")
    ranked = {f"{LIST_ORDER_GRAPH}/visits": [Triple(visit(n), position, Literal(str(n))) for n in (1, 2)]}
    lists = members_from_graphs(graphs, ranked)
    by_year = f"{LIST_MEMBERS_GRAPH}/visits-by-year"
    # a bound ("by 2025") is no year; visit 3 is not in the ranked list
    assert [t.subject for t in lists[f"{by_year}/2024"]] == [visit(1)]
    assert Triple(NamedNode(f"{by_year}/2024"), label, Literal("2024")) in lists[by_year]
    assert f"{by_year}/2025" not in lists
