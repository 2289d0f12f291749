"""Check the built graph against the SHACL shapes with pyshacl, the field's standard validator.

pyshacl works on an rdflib graph. At 10,000 articles (2 million triples) serialising the built
triples and re-parsing them with rdflib's N-Triples parser took a third of the whole ingest, so
the graph is built straight from the terms instead, and only from the triples the shapes can
read: their paths, their `sh:targetSubjectsOf`/`sh:targetObjectsOf` predicates, `rdf:type` and
`rdfs:subClassOf` (for `sh:targetClass` and `sh:class`). Leaving out the rest (labels, match
keys, the other claim fields…) cannot change a verdict, because no shape looks at it; a test
keeps the set honest by checking that every predicate the shapes name is kept.

pyshacl evaluates a node shape's `sh:property` shapes once per focus node, rebuilding their
constraint components each time (about 155 µs per evidence quote, 283,012 quotes at 10,000
articles). A property shape with targets of its own is evaluated once over all its focus nodes.
So before validating, each property shape of a node shape that does nothing but target and
hold property shapes is given that node shape's targets and validated on its own
(`hoist_property_shapes`): SHACL reports a `sh:property` shape's results as they are, with the
node shape's focus node, so the results are the same, 3.4× faster at 2,000 articles.
"""

import contextlib
import gc
import multiprocessing
import multiprocessing.connection
import os
import signal
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Triple
from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.namespace import RDF, RDFS, SH
from rdflib.plugins.stores.memory import Memory
from rdflib.term import Node

from jalinan.graph.packed import selected
from jalinan.ingest.vocabulary import ontology_graph

_XSD_STRING = NamedNode("http://www.w3.org/2001/XMLSchema#string")
SHAPES = Path(str(files("jalinan.ingest.shapes") / "jalinan-shapes.ttl"))


@cache
def _shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


@cache
def _evaluated_shapes() -> Graph:
    """The shapes as pyshacl is given them: `_shapes()` with its property shapes hoisted."""
    return hoist_property_shapes(_shapes())


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
# What a node shape may say besides targets and `sh:property` for its property shapes to be
# hoisted: nothing that validates, deactivates or changes a severity.
_NODE_SHAPE_NOTES = {RDF.type, RDFS.comment, RDFS.label, SH.name, SH.description}


def hoist_property_shapes(shapes: Graph) -> Graph:
    """A copy of `shapes` in which the property shapes of plain node shapes carry the node
    shape's targets themselves, and the node shape (left with no constraint) none.

    A node shape qualifies when it is only a `sh:NodeShape` (not also a class, which would
    give it implicit targets), says nothing but targets, notes and `sh:property`, and is not
    referred to by another shape (`sh:node`, `sh:not`, lists…); each of its property shapes
    must have no targets of its own and belong to no other shape. Then validating a focus
    node against the node shape is exactly validating it against each property shape, whose
    results SHACL (§4.8.2) reports unchanged. Any other shape is left as it is.
    """
    hoisted = Graph()
    for prefix, namespace in shapes.namespaces():  # pyshacl's own messages name terms by them
        hoisted.bind(prefix, namespace, override=True)
    for triple in shapes:
        hoisted.add(triple)
    for node_shape in set(shapes.subjects(RDF.type, SH.NodeShape)):
        if not _hoistable(shapes, node_shape):
            continue
        targets = [(p, o) for p, o in shapes.predicate_objects(node_shape) if p in _TARGETS]
        for property_shape in shapes.objects(node_shape, SH.property):
            hoisted.remove((node_shape, SH.property, property_shape))
            hoisted.add((property_shape, RDF.type, SH.PropertyShape))
            for predicate, target in targets:
                hoisted.add((property_shape, predicate, target))
        for predicate, target in targets:
            hoisted.remove((node_shape, predicate, target))
    return hoisted


def _hoistable(shapes: Graph, node_shape: Node) -> bool:
    if set(shapes.objects(node_shape, RDF.type)) != {SH.NodeShape}:
        return False
    if any(p not in _NODE_SHAPE_NOTES | {SH.property, *_TARGETS} for p in shapes.predicates(node_shape)):
        return False
    if next(iter(shapes.subjects(None, node_shape)), None) is not None:
        return False
    for property_shape in shapes.objects(node_shape, SH.property):
        if any(p in _TARGETS for p in shapes.predicates(property_shape)):
            return False
        if set(shapes.subjects(None, property_shape)) != {node_shape}:
            return False
    return True


def predicates_read_by_shapes(shapes: Graph) -> frozenset[str]:
    """Every predicate a shape can follow or target, plus what class membership needs."""
    read = {str(RDF.type), str(RDFS.subClassOf)}
    for link in (SH.path, SH.inversePath, SH.targetSubjectsOf, SH.targetObjectsOf):
        read |= {str(term) for term in shapes.objects(None, link) if isinstance(term, URIRef)}
    return frozenset(read)


class _TermConverter:
    """pyoxigraph terms to rdflib terms, reusing one rdflib object per IRI (most recur).

    IRIs are looked up by the pyoxigraph term itself, which hashes without building the
    Python string that `.value` would (a million look-ups at 10,000 articles)."""

    def __init__(self) -> None:
        self._iris: dict[NamedNode, URIRef] = {}
        self._datatypes: dict[NamedNode, URIRef] = {}

    def __call__(self, term: NamedNode | BlankNode | Literal) -> URIRef | BNode | RdfLiteral:
        iri = self._iris.get(term)  # type: ignore[call-overload]
        if iri is not None:
            return iri
        if isinstance(term, NamedNode):
            iri = self._iris[term] = URIRef(term.value)
            return iri
        if isinstance(term, Literal):
            if term.language:
                return RdfLiteral(term.value, lang=term.language)
            if term.datatype == _XSD_STRING:
                # A simple literal: RDF 1.1's xsd:string, as pyshacl's sh:datatype check and
                # rdflib's N-Triples parser take it, and 5× quicker to make than a typed one.
                return RdfLiteral(term.value)
            datatype = self._datatypes.get(term.datatype)
            if datatype is None:
                datatype = self._datatypes[term.datatype] = URIRef(term.datatype.value)
            return RdfLiteral(term.value, datatype=datatype)
        return BNode(term.value)


def data_graph(
    graphs: Mapping[str, Iterable[Triple]],
    ontology_ttl: Path,
    read: frozenset[str],
    extra: Iterable[Triple] = (),
) -> Graph:
    """The union of `graphs`, `extra` and the ontology, limited to the predicates in `read`."""
    store = _FilledMemory()
    data = Graph(store=store)
    ontology = ontology_graph(ontology_ttl)
    for prefix, namespace in ontology.namespaces():  # pyshacl's own messages name terms by them
        data.bind(prefix, namespace, override=True)
    data.addN((s, p, o, data) for s, p, o in ontology if str(p) in read)
    convert = _TermConverter()
    wanted = frozenset(NamedNode(p) for p in read)
    # straight to the store (`_FilledMemory.fill`), for terms `convert` made of the right
    # kinds; a packed graph's other lines are never parsed (`selected`)
    store.fill(
        (
            (convert(s), convert(p), convert(o))
            for triples in (*graphs.values(), extra)
            for s, p, o in selected(triples, wanted)
            if p in wanted
        ),
        data,
    )
    return data


class _FilledMemory(Memory):
    """rdflib's in-memory store, filled in bulk with the triples of one graph.

    `Memory.add` does, per triple, what only the first triple of a graph needs: it dispatches
    an event (made even with no listener), names the context, and works out the triple's
    contexts to find them equal to every other's; for the checkers' data graphs (a million
    triples at 10,000 articles) that was two thirds of building them, more than converting
    the terms. `fill` adds the first triple through `add`, then puts the others in the same
    indexes `add` keeps, as it would leave them: a triple of the store's one context and of
    no other needs no entry of its own beside the store's default contexts. It relies on
    `Memory`'s private indexes, so it checks they are what it expects first and else adds
    each triple through `add` (a test compares the result with `Graph.add`'s)."""

    def fill(self, triples: Iterable[tuple[Node, Node, Node]], context: Graph) -> None:
        triples = iter(triples)
        first = next(triples, None)
        if first is None:
            return
        self.add(first, context)  # (sets the store's default contexts, when it is the first)
        indexes = self._indexes(context)
        if indexes is None:  # not the store `fill` knows: one at a time
            for triple in triples:
                self.add(triple, context)
            return
        spo, pos, osp, everywhere, in_context = indexes
        for triple in triples:
            s, p, o = triple
            objects = spo.setdefault(s, {}).setdefault(p, {})
            if o in objects:
                continue  # (already held: `add` would change nothing)
            objects[o] = 1
            pos.setdefault(p, {}).setdefault(o, {})[s] = 1
            osp.setdefault(o, {}).setdefault(s, {})[p] = 1
            everywhere.add(triple)
            in_context.add(triple)

    def _indexes(self, context: Graph) -> tuple[dict, dict, dict, set, set] | None:
        """`Memory`'s indexes (spo, pos, osp, and the triples of every context and of
        `context`) when they are as `fill` expects (each triple in `context` alone, none with
        contexts of its own), else None."""
        state = vars(self)
        spo, pos, osp = (state.get(f"_Memory__{name}") for name in ("spo", "pos", "osp"))
        by_context = state.get("_Memory__contextTriples")
        name = f"{context.identifier.__class__.__name__}:{context.identifier}"
        if (
            not all(isinstance(index, dict) for index in (spo, pos, osp, by_context))
            or state.get("_Memory__defaultContexts") != {name: False, None: False}
            or state.get("_Memory__tripleContexts") != {}
            or set(by_context) != {None, name}  # type: ignore[arg-type]
        ):
            return None
        return spo, pos, osp, by_context[None], by_context[name]  # type: ignore[index]


def shape_violations(
    graphs: Mapping[str, Sequence[Triple]], ontology_ttl: Path, *, workers: int | None = None
) -> list[str]:
    """Validate the union of `graphs` plus the ontology; return one readable line per violation.

    Large inputs are split into `workers` partitions (default: one per available core)
    validated in parallel processes (see `ShapeCheck`); the lines are the same either way.
    """
    return start_shape_check(graphs, ontology_ttl, workers=workers).result()


def _validate(data: Graph) -> list[tuple[Node, str]]:
    import pyshacl  # imported here: it is slow to import and only ingest needs it

    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=_evaluated_shapes(), advanced=False, allow_warnings=True, inplace=True
    )
    return [] if conforms else _results(report)


# -- partitions ---------------------------------------------------------------------------
# Below this many triples one process is quicker than forking and splitting (a re-ingested
# article is a few hundred; the whole curated corpus a few tens of thousands).
PARALLEL_THRESHOLD = 200_000
# At most about this many triples in one partition: a worker checks its partitions one after
# the other, so its memory (pyshacl's rdflib graph of the partition) is bounded by one of them,
# not by its share of the corpus (half of 25 million triples at 100,000 articles on two cores).
PARTITION_TRIPLES = 500_000

# What the shapes may use for partitions to be provably exact: targets and paths of one step,
# constraints that read only the value nodes themselves or (sh:class) their types.
_EXACT_TERMS = {
    RDF.type, RDFS.comment, RDFS.label, SH.name, SH.description, SH.message, SH.severity,
    SH.property, SH.path, SH.inversePath, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf,
    SH.minCount, SH.maxCount, SH["class"], SH.datatype, SH.nodeKind, SH.minLength, SH.maxLength,
}  # fmt: skip


@dataclass(frozen=True)
class PartitionReads:
    """What evaluating one focus node can read, in the terms partitioning needs.

    `predicates`: every triple the shapes read has one of these; `inverse`: those whose
    object is a focus node or is reached from one backwards (`sh:inversePath`,
    `sh:targetObjectsOf`), so a focus node's triples are the read triples with it as subject
    plus the `inverse` triples with it as object; the types of the nodes they lead to (for
    `sh:class`) and the class hierarchy complete what its evaluation can see.
    """

    predicates: frozenset[NamedNode]
    inverse: frozenset[NamedNode]


def partition_reads(shapes: Graph) -> PartitionReads | None:
    """`PartitionReads` for `shapes`, or None when they use anything partitions cannot be
    proven exact for (`sh:node`, logical constraints, SPARQL, `sh:targetNode`, paths of more
    than one step…); then the check runs on the whole graph in one process."""
    for _, predicate, value in shapes:
        if predicate not in _EXACT_TERMS:
            return None
        if predicate == RDF.type and value not in (SH.NodeShape, SH.PropertyShape):
            return None
        if predicate == SH.path and not isinstance(value, URIRef):
            inverse = list(shapes.predicate_objects(value))
            if len(inverse) != 1 or inverse[0][0] != SH.inversePath or not isinstance(inverse[0][1], URIRef):
                return None
    for path in shapes.subjects(SH.inversePath):
        # The types of the nodes an inverse path leads to would be needed where its focus node
        # is judged, which the import rule of `partitions` does not bring.
        if any(shapes.value(shape, SH["class"]) is not None for shape in shapes.subjects(SH.path, path)):
            return None
    read = predicates_read_by_shapes(shapes)
    inverse = {str(o) for o in shapes.objects(None, SH.inversePath)}
    inverse |= {str(o) for o in shapes.objects(None, SH.targetObjectsOf)}
    return PartitionReads(frozenset(NamedNode(p) for p in read), frozenset(NamedNode(p) for p in inverse))


def split_graphs(graphs: Mapping[str, Sequence[Triple]], parts: int) -> list[list[str]]:
    """Graph names in `parts` groups of about equal size (largest first, to the lightest)."""
    groups: list[list[str]] = [[] for _ in range(parts)]
    sizes = [0] * parts
    for name in sorted(graphs, key=lambda n: (-len(graphs[n]), n)):
        lightest = sizes.index(min(sizes))
        groups[lightest].append(name)
        sizes[lightest] += len(graphs[name])
    return [group for group in groups if group]


@dataclass
class Partition:
    """One part of the check: some graphs, plus the triples from the other parts that the
    evaluation of its own nodes can read (`imported`). Its own nodes (`home`) are the
    subjects of its read triples and the objects of its `inverse` ones: every focus node of
    the whole graph is some partition's own node, and is judged there exactly as on the
    whole graph, because every triple its evaluation can read is in that partition."""

    graphs: list[str]
    home: set[object]
    imported: list[Triple] = field(default_factory=list)


def partitions(
    graphs: Mapping[str, Sequence[Triple]], groups: list[list[str]], reads: PartitionReads, ontology: Graph
) -> list[Partition]:
    """Partitions of `graphs` along `groups`, each with what it must import from the others.

    A triple of group j is imported into partition i when its evaluation there can need it:
    its subject is one of i's own nodes; it is an `inverse` triple whose object is; it types
    a node that a triple of i leads to (`sh:class` reads the value's types); or it is an
    `rdfs:subClassOf` triple (every partition has the whole class hierarchy). The ontology is
    in every partition; its nodes count as partition 0's own.
    """
    type_, sub_class = NamedNode(str(RDF.type)), NamedNode(str(RDFS.subClassOf))
    home: dict[object, int] = {}
    led_to: dict[object, int] = {}
    read, inverse = reads.predicates, reads.inverse
    for index, names in enumerate(groups):
        bit = 1 << index
        for name in names:
            # (only the read lines of a packed graph are parsed; one unpacking: each access copies)
            for subject, predicate, value in selected(graphs[name], read):
                if predicate not in read:
                    continue
                home[subject] = home.get(subject, 0) | bit
                if predicate in inverse:
                    home[value] = home.get(value, 0) | bit
                elif not isinstance(value, Literal):
                    led_to[value] = led_to.get(value, 0) | bit
    for node in ontology.subjects():
        key = _key(node)
        home[key] = home.get(key, 0) | 1
    parts = [Partition(names, set()) for names in groups]
    everyone = (1 << len(groups)) - 1
    for index, names in enumerate(groups):
        own = 1 << index
        for name in names:
            for t in selected(graphs[name], read):
                subject, predicate, value = t
                if predicate not in read:
                    continue
                wanted = home[subject]
                if predicate in inverse:
                    wanted |= home[value]
                if predicate == type_:
                    wanted |= led_to.get(subject, 0)
                elif predicate == sub_class:
                    wanted = everyone
                wanted &= ~own
                while wanted:
                    other = (wanted & -wanted).bit_length() - 1
                    parts[other].imported.append(t)
                    wanted &= wanted - 1
    for node, bits in home.items():
        while bits:
            parts[(bits & -bits).bit_length() - 1].home.add(node)
            bits &= bits - 1
    return parts


def _key(node: Node) -> object:
    """The pyoxigraph term for an rdflib IRI or blank node (the keys of `Partition.home`)."""
    return NamedNode(str(node)) if isinstance(node, URIRef) else BlankNode(str(node))


def partition_violations(
    graphs: Mapping[str, Sequence[Triple]], ontology_ttl: Path, part: Partition
) -> list[str]:
    """The violations whose focus node is one of `part`'s own nodes, judged on the partition.

    Other nodes can be targets in a partition (a value node whose type was imported for
    `sh:class`) without their own triples, so their results are dropped: they are judged in
    their own partition. A literal focus node (only `sh:targetObjectsOf` yields one) has no
    triples of its own but the `inverse` ones that made it a focus node, and is its
    partition's own node, so its results are kept.
    """
    read = predicates_read_by_shapes(_shapes())
    data = data_graph({name: graphs[name] for name in part.graphs}, ontology_ttl, read, part.imported)
    return [
        line for focus, line in _validate(data) if isinstance(focus, RdfLiteral) or _key(focus) in part.home
    ]


class ShapeCheck:
    """A shape check under way, in forked processes, or already done in this one.

    Started before the caller's own slow work (deriving and staging the write) so the two
    overlap; `result()` waits for the check and returns the violations. The processes are
    forked, so they read the corpus from the parent's memory without copying it through a
    pipe, and send back only their lines.
    """

    def __init__(self, lines: list[str] | None = None, workers: list[tuple[Any, Any]] | None = None):
        self._lines = lines
        self._workers = workers or []

    def result(self) -> list[str]:
        """The sorted violation lines (empty when everything conforms)."""
        if self._lines is None:
            found: set[str] = set()
            failures = []
            for process, connection in self._workers:
                try:
                    ok, payload = connection.recv()
                except EOFError:
                    ok, payload = False, f"shape-check process {process.pid} died"
                process.join()
                connection.close()
                if ok:
                    found.update(payload)
                else:
                    failures.append(payload)
            self._workers = []
            if failures:
                raise RuntimeError("the shape check failed: " + "; ".join(failures))
            self._lines = sorted(found)
        return self._lines

    def cancel(self) -> None:
        """Stop the check (the caller failed anyway) and reap it."""
        for process, connection in self._workers:
            process.terminate()
            process.join()
            connection.close()
        self._workers = []


def _available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def start_shape_check(
    graphs: Mapping[str, Sequence[Triple]],
    ontology_ttl: Path,
    *,
    workers: int | None = None,
    groups: list[list[str]] | None = None,
) -> ShapeCheck:
    """Start checking the union of `graphs` plus the ontology.

    Small inputs, shapes that partitions cannot be proven exact for, one core, or a platform
    without `fork` are checked here at once, on the whole graph. Otherwise the graphs are
    split (`groups`, for tests, or `split_graphs` into partitions of at most about
    `PARTITION_TRIPLES`, and at least one per core) and checked by a forked coordinator
    (`_coordinate`): it works out the partitions, which reads the whole corpus twice (some
    10 s of CPU at 10,000 articles, that the caller spent before), then checks them in
    forked processes, `workers` at a time, while this process goes on at once.
    """
    workers = workers or _available_cores()
    reads = partition_reads(_shapes())
    size = sum(len(triples) for triples in graphs.values())
    forkable = "fork" in multiprocessing.get_all_start_methods()
    if groups is None:
        if workers < 2 or size < PARALLEL_THRESHOLD or reads is None or not forkable:
            data = data_graph(graphs, ontology_ttl, predicates_read_by_shapes(_shapes()))
            return ShapeCheck(lines=sorted({line for _, line in _validate(data)}))
        groups = split_graphs(graphs, max(workers, -(-size // PARTITION_TRIPLES)))
    if reads is None:
        raise ValueError("these shapes cannot be checked in partitions")
    import pyshacl  # noqa: F401  # once here rather than in every process

    ontology_graph(ontology_ttl)  # (parsed once, here, for every process)
    _evaluated_shapes()
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_coordinate, args=(graphs, ontology_ttl, groups, reads, max(workers, 1), sender), daemon=True
    )
    process.start()
    sender.close()
    return ShapeCheck(workers=[(process, receiver)])


def _coordinate(
    graphs: Mapping[str, Sequence[Triple]],
    ontology_ttl: Path,
    groups: list[list[str]],
    reads: PartitionReads,
    workers: int,
    sender: Any,
) -> None:
    """The coordinator's whole life: work out the partitions, check each in a process of its
    own forked from here (at most `workers` at a time), send (ok, lines or error) to the parent.

    One process per partition, rather than a few each checking several in turn, because a
    process that ends frees its partition's rdflib graph all at once: freeing it in place took
    a full garbage collection per partition, some 13% of the check. For the same reason
    nothing here is garbage-collected: everything lives only until the process ends (and the
    objects inherited from the parent are never walked, so their pages are not copied).
    Stopped (`ShapeCheck.cancel`), it stops its checkers first.
    """
    gc.disable()
    running: dict[int, Any] = {}  # checker pid → the end of its pipe we read

    def stop(signum: int, frame: object) -> None:
        for pid in running:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        os._exit(1)

    signal.signal(signal.SIGTERM, stop)
    try:
        parts = partitions(graphs, groups, reads, ontology_graph(ontology_ttl))
        lines: list[str] = []
        failures: list[str] = []
        waiting = list(reversed(parts))
        while waiting or running:
            while waiting and len(running) < workers:
                part = waiting.pop()
                receiver, child = multiprocessing.Pipe(duplex=False)
                pid = os.fork()
                if pid == 0:  # the checker
                    receiver.close()
                    _check_partition(graphs, ontology_ttl, part, child)
                child.close()
                running[pid] = receiver
            ready = multiprocessing.connection.wait(list(running.values()))
            for pid, receiver in list(running.items()):
                if receiver not in ready:
                    continue
                try:
                    ok, payload = receiver.recv()
                except EOFError:
                    ok, payload = False, f"shape-check worker {pid} died"
                receiver.close()
                os.waitpid(pid, 0)
                del running[pid]
                if ok:
                    lines += payload
                else:
                    failures.append(payload)
        sender.send((True, lines) if not failures else (False, "; ".join(failures)))
    except BaseException as exc:  # reported to the parent, which raises it
        sender.send((False, f"{type(exc).__name__}: {exc}"))
    finally:
        sender.close()


def _check_partition(
    graphs: Mapping[str, Sequence[Triple]], ontology_ttl: Path, part: Partition, sender: Any
) -> None:
    """A checker's whole life (forked by `_coordinate`): one partition's lines, or its error,
    sent back; then the process ends at once, without freeing anything."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # (the coordinator's handler is not ours)
    try:
        sender.send((True, partition_violations(graphs, ontology_ttl, part)))
    except BaseException as exc:
        sender.send((False, f"{type(exc).__name__}: {exc}"))
    finally:
        sender.close()
        os._exit(0)


def violation_lines(report: Graph) -> list[str]:
    """One readable line per result of a SHACL validation report: focus node, path, message."""
    return sorted({line for _, line in _results(report)})


def _results(report: Graph) -> list[tuple[Node, str]]:
    """Each result's focus node with its readable line."""
    out = []
    for result in report.subjects(predicate=SH.focusNode):
        focus = report.value(result, SH.focusNode)
        message = report.value(result, SH.resultMessage)
        path = report.value(result, SH.resultPath)
        where = f" ({path})" if path is not None and not isinstance(path, type(result)) else ""
        out.append((focus, f"{focus}{where}: {message}"))
    return out


class PreparedCheck:
    """A shape checker made ready in a forked process while the caller does other work.

    Re-ingesting one article is short, and a third of it was importing pyshacl (its import of
    rdflib's SPARQL engine alone builds a grammar) and parsing the ontology. Forked at the
    start, the helper does both while this process reads the file, asks the store and
    translates; `check` then sends it the few graphs to check and waits for the lines. Where
    there is one core or no `fork`, nothing is forked and `check` runs here.
    """

    def __init__(self, ontology_ttl: Path):
        self._ontology_ttl = ontology_ttl
        self._process: Any = None
        self._connection: Any = None
        self._used = False
        if _available_cores() < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return
        context = multiprocessing.get_context("fork")
        self._connection, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(ontology_ttl, child), daemon=True)
        self._process.start()
        child.close()

    def check(self, graphs: Mapping[str, Sequence[Triple]]) -> list[str]:
        """The violation lines of `graphs` plus the ontology, as `shape_violations` gives them."""
        if self._process is None:
            return shape_violations(graphs, self._ontology_ttl, workers=1)
        self._used = True
        try:
            self._connection.send({name: list(triples) for name, triples in graphs.items()})
            ok, payload = self._connection.recv()
        except (EOFError, OSError) as exc:
            ok, payload = False, f"the shape-check helper died ({exc})"
        finally:
            self.close()
        if not ok:
            raise RuntimeError("the shape check failed: " + payload)
        return payload

    def close(self) -> None:
        """End the helper: after its one check it ends by itself; unused (the caller failed
        first), it is stopped rather than left to finish its imports."""
        if self._process is not None:
            self._connection.close()
            if self._used:
                self._process.join(timeout=5)
            if self._process.is_alive():
                self._process.terminate()
            self._process.join()
            self._process = None


def _serve(ontology_ttl: Path, connection: Any) -> None:
    """The helper's life: get ready, check the one set of graphs it is sent, reply, end."""
    gc.freeze()
    try:
        import pyshacl  # noqa: F401  # the slow part, done while the parent works

        _evaluated_shapes()
        ontology_graph(ontology_ttl)
        graphs = connection.recv()
    except EOFError:  # the parent failed before checking: nothing to do
        return
    try:
        connection.send((True, shape_violations(graphs, ontology_ttl, workers=1)))
    except BaseException as exc:  # reported to the parent, which raises it
        connection.send((False, f"{type(exc).__name__}: {exc}"))
    finally:
        connection.close()
