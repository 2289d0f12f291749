"""The shape check's speed-ups judge exactly as one pyshacl run over the whole graph does.

Two speed-ups stand between the shapes as written and pyshacl: the property shapes of plain
node shapes are hoisted (given the node shape's targets, so pyshacl evaluates each once over all
its focus nodes), and large inputs are split into partitions checked in parallel processes. A
node's triples can be spread over several graphs, and so over several partitions (a second
status stated in another article, the only quote about an agreement kept in another graph, the
type of an article in one graph and a quote from it in another), so the faults planted here
each span graphs, and every way of grouping the graphs must find exactly the whole graph's
violations: no fewer (a partition hiding one) and no more (a partition judging a node it only
sees part of).
"""

import os
import shutil
import time
from itertools import combinations
from pathlib import Path

import pyshacl
import pytest
from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, serialize
from rdflib import Graph
from rdflib.namespace import SH

from jalinan.graph import open_store, oxigraph_store
from jalinan.ingest import pipeline, shape_check
from jalinan.ingest.errors import FactsInvalid
from jalinan.ingest.pipeline import build_corpus, ingest, ingest_articles
from jalinan.ingest.shape_check import (
    SHAPES,
    PreparedCheck,
    hoist_property_shapes,
    partition_reads,
    split_graphs,
    start_shape_check,
    violation_lines,
)
from jalinan.ingest.vocabulary import ontology_source
from tests.support import sorted_nquads

JL = "https://w3id.org/jalinan/ontology#"
ID = "https://w3id.org/jalinan/id/"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
QUOTED_FROM = "http://www.w3.org/ns/prov#wasQuotedFrom"


def leave_one_party(path: Path) -> None:
    """Break the test article's agreement: drop China as a party, leaving it one (a shape fault)."""
    text = path.read_text(encoding="utf-8")
    one_party = "hasParty: {malaysia: [ministry-of-testing]}"
    path.write_text(text.replace("hasParty: {malaysia: [ministry-of-testing], china: [china]}", one_party))


def _t(subject: str, predicate: str, value: str | Literal) -> Triple:
    obj = value if isinstance(value, Literal) else NamedNode(value)
    return Triple(NamedNode(subject), NamedNode(predicate), obj)


def _quote(evidence: str, about: str, article: str = ID + "article/a1") -> list[Triple]:
    """A well-formed evidence quote about `about`."""
    return [
        _t(evidence, TYPE, JL + "EvidenceQuote"),
        _t(evidence, JL + "quote", Literal("a quote")),
        _t(evidence, QUOTED_FROM, article),
        _t(evidence, JL + "claimSubject", about),
    ]


def _agreement(node: str, *, parties: int = 2, statuses: int = 1) -> list[Triple]:
    out = [_t(node, TYPE, JL + "MemorandumOfUnderstanding")]
    out += [_t(node, JL + "hasParty", f"{ID}party-{i}") for i in range(parties)]
    out += [_t(node, JL + "hasStatus", f"{ID}status-{i}") for i in range(statuses)]
    return out


def planted() -> dict[str, list[Triple]]:
    """Three graphs whose faults (and whose non-faults) are only visible across graphs."""
    a = ID
    g1 = [
        *_agreement(a + "two-statuses"),  # a second status is stated in g2
        *_quote(a + "e-two-statuses", a + "two-statuses"),
        _t(a + "parties-split", TYPE, JL + "MemorandumOfUnderstanding"),  # second party in g3
        _t(a + "parties-split", JL + "hasParty", a + "party-0"),
        _t(a + "parties-split", JL + "hasStatus", a + "status-0"),
        _t(a + "typed-elsewhere", JL + "hasParty", a + "party-0"),  # typed in g3, quoted in g2
        _t(a + "typed-elsewhere", JL + "hasParty", a + "party-1"),
        _t(a + "typed-elsewhere", JL + "hasStatus", a + "status-0"),
        _t(a + "someone", TYPE, JL + "Person"),  # a quote in g2 claims to come from this person
        _t(a + "e-lang", TYPE, JL + "EvidenceQuote"),  # its quote (in g2) has a language tag
        _t(a + "e-lang", QUOTED_FROM, a + "article/a1"),
        _t(a + "odd-node", TYPE, JL + "NotAClass"),  # claimed about in g2
        _t(a + "visit", TYPE, JL + "OfficialVisit"),  # visitor in g2, no host country anywhere
    ]
    g2 = [
        _t(a + "two-statuses", JL + "hasStatus", a + "status-1"),
        *_agreement(a + "unsourced"),  # no quote anywhere
        *_quote(a + "e-typed-elsewhere", a + "typed-elsewhere"),
        *_quote(a + "e-from-person", a + "typed-elsewhere", article=a + "someone"),
        _t(a + "e-lang", JL + "quote", Literal("a quote", language="en")),
        _t(a + "e-odd", JL + "claimSubject", a + "odd-node"),
        _t(a + "e-odd", JL + "claimSubject", a + "untyped-node"),
        _t(a + "e-odd", JL + "claimSubject", Literal("not a node")),
        _t(a + "visit", JL + "visitor", a + "someone"),
    ]
    g3 = [
        _t(a + "article/a1", TYPE, JL + "SourceArticle"),  # every quote's article
        _t(a + "parties-split", JL + "hasParty", a + "party-1"),
        # leads to an agreement of g1, whose type is then seen here without its parties
        _t(a + "parties-split", JL + "hasParty", a + "two-statuses"),
        *_quote(a + "e-parties-split", a + "parties-split"),
        _t(a + "typed-elsewhere", TYPE, JL + "Agreement"),
        _t(a + "e-no-text", TYPE, JL + "EvidenceQuote"),
        _t(a + "e-no-text", QUOTED_FROM, a + "article/a1"),
        _t(a + "e-no-text", JL + "claimSubject", a + "parties-split"),
    ]
    return {"g1": g1, "g2": g2, "g3": g3}


def whole_graph_violations(graphs: dict[str, list[Triple]], shapes: Graph | None = None) -> list[str]:
    """pyshacl over the whole, unfiltered graph (ontology included), with the shapes as written."""
    whole = Graph().parse(ontology_source(), format="turtle")
    for triples in graphs.values():
        whole.parse(data=serialize(triples, format=RdfFormat.N_TRIPLES), format="nt")
    _, report, _ = pyshacl.validate(
        whole, shacl_graph=shapes or Graph().parse(SHAPES), advanced=False, allow_warnings=True
    )
    return violation_lines(report)


def _about(line: str, focus: str) -> bool:
    """Whether a violation line (`focus (path): message` or `focus: message`) is about `focus`."""
    return line.startswith((focus + " (", focus + ": "))


def _groupings(names: list[str]) -> list[list[list[str]]]:
    """Every graph alone, every pair against the rest, and all together."""
    out = [[[name] for name in names], [list(names)]]
    for pair in combinations(names, 2):
        out.append([list(pair), [n for n in names if n not in pair]])
    return out


def test_the_planted_faults_are_the_whole_graphs_violations():
    """The reference itself: each planted fault is a violation of the whole graph, and each
    node whose triples only conform together is not (else the comparisons below prove less)."""
    found = whole_graph_violations(planted())
    expected = {
        ID + "two-statuses": "exactly one status",
        ID + "unsourced": "needs a source",
        ID + "e-from-person": "SourceArticle",
        ID + "e-lang": "datatype xsd:string",
        ID + "e-no-text": "Less than 1 values",
        ID + "odd-node": "classes the ontology declares",
        ID + "untyped-node": "classes the ontology declares",
        "not a node": "classes the ontology declares",
        ID + "visit": "host country",
    }
    for focus, words in expected.items():
        assert any(_about(line, focus) and words in line for line in found), (focus, found)
    for fine in ("parties-split", "typed-elsewhere", "e-parties-split", "e-typed-elsewhere", "two-statuses"):
        assert not any(_about(line, ID + fine) and "quote" in line for line in found), (fine, found)
    assert not any(_about(line, ID + "parties-split") for line in found), found
    assert not any(_about(line, ID + "typed-elsewhere") for line in found), found
    assert not any("visitor" in line for line in found), found


@pytest.mark.parametrize("groups", _groupings(["g1", "g2", "g3"]), ids=str)
def test_every_partition_of_the_planted_graphs_finds_exactly_the_whole_graphs_violations(groups):
    graphs = planted()
    check = start_shape_check(graphs, ontology_source(), groups=groups)
    assert check.result() == whole_graph_violations(graphs)


def test_partitions_of_the_curated_facts_with_faults_judge_as_the_whole_graph():
    """The curated corpus (real sizes and overlaps: the entities graph, shared nodes claimed in
    many articles) split four ways, with faults planted across graphs."""
    graphs = {name: list(triples) for name, triples in build_corpus(check_shapes=False).graphs.items()}
    agreements = sorted(
        {t.subject.value for ts in graphs.values() for t in ts if t.predicate.value == JL + "hasStatus"}
    )
    graphs["planted"] = [
        _t(agreements[0], JL + "hasStatus", ID + "another-status"),  # a second status
        *_quote(ID + "e-planted", agreements[1], article=ID + "mosti"),  # not an article
    ]
    expected = whole_graph_violations(graphs)
    assert any(_about(line, agreements[0]) for line in expected), expected
    assert any(_about(line, ID + "e-planted") for line in expected), expected

    groups = split_graphs(graphs, 4)
    assert len(groups) == 4
    assert start_shape_check(graphs, ontology_source(), groups=groups).result() == expected


def test_hoisted_shapes_report_what_the_shapes_as_written_report():
    shapes = Graph().parse(SHAPES)
    hoisted = hoist_property_shapes(shapes)
    assert not list(hoisted.triples((None, SH.property, None)))  # every one was hoisted
    assert len(list(hoisted.subjects(SH.targetClass))) > len(list(shapes.subjects(SH.targetClass)))
    graphs = planted()
    assert whole_graph_violations(graphs, hoisted) == whole_graph_violations(graphs, shapes)


def test_shapes_beyond_what_partitions_are_proven_for_are_not_partitioned():
    prefixes = "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n"
    assert partition_reads(Graph().parse(SHAPES)) is not None
    two_steps = "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path (ex:p ex:q) ] ."
    nested = "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:node ex:T ] ."
    named_target = "ex:S a sh:NodeShape ; sh:targetNode ex:n ; sh:property [ sh:path ex:p ; sh:minCount 1 ] ."
    class_back = "ex:S sh:targetClass ex:C ; sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:class ex:D ]."
    for text in (two_steps, nested, named_target, class_back):
        assert partition_reads(Graph().parse(data=prefixes + text, format="turtle")) is None, text


def test_a_failing_worker_fails_the_check(monkeypatch):
    """A worker that dies or raises must not read as "no violations"."""

    def broken(*args):
        raise MemoryError("planted")

    monkeypatch.setattr(shape_check, "partition_violations", broken)
    check = start_shape_check(planted(), ontology_source(), groups=[["g1"], ["g2", "g3"]])
    with pytest.raises(RuntimeError, match="planted"):
        check.result()


def _running(pid: int) -> bool:
    """Whether the process is alive and not merely a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def test_cancelling_a_check_stops_the_processes_checking_its_partitions(monkeypatch, tmp_path):
    """A caller that fails stops the check: no partition process may go on (or linger) after."""
    started = tmp_path / "started"
    started.write_text("")

    def slow(*args):
        with started.open("a") as file:
            file.write(f"{os.getpid()}\n")
        time.sleep(120)
        return []

    monkeypatch.setattr(shape_check, "partition_violations", slow)
    check = start_shape_check(planted(), ontology_source(), groups=[["g1"], ["g2", "g3"]], workers=2)
    deadline = time.monotonic() + 60
    while len(started.read_text().split()) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    checkers = [int(pid) for pid in started.read_text().split()]
    assert len(checkers) == 2 and all(_running(pid) for pid in checkers)
    check.cancel()
    deadline = time.monotonic() + 10
    while any(_running(pid) for pid in checkers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_running(pid) for pid in checkers)


@pytest.fixture
def facts(tmp_path: Path) -> dict[str, Path]:
    """The small valid facts of the validation tests, as files (not yet in any store)."""
    from tests.test_ingest_validation import write_valid_facts

    folder, articles = write_valid_facts(tmp_path)
    return {"facts": folder, "articles": articles, "root": tmp_path}


@pytest.fixture
def first_load_in_parallel(monkeypatch, facts, tmp_path_factory) -> dict[str, list]:
    """Make even a small first ingest take the large path: bulk load staged in a folder while
    the shape check runs in forked workers. Records that it did, and what was on disk when
    ingest waited for the check."""
    seen: dict[str, list] = {"partitioned": [], "staged_when_waiting": []}
    monkeypatch.setattr(oxigraph_store, "BULK_LOAD_THRESHOLD", 1)
    monkeypatch.setattr(shape_check, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(shape_check, "_available_cores", lambda: 2)
    real_partitions = shape_check.partitions
    # the partitions are worked out in the check's own (forked) process: it notes them in a file
    notes = tmp_path_factory.mktemp("notes") / "partitioned.txt"
    notes.write_text("")

    def spy_partitions(*args):
        parts = real_partitions(*args)
        with notes.open("a") as file:
            file.write(f"{len(parts)}\n")
        return parts

    monkeypatch.setattr(shape_check, "partitions", spy_partitions)
    real_wait = pipeline.CorpusShapeCheck.raise_on_violations

    def spy_wait(self):
        seen["staged_when_waiting"].append(sorted(p.name for p in facts["root"].iterdir()))
        try:
            return real_wait(self)
        finally:
            seen["partitioned"][:] = [int(n) for n in notes.read_text().split()]

    monkeypatch.setattr(pipeline.CorpusShapeCheck, "raise_on_violations", spy_wait)
    return seen


def test_a_first_load_stages_while_checking_and_shows_nothing_if_the_shapes_fail(
    facts, first_load_in_parallel
):
    from tests.test_ingest_validation import ARTICLE_YAML

    seen = first_load_in_parallel
    path = facts["facts"] / ARTICLE_YAML
    leave_one_party(path)

    with open_store(facts["root"] / "store") as store:
        with pytest.raises(FactsInvalid) as raised:
            ingest(store, facts["facts"], facts["articles"])
        assert sorted_nquads(store) == []
        assert store.graph_names() == []
    assert any("at least two parties" in str(e) for e in raised.value.errors), raised.value.errors
    assert seen["partitioned"] and seen["partitioned"][0] >= 2  # the check ran in workers
    assert ".store.loading" in seen["staged_when_waiting"][0]  # the load was staged meanwhile
    assert sorted(p.name for p in facts["root"].iterdir()) == ["articles", "facts", "store"]


def test_a_first_load_staged_while_checking_writes_what_one_process_writes(
    facts, first_load_in_parallel, tmp_path, monkeypatch
):
    seen = first_load_in_parallel
    with open_store(facts["root"] / "store") as store:
        ingest(store, facts["facts"], facts["articles"])
        parallel = sorted_nquads(store)
    assert seen["partitioned"] and ".store.loading" in seen["staged_when_waiting"][0]

    monkeypatch.setattr(shape_check, "PARALLEL_THRESHOLD", 10**9)
    monkeypatch.setattr(oxigraph_store, "BULK_LOAD_THRESHOLD", 10**9)
    with open_store(tmp_path / "sequential") as store:
        ingest(store, facts["facts"], facts["articles"])
        assert sorted_nquads(store) == parallel
    assert len(seen["partitioned"]) == 1  # the second ingest did not partition


def test_the_prepared_helper_judges_as_the_whole_graph(monkeypatch):
    """Re-ingesting one article checks in a helper forked at its start: same lines."""
    monkeypatch.setattr(shape_check, "_available_cores", lambda: 2)
    prepared = PreparedCheck(ontology_source())
    assert prepared._process is not None  # a helper, not the in-process fallback
    graphs = planted()
    assert prepared.check(graphs) == whole_graph_violations(graphs)
    assert prepared._process is None  # it ended after its one check


def test_a_failing_prepared_helper_fails_the_check(monkeypatch):
    def broken(*args, **kwargs):
        raise MemoryError("planted")

    monkeypatch.setattr(shape_check, "_available_cores", lambda: 2)
    monkeypatch.setattr(shape_check, "shape_violations", broken)  # before the fork: the helper's
    prepared = PreparedCheck(ontology_source())
    with pytest.raises(RuntimeError, match="planted"):
        prepared.check(planted())


def test_one_article_failing_the_shapes_in_the_helper_writes_nothing(facts, monkeypatch):
    from tests.test_ingest_validation import ARTICLE_YAML

    monkeypatch.setattr(shape_check, "_available_cores", lambda: 2)
    helpers: list[bool] = []
    real_check = PreparedCheck.check

    def spy_check(self, graphs):
        helpers.append(self._process is not None)
        return real_check(self, graphs)

    monkeypatch.setattr(PreparedCheck, "check", spy_check)
    with open_store(facts["root"] / "store") as store:
        ingest(store, facts["facts"], facts["articles"])
        before = sorted_nquads(store)
    path = facts["facts"] / ARTICLE_YAML
    leave_one_party(path)

    with open_store(facts["root"] / "store") as store:
        with pytest.raises(FactsInvalid) as raised:
            ingest_articles(store, [path], facts["articles"])
        assert sorted_nquads(store) == before
    assert any("at least two parties" in str(e) for e in raised.value.errors), raised.value.errors
    assert helpers == [True]


@pytest.fixture
def forked_reads(monkeypatch) -> list[int]:
    """Make reading a facts folder fork its helper even for a few files; count the helpers."""
    helpers: list[int] = []

    class Counted(pipeline._Forked):
        def __init__(self, function, *args):
            helpers.append(len(args[0]))
            super().__init__(function, *args)

    monkeypatch.setattr(pipeline, "PARALLEL_READ_THRESHOLD", 2)
    monkeypatch.setattr(pipeline, "_Forked", Counted)
    monkeypatch.setattr(pipeline, "_two_cores_and_fork", lambda: True)
    return helpers


def test_reading_in_two_processes_gives_the_records_of_one(forked_reads, monkeypatch):
    both = pipeline.read_facts(pipeline.default_facts_dir())
    assert forked_reads and forked_reads[0] >= 2  # the helper read half of the files
    monkeypatch.setattr(pipeline, "PARALLEL_READ_THRESHOLD", 10**9)
    one = pipeline.read_facts(pipeline.default_facts_dir())
    assert len(forked_reads) == 1
    assert [f.path for f in both] == [f.path for f in one]
    assert both == one


def test_reading_in_two_processes_reports_every_files_problems_in_order(forked_reads, tmp_path, monkeypatch):
    facts = tmp_path / "facts"
    shutil.copytree(pipeline.default_facts_dir(), facts, ignore=shutil.ignore_patterns("__*"))
    articles = sorted((facts / "articles").glob("*.yaml"))
    for broken in (articles[0], articles[-1]):  # one in each half
        broken.write_text("article: [unclosed\n", encoding="utf-8")

    with pytest.raises(FactsInvalid) as both:
        pipeline.read_facts(facts)
    assert forked_reads
    monkeypatch.setattr(pipeline, "PARALLEL_READ_THRESHOLD", 10**9)
    with pytest.raises(FactsInvalid) as one:
        pipeline.read_facts(facts)
    assert [str(e) for e in both.value.errors] == [str(e) for e in one.value.errors]
    assert [e.path for e in both.value.errors[:2]] == [articles[0], articles[-1]]


def test_many_small_partitions_on_few_workers_judge_as_the_whole_graph(monkeypatch):
    """A large corpus is cut into partitions of bounded size (each worker's memory is one
    partition's), more than there are workers; each worker checks its share in turn."""
    graphs = {name: list(triples) for name, triples in build_corpus(check_shapes=False).graphs.items()}
    agreements = sorted(
        {t.subject.value for ts in graphs.values() for t in ts if t.predicate.value == JL + "hasStatus"}
    )
    graphs["planted"] = [_t(agreements[0], JL + "hasStatus", ID + "another-status")]
    expected = whole_graph_violations(graphs)
    assert any(_about(line, agreements[0]) for line in expected), expected
    made: list[int] = []
    split = shape_check.split_graphs

    def spy(graphs, parts):
        groups = split(graphs, parts)
        made.append(len(groups))
        return groups

    monkeypatch.setattr(shape_check, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(shape_check, "PARTITION_TRIPLES", 2_000)
    monkeypatch.setattr(shape_check, "split_graphs", spy)
    assert start_shape_check(graphs, ontology_source(), workers=2).result() == expected
    assert made and made[0] > 2


def _reference_data_graph(graphs: dict[str, list[Triple]], read: frozenset[str]) -> Graph:
    """The checkers' data graph as rdflib's own `Graph.add` builds it, triple by triple."""
    reference = Graph()
    for s, p, o in shape_check.ontology_graph(ontology_source()):
        if str(p) in read:
            reference.add((s, p, o))
    convert = shape_check._TermConverter()
    for triples in graphs.values():
        for t in triples:
            if t.predicate.value in read:
                reference.add((convert(t.subject), convert(t.predicate), convert(t.object)))
    return reference


def _store_view(graph: Graph) -> tuple[set, list, dict, dict, dict]:
    """What pyshacl can see of a graph's store: its triples, its contexts, each triple's (the
    graph's own context named "own": each graph has its own blank node), and the triples found
    by predicate and by object (each read through another of the store's indexes)."""
    store = graph.store

    def name(context: Graph) -> str:
        return "own" if context.identifier == graph.identifier else str(context.identifier)

    triples = set(graph)
    return (
        triples,
        sorted(name(c) for c in store.contexts()),
        {t: sorted(name(c) for c in store.contexts(t)) for t in triples},
        {p: set(graph.triples((None, p, None))) for _, p, _ in triples},
        {o: set(graph.triples((None, None, o))) for _, _, o in triples},
    )


@pytest.mark.parametrize("bulk", [True, False], ids=["filled in bulk", "one at a time"])
def test_the_checkers_data_graph_holds_what_rdflib_would(bulk, monkeypatch):
    """The data graph is filled straight into rdflib's store indexes (`_FilledMemory`): what it
    then holds, and in which contexts, is what adding each triple would leave, duplicates and
    a triple the ontology already holds included; and where the store is not as `fill`
    expects, it adds each triple itself."""
    graphs = planted()
    graphs["again"] = graphs["g1"][:5] + graphs["g2"][:3]  # every one a duplicate
    read = shape_check.predicates_read_by_shapes(shape_check._shapes())
    if not bulk:
        monkeypatch.setattr(shape_check._FilledMemory, "_indexes", lambda self, context: None)
    data = shape_check.data_graph(graphs, ontology_source(), read)
    assert isinstance(data.store, shape_check._FilledMemory)
    assert (shape_check._FilledMemory._indexes(data.store, data) is not None) == bulk  # the path taken
    assert _store_view(data) == _store_view(_reference_data_graph(graphs, read))
    assert len(data) == len(_reference_data_graph(graphs, read))


def test_a_first_load_loads_the_derived_graphs_as_they_are_derived(
    facts, first_load_in_parallel, tmp_path, monkeypatch
):
    """The inferred graph and the lists go to the first load as soon as each is derived (not all
    after the last derivation), the write takes that load over (the very same graphs: nothing
    loaded twice, nothing abandoned), and the store holds what one transaction writes."""
    from jalinan.graph.namespaces import INFERRED_GRAPH
    from jalinan.ingest.list_order import LIST_ORDER_GRAPH

    monkeypatch.setattr(pipeline, "PACK_DERIVED_ABOVE", 0)  # (the small corpus's lists packed too)
    handed: list[set[str]] = []
    real_preload = oxigraph_store.OxigraphStore.preload
    monkeypatch.setattr(
        oxigraph_store.OxigraphStore,
        "preload",
        lambda self, graphs: (handed.append(set(graphs)), real_preload(self, graphs)),
    )
    abandoned: list[bool] = []
    real_abandon = oxigraph_store._Preload.abandon
    monkeypatch.setattr(
        oxigraph_store._Preload, "abandon", lambda self: (abandoned.append(True), real_abandon(self))
    )
    real_network = pipeline.network_summary.full_update
    handed_before_network: list[set[str]] = []

    def network(*args):
        handed_before_network.append(set().union(*handed))
        return real_network(*args)

    monkeypatch.setattr(pipeline.network_summary, "full_update", network)
    with open_store(facts["root"] / "store") as store:
        ingest(store, facts["facts"], facts["articles"])
        preloaded = sorted_nquads(store)
    early = handed_before_network[0]
    assert INFERRED_GRAPH in early
    assert any(name.startswith(LIST_ORDER_GRAPH + "/agreements") for name in early)
    assert any(name.startswith(LIST_ORDER_GRAPH + "/agreement-lists/") for name in early)
    assert not abandoned

    monkeypatch.setattr(shape_check, "PARALLEL_THRESHOLD", 10**9)
    monkeypatch.setattr(oxigraph_store, "BULK_LOAD_THRESHOLD", 10**9)
    with open_store(tmp_path / "one-transaction") as store:
        ingest(store, facts["facts"], facts["articles"])
        assert sorted_nquads(store) == preloaded
