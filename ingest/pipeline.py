"""Ingest end to end: read, validate, translate, check shapes, then write in one transaction.

Nothing is written until everything has passed, and the write replaces every changed graph in
one store transaction, so a bad file leaves the store exactly as it was. All IRIs are
deterministic, so a second run over the same files gives the same quads; the digest of each
graph's content is kept in a bookkeeping graph, so a second run writes (and re-checks) only what
changed, and one article can be re-ingested on its own in well under a second.
"""

import itertools
import multiprocessing
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Store, Triple, parse

from jalinan.graph import GraphStore, SelectResult
from jalinan.graph.keys import match_key, search_tokens, short_name_tokens
from jalinan.graph.namespaces import (
    ARTICLE,
    BACKGROUND_GRAPH,
    CONCEPT,
    CONCEPT_KEYS_GRAPH,
    DATES_GRAPH,
    ENTITIES_GRAPH,
    GENID,
    ID,
    INFERRED_GRAPH,
    INGEST_DIGEST,
    INGEST_STATE_GRAPH,
    JL,
    NETWORK_SUMMARY_GRAPH,
    ONTOLOGY_GRAPH,
    PROV,
    RDF,
    SKOS,
    TIES_GRAPH,
    article_iri,
)
from jalinan.graph.outside_writes import clear_outside_writes, written_outside_ingest
from jalinan.graph.oxigraph_store import OxigraphStore
from jalinan.graph.packed import PackedGraph, digest_of_lines
from jalinan.graph.staging import staged
from jalinan.ingest import agreement_lists, list_members, network_summary
from jalinan.ingest.articles import ArticleTexts
from jalinan.ingest.entailments import Rules, moved_sources_digest, rules_from_ontology, sources_digest
from jalinan.ingest.errors import FactError, FactsInvalid
from jalinan.ingest.inferred_graph import inferred_changes
from jalinan.ingest.list_members import MEMBER_INDEXES, list_members_update, refresh_list_members
from jalinan.ingest.list_order import (
    LIST_GRAPHS,
    LIST_ORDER_GRAPH,
    has_blocks,
    positions_from_graphs,
    rerank,
    stale_lists,
)
from jalinan.ingest.one_pass import in_one_pass
from jalinan.ingest.records import (
    FactsFile,
    read_article_file,
    read_background_file,
    read_entities_file,
    read_ties_file,
)
from jalinan.ingest.shape_check import PreparedCheck, ShapeCheck, start_shape_check
from jalinan.ingest.statistics import corpus_statistics, has_statistics, statistics_changes
from jalinan.ingest.translate import Translator
from jalinan.ingest.vocabulary import load_vocabulary, ontology_source
from jalinan.ingest.yaml_source import load_yaml
from jalinan.queries.catalogue import load_query

ENTITIES_FILE = "entities.yaml"
# Ties across articles (inferences resting on quotes from several articles); optional.
TIES_FILE = "ties.yaml"
# Background facts, each resting on a public source instead of an article quote; optional.
BACKGROUND_FILE = "background.yaml"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ARTICLES_FOLDER = "articles"
LOOKUPS = Path(str(files("jalinan.ingest.lookups")))
# Literals the store gives back as written (everything else may come back in canonical form).
_PLAIN_DATATYPES = frozenset(
    {"http://www.w3.org/2001/XMLSchema#string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}
)


def default_facts_dir() -> Path:
    """The curated facts shipped with Jalinan."""
    return Path(str(files("jalinan.ingest.facts")))


@dataclass
class Corpus:
    """Validated facts as triples per named graph, and the context the shapes need.

    A whole corpus (`build_corpus`) holds its graphs packed (`graph.packed.PackedGraph`: about
    13 bytes a triple instead of 540), each read back in one pass where it is needed."""

    graphs: dict[str, list[Triple]]
    article_ids: list[str] = field(default_factory=list)
    # Type triples of nodes defined in other graphs that these graphs talk about.
    context: list[Triple] = field(default_factory=list)

    @property
    def quad_count(self) -> int:
        return sum(len(triples) for triples in self.graphs.values())


@dataclass
class WriteReport:
    written: list[str]
    unchanged: int
    dropped: list[str]


def read_facts(facts_dir: Path, extra: Sequence[Path] = ()) -> list[FactsFile]:
    """Read every YAML file of a facts folder (shape errors are kept on each file).

    `extra` article files (a draft, an edited copy) join the folder's, each in place of the
    folder's file of the same name, as if it were saved there.
    """
    entities = facts_dir / ENTITIES_FILE
    if not entities.is_file():
        raise FactsInvalid([FactError(entities, 0, "", "missing: the shared entities file")])
    shared = [facts_dir / name for name in (TIES_FILE, BACKGROUND_FILE) if (facts_dir / name).is_file()]
    replaced = {path.name for path in extra}
    replaced_ids = {article_id for path in extra if (article_id := _article_id_of(path))}
    curated = [
        p
        for p in sorted((facts_dir / ARTICLES_FOLDER).glob("*.yaml"))
        if p.name not in replaced and not any(p.stem.endswith(f"_{i}") or p.stem == i for i in replaced_ids)
    ]
    return _read([entities, *shared, *curated, *extra], entities)


def _article_id_of(path: Path) -> str | None:
    """The article id an article file declares, if it can be read (its problems are reported later)."""
    try:
        data = load_yaml(path)
    except FactsInvalid:
        return None
    article = data.get("article") if isinstance(data, dict) else None
    article_id = article.get("id") if isinstance(article, dict) else None
    return str(article_id) if article_id else None


# Below this many files one process reads them quicker than two (the fork, and pickling the
# records back, cost about a fifth of reading them).
PARALLEL_READ_THRESHOLD = 1_000


def _read(paths: Iterable[Path], entities: Path | None = None) -> list[FactsFile]:
    """Read the files (the second half in a forked helper, when there are many and two cores:
    parsing YAML is a third of building 10,000 articles); raise `FactsInvalid` listing every
    file's problems, in the order of `paths`."""
    paths = list(paths)
    helper = None
    if len(paths) >= PARALLEL_READ_THRESHOLD and _two_cores_and_fork():
        half = len(paths) // 2
        helper = _Forked(_read_each, paths[half:], entities)
        paths = paths[:half]
    try:
        results = _read_each(paths, entities)
    except BaseException:
        if helper is not None:
            helper.cancel()
        raise
    if helper is not None:
        results += helper.result()
    out = [r for r in results if isinstance(r, FactsFile)]
    problems = [e for r in results if not isinstance(r, FactsFile) for e in r]
    if problems:
        raise FactsInvalid(problems + [e for f in out for e in f.errors])
    return out


def _read_each(paths: list[Path], entities: Path | None) -> list[FactsFile | list[FactError]]:
    """Each file's records, or the problems that stopped its reading."""
    results: list[FactsFile | list[FactError]] = []
    for path in paths:
        try:
            if path == entities:
                results.append(read_entities_file(path, ENTITIES_GRAPH))
            elif entities is not None and path == entities.parent / TIES_FILE:
                results.append(read_ties_file(path, TIES_GRAPH))
            elif entities is not None and path == entities.parent / BACKGROUND_FILE:
                results.append(read_background_file(path, BACKGROUND_GRAPH))
            else:
                results.append(read_article_file(path, article_iri))
        except FactsInvalid as exc:
            results.append(list(exc.errors))
    return results


def _two_cores_and_fork() -> bool:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return cores >= 2 and "fork" in multiprocessing.get_all_start_methods()


class _Forked:
    """`function(*args)` run in a forked child; `result()` waits for its (picklable) value.

    The child reads its arguments from the memory it shares with the parent at the fork, so
    only the value travels through the pipe. An exception in the child is raised in the
    parent as a `RuntimeError` naming it; the child is reaped either way.
    """

    def __init__(self, function: Callable[..., Any], *args: Any):
        context = multiprocessing.get_context("fork")
        self._receiver, sender = context.Pipe(duplex=False)
        self._process = context.Process(target=_run_forked, args=(function, args, sender), daemon=True)
        self._process.start()
        sender.close()

    def result(self) -> Any:
        try:
            ok, value = self._receiver.recv()
        except EOFError:
            ok, value = False, f"helper process {self._process.pid} died"
        finally:
            self._receiver.close()
            self._process.join()
        if not ok:
            raise RuntimeError(value)
        return value

    def cancel(self) -> None:
        """Stop the child (the parent failed anyway) and reap it."""
        self._receiver.close()
        self._process.terminate()
        self._process.join()


def _run_forked(function: Callable[..., Any], args: tuple[Any, ...], sender: Any) -> None:
    try:
        sender.send((True, function(*args)))
    except BaseException as exc:  # reported to the parent, which raises it
        sender.send((False, f"{type(exc).__name__}: {exc}"))
    finally:
        sender.close()


def ontology_triples(ontology_ttl: Path) -> list[Triple]:
    """The ontology itself, loaded so that queries can read labels and walk skos:broader.

    Its blank nodes (OWL class expressions) get deterministic skolem IRIs (RDF 1.1 §3.5), so
    that storing it twice gives identical quads.
    """
    labels: dict[str, NamedNode] = {}

    def skolem(term):
        if isinstance(term, BlankNode):
            return labels.setdefault(term.value, NamedNode(f"{GENID}{len(labels) + 1}"))
        return term

    with ontology_ttl.open("rb") as handle:
        return [
            Triple(skolem(quad.subject), quad.predicate, skolem(quad.object))
            for quad in parse(handle, format=RdfFormat.TURTLE)
        ]


# The concepts search finds (topics, sectors); statuses, measures and date bases are not things
# a reader looks for by name.
SEARCHED_SCHEMES = (CONCEPT + "topic/", CONCEPT + "sector/")


def concept_keys(ontology: list[Triple]) -> list[Triple]:
    """`jl:matchKey` for every SKOS concept: its labels, aliases and name, for lookups by name;
    `jl:searchToken` for each of their words, for search (and `jl:shortNameToken`, those of
    their short names)."""
    concepts = {
        t.subject
        for t in ontology
        if t.predicate.value == RDF + "type" and t.object.value == SKOS + "Concept"
    }
    names = {SKOS + "prefLabel", SKOS + "altLabel"}
    keys: set[Triple] = set()
    predicate = NamedNode(JL + "matchKey")
    for t in ontology:
        if t.subject in concepts and t.predicate.value in names and isinstance(t.object, Literal):
            keys.add(Triple(t.subject, predicate, Literal(match_key(t.object.value))))
    tokens, short = NamedNode(JL + "searchToken"), NamedNode(JL + "shortNameToken")
    searched = {c for c in concepts if c.value.startswith(SEARCHED_SCHEMES)}  # what search shows
    searched_names: dict[NamedNode, list[str]] = {c: [c.value.rsplit("/", 1)[-1]] for c in searched}
    for t in ontology:
        if t.subject in searched and t.predicate.value in names and isinstance(t.object, Literal):
            searched_names[t.subject].append(t.object.value)
    for concept, its_names in searched_names.items():
        words = dict.fromkeys(token for name in its_names for token in search_tokens(name))
        keys.update(Triple(concept, tokens, Literal(token)) for token in words)
        keys.update(Triple(concept, short, Literal(key)) for key in short_name_tokens(its_names))
    for concept in concepts:
        name = concept.value.rsplit("/", 1)[-1]
        keys.add(Triple(concept, predicate, Literal(match_key(name))))
        keys.add(Triple(concept, predicate, Literal(match_key(name.replace("-", " ")))))
    return sorted(keys, key=str)


def build_corpus(
    facts_dir: Path | None = None,
    articles_dir: Path | None = None,
    *,
    check_shapes: bool = True,
    extra: Sequence[Path] = (),
    on_packed: Callable[[str, PackedGraph], None] | None = None,
) -> Corpus:
    """Validate every file (with `extra` article files, see `read_facts`) and build every graph;
    raise `FactsInvalid` on any problem. `on_packed` is given each graph as soon as it is built
    and packed (a first load begins with them)."""
    facts_dir = facts_dir or default_facts_dir()
    ontology_ttl = ontology_source()
    files_read = read_facts(facts_dir, extra)
    translator = Translator(
        load_vocabulary(ontology_ttl), ArticleTexts(articles_dir), pack=True, on_packed=on_packed
    )
    graphs = translator.translate(files_read)
    article_ids = sorted(f.article.id for f in files_read if f.article is not None)
    del translator, files_read  # every file's records: about 22 MB per 1,000 articles
    graphs.setdefault(ENTITIES_GRAPH, [])
    graphs[ONTOLOGY_GRAPH] = ontology_triples(ontology_ttl)
    graphs[CONCEPT_KEYS_GRAPH] = concept_keys(graphs[ONTOLOGY_GRAPH])
    corpus = Corpus(graphs=graphs, article_ids=article_ids)
    if check_shapes:
        check_corpus_shapes(corpus, list(graphs))
    return corpus


def check_corpus_shapes(corpus: Corpus, names: list[str], prepared: PreparedCheck | None = None) -> None:
    """Run the SHACL shapes over the named graphs plus every graph that types a node they
    mention (the subject of a claim, or the article a quote comes from), with the ontology;
    raise `FactsInvalid` listing the violations.

    Checking only what changed keeps a re-ingest fast; pulling in the graphs that define what
    it mentions keeps the check whole (editing `entities.yaml` re-checks every article, whose
    SourceArticle its quotes point at). `prepared`, when given, runs the check.
    """
    start_corpus_shape_check(corpus, names, prepared).raise_on_violations()


class CorpusShapeCheck:
    """A shape check of some of a corpus's graphs, possibly still running in worker processes
    (see `shape_check.ShapeCheck`), so that the caller can digest and stage its write
    meanwhile."""

    def __init__(self, check: ShapeCheck | None):
        self._check = check

    def raise_on_violations(self) -> None:
        """Wait for the check; raise `FactsInvalid` listing the violations, if any."""
        violations = self._check.result() if self._check is not None else []
        if violations:
            raise FactsInvalid([FactError(Path("(shapes)"), 0, "shapes", v) for v in violations])

    def cancel(self) -> None:
        """Stop the check's workers if it is still running (the caller failed anyway)."""
        if self._check is not None:
            self._check.cancel()


def start_corpus_shape_check(
    corpus: Corpus, names: list[str], prepared: PreparedCheck | None = None
) -> CorpusShapeCheck:
    """Start `check_corpus_shapes`'s check without waiting for it (unless `prepared` runs it)."""
    not_facts = {ONTOLOGY_GRAPH, CONCEPT_KEYS_GRAPH, INFERRED_GRAPH}
    wanted = {n for n in names if n not in not_facts}
    if not wanted:
        return CorpusShapeCheck(None)
    if not set(corpus.graphs) - not_facts <= wanted:  # else there is nothing to pull in
        _add_typing_graphs(corpus, wanted, not_facts)
    selected = {n: corpus.graphs[n] for n in sorted(wanted)}
    if corpus.context:
        selected["context"] = corpus.context
    if prepared is not None:
        return CorpusShapeCheck(ShapeCheck(lines=prepared.check(selected)))
    return CorpusShapeCheck(start_shape_check(selected, ontology_source()))


def _add_typing_graphs(corpus: Corpus, wanted: set[str], not_facts: set[str]) -> None:
    """Add to `wanted` every graph that types a node the wanted graphs mention, and so on for
    the graphs added (an article's claim about a shared entity pulls in the entities graph,
    whose quotes come from every article: those articles type their own nodes)."""
    type_iri = RDF + "type"
    mention_predicates = {JL + "claimSubject", PROV + "wasQuotedFrom"}
    typed_in: dict[str, set[str]] = {}
    for name, triples in corpus.graphs.items():
        if name in not_facts:
            continue
        for t in triples:
            if t.predicate.value == type_iri:
                typed_in.setdefault(t.subject.value, set()).add(name)
    todo = list(wanted)
    while todo:
        for t in corpus.graphs.get(todo.pop(), []):
            if t.predicate.value in mention_predicates:
                for graph in typed_in.get(t.object.value, ()):
                    if graph not in wanted:
                        wanted.add(graph)
                        todo.append(graph)


def graph_digest(triples: list[Triple]) -> str:
    """A digest of a graph's content that does not depend on the order of its triples.

    Each line is `str(triple)`, the same `<s> <p> <o>` text as formatting the three terms
    (so stored digests stay valid), made in one call instead of four: twice as fast. A packed
    graph's digest was taken of the same lines when it was packed.
    """
    if isinstance(triples, PackedGraph):
        return triples.digest
    return digest_of_lines(sorted(map(str, triples)))


def corpus_digests(graphs: Mapping[str, list[Triple]]) -> dict[str, str]:
    """Each graph's digest."""
    return {name: graph_digest(triples) for name, triples in graphs.items()}


# Above this many changed graphs a full ingest derives the inferred graph whole rather than
# moving it by what changed (one lookup per changed triple and its premises).
INCREMENTAL_INFERENCE_LIMIT = 200


# A derived graph larger than this is packed until it is written (the lists of agreements are
# some 15,000 triples each at 10,000 articles, 300,000 together).
PACK_DERIVED_ABOVE = 1_000


def _packed_if_large(triples: Iterable[Triple]) -> Iterable[Triple]:
    if isinstance(triples, list) and len(triples) > PACK_DERIVED_ABOVE:
        return PackedGraph(triples)
    return triples


def _preload_derived(
    preload: Callable[[Mapping[str, PackedGraph]], None] | None, derived: Mapping[str, Iterable[Triple]]
) -> None:
    """Hand a first load the packed graphs of `derived` (the inferred graph, the lists: some 1.7
    million quads at 10,000 articles), so that they are loaded while the rest is derived, on a
    core the derivations leave idle, instead of after it."""
    packed = {name: graph for name, graph in derived.items() if isinstance(graph, PackedGraph)}
    if preload is not None and packed:
        preload(packed)


def _inferred_movable(before: Mapping[str, str], replaced: list[str], *, only_changed: bool) -> bool:
    """Whether a full ingest may move the inferred graph by what changed rather than derive it
    whole: the store's inferred graph was derived from the graphs its digests describe (its
    digest says so), the ontology is unchanged and few graphs changed."""
    sources = {n: d for n, d in before.items() if n not in (INFERRED_GRAPH, INGEST_STATE_GRAPH)}
    return (
        only_changed
        and before.get(INFERRED_GRAPH) == sources_digest(sources)
        and ONTOLOGY_GRAPH not in replaced
        and len(replaced) <= INCREMENTAL_INFERENCE_LIMIT
    )


def _inferred_moves(
    store: GraphStore, rules: Rules, corpus: Corpus, replaced: list[str]
) -> tuple[list[Quad], list[Quad]]:
    """The quads to remove from and add to the inferred graph when `replaced` graphs change."""
    old = [q.triple for name in replaced for q in store.quads(name)]
    new = [t for name in replaced for t in corpus.graphs.get(name, [])]
    removed, added = inferred_changes(store, rules, replaced, old, new)
    graph = NamedNode(INFERRED_GRAPH)
    return (
        [Quad(t.subject, t.predicate, t.object, graph) for t in removed],
        [Quad(t.subject, t.predicate, t.object, graph) for t in added],
    )


def _inferred_after(
    store: GraphStore, updates: Mapping[str, list[Triple]], remove: list[Quad], add: list[Quad]
) -> list[Triple]:
    """What the agreements' lists and the network summary read of the inferred graph as the
    write will leave it: the whole graph when it is rewritten, else the stored one moved by
    `remove` and `add` (which touch the inferred graph and the bookkeeping only)."""
    if INFERRED_GRAPH in updates:
        return updates[INFERRED_GRAPH]
    inferred = NamedNode(INFERRED_GRAPH)
    gone = {q.triple for q in remove if q.graph_name == inferred}
    stored = agreement_lists.stored_inferred(store, also=network_summary.PREDICATES)
    return [t for t in stored if t not in gone] + [q.triple for q in add if q.graph_name == inferred]


def _derived(graph: str) -> bool:
    """A graph ingest derives from the others (bookkeeping: never a source of facts)."""
    return graph in (INFERRED_GRAPH, INGEST_STATE_GRAPH, NETWORK_SUMMARY_GRAPH) or graph.startswith(
        LIST_ORDER_GRAPH + "/"
    )


def stored_digests(store: GraphStore, graphs: Iterable[str] | None = None) -> dict[str, str]:
    """The digest ingest last wrote for each graph (only for `graphs`, when given)."""
    lookup = load_query(LOOKUPS / "ingest-digests.rq")
    wanted = None if graphs is None else [NamedNode(g) for g in sorted(graphs)]
    result = store.query(lookup.bind({"graph": wanted}) if wanted else lookup.text)
    assert isinstance(result, SelectResult)
    return {row["graph"].value: row["digest"].value for row in result.rows}


def content_digests(store: GraphStore, graphs: Iterable[str]) -> dict[str, str]:
    """The digest of each graph's content as the store holds it now, read back graph by graph
    (memory bounded by the largest graph); a graph the store does not hold has none."""
    existing = set(store.graph_names())
    return {
        name: graph_digest([quad.triple for quad in store.quads(name)]) for name in graphs if name in existing
    }


def as_stored(triples: list[Triple]) -> list[Triple]:
    """The triples as the store gives them back: Oxigraph keeps numbers, booleans and dates as
    values, so `"433.0"^^xsd:decimal` comes back as `"433"^^xsd:decimal`. Found by putting the
    typed literals through an in-memory store (a few hundred per graph), not by re-implementing
    its canonical forms."""
    typed = sorted(
        {
            t.object
            for t in triples
            if isinstance(t.object, Literal) and t.object.datatype.value not in _PLAIN_DATATYPES
        },
        key=str,
    )
    if not typed:
        return triples
    scratch = Store()
    position = NamedNode("urn:jalinan:as-stored")
    scratch.extend(Quad(NamedNode(f"urn:jalinan:{i}"), position, literal) for i, literal in enumerate(typed))
    stored = {
        typed[int(quad.subject.value.removeprefix("urn:jalinan:"))]: quad.object
        for quad in scratch.quads_for_pattern(None, position, None, None)
    }
    return [
        Triple(t.subject, t.predicate, stored.get(t.object, t.object)) if isinstance(t.object, Literal) else t
        for t in triples
    ]


def verified_digests(
    store: GraphStore, graphs: Mapping[str, list[Triple]], digests: Mapping[str, str]
) -> dict[str, str]:
    """What each graph holds, as the digests ingest compares (`before`), read from the content
    itself rather than from what ingest recorded.

    Used once the store has been written outside ingest (`graph/outside_writes.py`): a graph
    changed through the write API keeps the digest ingest recorded, and that record may have
    been changed too. A graph holding exactly what ingest would write gets that graph's
    digest (so it is left alone); any other gets the digest of what it holds."""
    held = content_digests(store, graphs)

    def intact(name: str, digest: str) -> bool:  # the canonical forms only when needed
        return digest == digests[name] or digest == graph_digest(as_stored(graphs[name]))

    return {name: digests[name] if intact(name, digest) else digest for name, digest in held.items()}


def _store_path(store: GraphStore) -> Path | None:
    return Path(store.path) if store.path is not None else None


def _state_triples(digests: dict[str, str]) -> list[Triple]:
    predicate = NamedNode(INGEST_DIGEST)
    return [Triple(NamedNode(g), predicate, Literal(d)) for g, d in sorted(digests.items())]


def write_corpus(
    store: GraphStore,
    corpus: Corpus,
    *,
    only_changed: bool = True,
    digests: Mapping[str, str] | None = None,
    before_commit: Callable[[], None] | None = None,
    before: Mapping[str, str] | None = None,
    preload: Callable[[Mapping[str, PackedGraph]], None] | None = None,
) -> WriteReport:
    """Replace the graphs whose content changed, and drop article graphs no longer curated.

    Everything, the bookkeeping digests included, goes in one transaction. `digests` are the
    corpus graphs' digests when the caller has them already (at 2 million triples, computing
    them is seconds). `before_commit` may raise to abandon the write before anything becomes
    visible (see `OxigraphStore.replace_graphs`); it is called even when nothing changed.
    `before`: what each graph holds now, as digests (default: the digests ingest recorded);
    when given, the bookkeeping is rewritten whatever changed, since it may not be trusted.
    `preload`, given by a first load (`OxigraphStore.preload`), is handed each large derived
    graph, packed, as soon as it is derived, and the write then writes those very objects.
    """
    verified = before is not None
    if before is None:
        before = stored_digests(store)
    existing = set(store.graph_names())
    if digests is None:
        digests = corpus_digests(corpus.graphs)
    changed = [
        name
        for name in corpus.graphs
        if not only_changed or before.get(name) != digests[name] or name not in existing
    ]
    stale = [name for name in existing if name.startswith(ARTICLE) and name not in corpus.graphs]
    # the inferred graph is derived from all the others: its digest is theirs (see entailments);
    # after writes outside ingest (`verified`) the stored one is not trusted, and it is derived whole
    inferred_digest = sources_digest(digests)
    inferred_current = only_changed and not verified and before.get(INFERRED_GRAPH) == inferred_digest
    ranked = all(
        graph in existing
        for graph in (*LIST_GRAPHS, *MEMBER_INDEXES, *agreement_lists.AGREEMENT_LIST_INDEXES)
    ) and has_blocks(store)  # every list ranked (a new one too), with its blocks
    complete = has_statistics(store) and inferred_current and ranked and network_summary.is_built(store)
    if not (changed or stale or verified) and complete:
        if before_commit is not None:
            before_commit()
        return WriteReport(written=[], unchanged=len(corpus.graphs), dropped=[])
    updates: dict[str, list[Triple]] = {name: corpus.graphs[name] for name in changed}
    for name in stale:
        updates[name] = []
    remove: list[Quad] = []
    add: list[Quad] = []
    # What needs the whole corpus reads it packed (`one_pass`): the counts, the lists' order and
    # (unless it is moved by what changed) the inferred graph one after the other (together
    # their working sets raised peak memory by a quarter); then, from the order, the member
    # lists and the agreements' prepared lists in one shared pass.
    readers: list[Callable[[Mapping[str, Any]], Any]] = [corpus_statistics, positions_from_graphs]
    if not inferred_current:
        replaced = changed + stale
        rules = rules_from_ontology(corpus.graphs[ONTOLOGY_GRAPH])
        if _inferred_movable(before, replaced, only_changed=only_changed):
            remove, add = _inferred_moves(store, rules, corpus, replaced)
        else:
            # (packed at once, in its reader: 567,000 triples at 10,000 articles)
            readers.append(lambda graphs: PackedGraph(rules.materialise(graphs.values())))
    statistics, ranked, *whole = in_one_pass(corpus.graphs, readers, together=False)
    if whole:
        updates[INFERRED_GRAPH] = whole[0]
    # the digests, and the counts of what the store holds once written
    updates[INGEST_STATE_GRAPH] = [*_state_triples({**digests, INFERRED_GRAPH: inferred_digest}), *statistics]
    # the lists' order, ranked over the whole corpus, in the same transaction as the data (packed
    # now for the write, kept as triples for the lists derived from them below)
    packed_ranked = {name: _packed_if_large(triples) for name, triples in ranked.items()}
    updates.update(packed_ranked)
    _preload_derived(preload, {**packed_ranked, **({INFERRED_GRAPH: whole[0]} if whole else {})})
    updates.update({name: [] for name in stale_lists(existing, ranked)})
    # (an embedded store stages a first bulk load while the check runs; see `replace_graphs`)
    # the agreements' prepared lists, derived from what is about to be written, in the same write
    inferred = _inferred_after(store, updates, remove, add)
    members, lists = in_one_pass(
        {**corpus.graphs, **ranked},
        [
            lambda graphs: list_members_update(existing, graphs, ranked),  # (skips the ranked graphs)
            lambda graphs: agreement_lists.full_update(store, graphs, inferred),  # in this thread
        ],
        predicates=list_members.READS | agreement_lists.READS,
    )
    updates.update(members)
    packed_lists = {name: _packed_if_large(triples) for name, triples in lists.items()}
    updates.update(packed_lists)
    _preload_derived(preload, packed_lists)
    del statistics, members, lists, packed_ranked, packed_lists
    # the network summary likewise, from every graph the store will hold
    graph = NamedNode(INFERRED_GRAPH)
    others = [g for g in existing if g not in corpus.graphs and g not in stale and not _derived(g)]
    updates[NETWORK_SUMMARY_GRAPH] = network_summary.full_update(
        corpus.graphs,
        itertools.chain(
            (Quad(t.subject, t.predicate, t.object, graph) for t in inferred),  # (read once, lazily)
            network_summary.stored_quads(store, others),
        ),
    )
    updates = {name: _packed_if_large(triples) for name, triples in updates.items()}
    ranked.clear()  # (its lists, now packed in `updates`)
    store.replace_graphs(updates, remove=remove, add=add, before_commit=before_commit)
    return WriteReport(written=changed, unchanged=len(corpus.graphs) - len(changed), dropped=stale)


def ingest(
    store: GraphStore, facts_dir: Path | None = None, articles_dir: Path | None = None
) -> tuple[Corpus, WriteReport]:
    """Validate and build everything, check the shapes of what changed, write what changed.

    When ingest has written nothing yet (a first load), every graph is new and is checked, so
    the check starts at once, in worker processes, while this process derives and stages the
    write (each graph bulk-loaded into the staging folder as soon as it is built); the write
    becomes visible only if the check passes. (The digests cost nothing here: each article
    graph's was taken when it was packed.)
    """
    # Into an empty store, every graph is new: each is loaded as soon as it is built, while the
    # rest is translated and derived (`OxigraphStore.begin_first_load`).
    first_load = isinstance(store, OxigraphStore) and store.begin_first_load()
    try:
        corpus = build_corpus(
            facts_dir,
            articles_dir,
            check_shapes=False,
            on_packed=(lambda name, packed: store.preload({name: packed})) if first_load else None,
        )
        report, outside = _write_checked(store, corpus, store.preload if first_load else None)
    finally:
        if first_load:
            store.abandon_preload()  # (nothing left to do once the write took it over)
    if outside:
        clear_outside_writes(_store_path(store))
    return corpus, report


def _write_checked(
    store: GraphStore, corpus: Corpus, preload: Callable[[Mapping[str, PackedGraph]], None] | None = None
) -> tuple[WriteReport, bool]:
    """Write what changed (`write_corpus`) once its shapes pass, checking them meanwhile; and
    whether the store had been written outside ingest. (`preload`: see `write_corpus`.)"""
    digests = corpus_digests(corpus.graphs)
    # Written outside ingest since it last looked? Then compare what the graphs hold, not what
    # ingest recorded (`outside_writes.py`); the mark goes once all is rewritten as it should be.
    outside = written_outside_ingest(_store_path(store))
    before = verified_digests(store, corpus.graphs, digests) if outside else stored_digests(store)
    changed = [name for name in corpus.graphs if before.get(name) != digests[name]]
    check = start_corpus_shape_check(corpus, changed)
    try:
        report = write_corpus(
            store,
            corpus,
            digests=digests,
            before_commit=check.raise_on_violations,
            before=before if outside else None,
            preload=preload,
        )
    finally:
        check.cancel()
    return report, outside


def _new_dates(store: GraphStore, dates: list[Triple]) -> list[Triple]:
    """Those of `dates` (an article's date triples) that the dates graph does not hold yet.

    Only the article's date nodes are looked up: reading the whole dates graph (thousands of
    nodes at 10,000 articles) took a fifth of re-ingesting one article, and is needed only
    when a date is new, to digest the graph with it.
    """
    if not dates:
        return []
    lookup = load_query(LOOKUPS / "known-dates.rq")
    result = store.query(lookup.bind({"date": sorted({t.subject for t in dates}, key=str)}))
    assert isinstance(result, SelectResult)
    known = {Triple(row["date"], row["p"], row["o"]) for row in result.rows}
    return sorted(set(dates) - known, key=str)


def _inferred_quads(
    store: GraphStore,
    rules: Rules,
    stored: Mapping[str, list[Triple]],
    replaced: Mapping[str, list[Triple]],
    new_dates: list[Triple],
    moved: tuple[dict[str, str], dict[str, str]],
) -> tuple[list[Quad], list[Quad]]:
    """The quads to remove from and add to the store so that the inferred graph, and its
    digest, follow the replacement of `stored` by `replaced` (and the new dates); `moved` is
    the changed graphs' digests before and after.

    A store whose inferred graph has no digest was written before the graph existed (or by
    hand): its inferred graph is left for the next full ingest to derive whole.
    """
    digest = stored_digests(store, [INFERRED_GRAPH]).get(INFERRED_GRAPH)
    if digest is None:
        return [], []
    before = [t for triples in stored.values() for t in triples]
    after = [*(t for triples in replaced.values() for t in triples), *new_dates]
    removed, added = inferred_changes(store, rules, replaced, before, after)
    graph, state = NamedNode(INFERRED_GRAPH), NamedNode(INGEST_STATE_GRAPH)
    old_state = _state_triples({INFERRED_GRAPH: digest})
    new_state = _state_triples({INFERRED_GRAPH: moved_sources_digest(digest, *moved)})
    return (
        [*(Quad(t.subject, t.predicate, t.object, graph) for t in removed)]
        + [Quad(t.subject, t.predicate, t.object, state) for t in old_state],
        [*(Quad(t.subject, t.predicate, t.object, graph) for t in added)]
        + [Quad(t.subject, t.predicate, t.object, state) for t in new_state],
    )


def _mentioned_ids(facts_file: FactsFile) -> set[str]:
    """Every id a file defines or mentions (values that may be ids; the lookup ignores the rest)."""
    mentioned = {n.id for n in facts_file.nodes}

    def walk(value: object) -> None:
        if isinstance(value, str) and ":" not in value:
            mentioned.add(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(key)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for claim in facts_file.claims:
        mentioned.add(claim.subject)
        walk(claim.value)
    return {m for m in mentioned if _ID.match(m)}


def ingest_articles(
    store: GraphStore, paths: list[Path], articles_dir: Path | None = None
) -> tuple[Corpus, WriteReport]:
    """Re-ingest some article files on their own, resolving the ids they mention in the store.

    The shape checker is made ready in a helper process first, while this one does the rest.
    """
    prepared = PreparedCheck(ontology_source())
    try:
        return _ingest_articles(store, paths, articles_dir, prepared)
    finally:
        prepared.close()


def translate_articles(
    store: GraphStore, paths: list[Path], articles_dir: Path | None
) -> tuple[list[FactsFile], dict[str, list[Triple]], list[Triple]]:
    """Validate some article files on their own and build their graphs, resolving the ids they
    mention in the store; also the type triples of the nodes they mention from other graphs.
    Raise `FactsInvalid` on any problem. Nothing is written."""
    files_read = _read(paths)
    own_graphs = {f.graph for f in files_read}
    mentioned = set().union(*(_mentioned_ids(f) for f in files_read)) if files_read else set()
    known: dict[str, tuple[str, str]] = {}
    context: list[Triple] = []
    rows = []
    if mentioned:  # an empty VALUES block would mean "every node"
        lookup = load_query(LOOKUPS / "known-nodes.rq")
        result = store.query(lookup.bind({"node": [NamedNode(ID + m) for m in sorted(mentioned)]}))
        assert isinstance(result, SelectResult)
        rows = result.rows
    for row in rows:
        graph = row["graph"].value
        if graph in own_graphs:
            continue  # being replaced: its old definitions do not count
        node_id = row["node"].value.removeprefix(ID)
        known[node_id] = (row["class"].value, graph)
        context.append(Triple(row["node"], NamedNode(RDF + "type"), row["class"]))
    ontology_ttl = ontology_source()
    translator = Translator(load_vocabulary(ontology_ttl), ArticleTexts(articles_dir), known=known)
    graphs = translator.translate(files_read)
    for graph in own_graphs:
        graphs.setdefault(graph, [])
    return files_read, graphs, context


def _derive_after_write(
    store: GraphStore,
    stored: Mapping[str, list[Triple]],
    replaced: Mapping[str, list[Triple]],
    inferred: list[Quad],
    network: network_summary.Pending | None,
) -> None:
    """Bring what is derived from the data up to date after `replaced` took the place of
    `stored` in `store` (with `inferred`, the inferred quads it removed and added): the lists'
    order (only the nodes whose facts these graphs held, before or now), the member lists, the
    agreements' prepared lists and the network summary."""
    touched = {t.subject.value for triples in (*stored.values(), *replaced.values()) for t in triples}
    touched |= {q.subject.value for q in inferred}
    old_keys = agreement_lists.keys_of(store, touched)
    moved = rerank(store, touched)
    changes = agreement_lists.changed_triples(stored, replaced, inferred)
    refresh_list_members(store, touched | moved, changes)
    agreement_lists.refresh(store, touched, old_keys, changes, reranked=moved)
    if network is not None:
        network.apply(store)


def _ingest_articles(
    store: GraphStore, paths: list[Path], articles_dir: Path | None, prepared: PreparedCheck
) -> tuple[Corpus, WriteReport]:
    files_read, graphs, context = translate_articles(store, paths, articles_dir)
    new_dates = _new_dates(store, graphs.get(DATES_GRAPH, []))
    corpus = Corpus(
        graphs=graphs,
        article_ids=sorted(f.article.id for f in files_read if f.article is not None),
        context=context,
    )
    check_corpus_shapes(corpus, list(graphs), prepared)
    if new_dates:  # this article's new dates join those of all the others
        known_dates = {q.triple for q in store.quads(DATES_GRAPH)}
        graphs[DATES_GRAPH] = sorted(known_dates | set(graphs[DATES_GRAPH]), key=str)
    # Without new dates the dates graph stays as it is, and as its stored digest says.
    compared = [name for name in graphs if name != DATES_GRAPH or new_dates]
    recorded = stored_digests(store, compared)
    # Written outside ingest? Compare these graphs' content itself; the mark stays for a full
    # ingest to check every other graph and the counts.
    outside = written_outside_ingest(_store_path(store))
    digests = {name: graph_digest(graphs[name]) for name in compared}
    if outside:
        before = verified_digests(store, {name: graphs[name] for name in compared}, digests)
    else:
        before = recorded
    changed = sorted(name for name in compared if before.get(name) != digests[name])
    # Large shared graphs change by a few triples: add those, and swap only the changed digests.
    replaced = {name: graphs[name] for name in changed if name != DATES_GRAPH}
    state = NamedNode(INGEST_STATE_GRAPH)
    stale = _state_triples({n: recorded[n] for n in changed if n in recorded})
    fresh = _state_triples({n: digests[n] for n in changed})
    dates = NamedNode(DATES_GRAPH)
    if changed:
        # the counts move with the data, in the same transaction
        stored = {name: [quad.triple for quad in store.quads(name)] for name in replaced}
        counts_removed, counts_added = statistics_changes(store, stored, replaced)
        rules = rules_from_ontology(ontology_triples(ontology_source()))
        moved = ({n: before[n] for n in changed if n in before}, {n: digests[n] for n in changed})
        inferred_removed, inferred_added = _inferred_quads(store, rules, stored, replaced, new_dates, moved)
        network = network_summary.prepare(store, stored, replaced, inferred_removed + inferred_added)
        # The data, then what is derived from it, each read back as the previous step left it:
        # worked out on a scratch copy of the store, written here in one transaction.
        with staged(store) as staging:
            staging.replace_graphs(
                replaced,
                remove=[
                    *(Quad(t.subject, t.predicate, t.object, state) for t in stale),
                    *counts_removed,
                    *inferred_removed,
                ],
                add=[
                    *(Quad(t.subject, t.predicate, t.object, state) for t in fresh),
                    *(Quad(t.subject, t.predicate, t.object, dates) for t in new_dates),
                    *counts_added,
                    *inferred_added,
                ],
            )
            _derive_after_write(staging, stored, replaced, inferred_removed + inferred_added, network)
            staging.commit(store)
    return corpus, WriteReport(written=changed, unchanged=len(graphs) - len(changed), dropped=[])
