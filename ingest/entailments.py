"""The entailments users expect, materialised at ingest into one named graph of their own.

A SPARQL user who knows W3C ORG, schema.org, FOAF, PROV or SKOS asks `?x a schema:Organization`
or `?o jl:isPartyTo ?a`; the ontology says how Jalinan's terms relate to those, but Oxigraph
does no reasoning. Ingest therefore writes what these OWL 2 RL rules entail, and nothing else:

- class hierarchy: `cax-sco`, `cax-eqc1`, `cax-eqc2` (named classes only, not `owl:Thing`);
- property hierarchy: `prp-spo1`, `prp-eqp1`, `prp-eqp2`, for object and datatype properties
  (annotation properties have no meaning under OWL 2 Direct Semantics, and materialising
  `jl:matchKey ⊑ skos:hiddenLabel ⊑ rdfs:label` would give every node its lower-cased keys
  as labels);
- declared inverses and symmetric properties: `prp-inv1`, `prp-inv2`, `prp-symp`;
- transitive properties: `prp-trp` (`jl:locatedIn`, `org:transitiveSubOrganizationOf`, which
  `jl:subOrganizationOf` specialises through `org:subOrganizationOf`, `skos:broaderTransitive`).

The schema part of each rule (the hierarchy, the inverses) is read once from the ontology, so
the first three kinds each derive from a single stored triple ("single-premise"), and only the
transitive closure joins several. That makes the graph cheap to keep exact when one article is
re-ingested: a triple's status can change only if the article asserted it, derived it, or
changed a transitive chain it lies on (see `InferenceDelta`). The graph holds only what no
other graph asserts, so the union default graph never returns a triple twice.

Chosen by measurement over `reasonable` and `owlrl` (figures in `bench/RESULTS.md`); a test
compares the result with owlrl on the curated facts, rule by rule.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from hashlib import sha256

from pyoxigraph import Literal, NamedNode, Triple

from jalinan.graph.namespaces import GENID, OWL, RDF, RDFS
from jalinan.graph.packed import selected

TYPE = NamedNode(RDF + "type")
_SUBCLASS = RDFS + "subClassOf"
_SUBPROPERTY = RDFS + "subPropertyOf"
_EQUIVALENT_CLASS = OWL + "equivalentClass"
_EQUIVALENT_PROPERTY = OWL + "equivalentProperty"
_INVERSE = OWL + "inverseOf"
_TRANSITIVE = OWL + "TransitiveProperty"
_SYMMETRIC = OWL + "SymmetricProperty"
_REASONED_KINDS = {OWL + "ObjectProperty", OWL + "DatatypeProperty", _TRANSITIVE, _SYMMETRIC}
_NOT_A_SUPERCLASS = {OWL + "Thing", RDFS + "Resource"}

# What a predicate takes part in, for `Rules.materialise`'s single pass.
_ENTAILS, _DERIVABLE, _LINK = 1, 2, 4

# A property reached from another, forwards (False) or turned round (True: object and subject swap).
Direction = tuple[NamedNode, bool]


def _named(term: object) -> bool:
    return isinstance(term, NamedNode) and not term.value.startswith(GENID)


def _reach(start: object, edges: Mapping[object, set[object]]) -> set[object]:
    seen: set[object] = set()
    todo = [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


@dataclass(frozen=True)
class Rules:
    """The ontology's schema compiled into lookups: what each class and property entails."""

    superclasses: dict[NamedNode, tuple[NamedNode, ...]]
    subclasses: dict[NamedNode, tuple[NamedNode, ...]]
    # p -> every (q, turned) such that `s p o` entails `s q o` (or `o q s` when turned)
    expansions: dict[NamedNode, tuple[Direction, ...]]
    # q -> every (p, turned) such that `s p o` (or `o p s` when turned) entails `s q o`
    premises_of: dict[NamedNode, tuple[Direction, ...]]
    # t -> the predicates whose triples are edges of t, forwards or turned
    transitive: dict[NamedNode, tuple[Direction, ...]]

    @property
    def edge_predicates(self) -> set[NamedNode]:
        """Every predicate whose triples may lie on a transitive chain."""
        return {p for edges in self.transitive.values() for p, _ in edges}

    def derive_one(self, t: Triple) -> Iterable[Triple]:
        """What `t` entails on its own (not `t` itself)."""
        p = t.predicate
        if p == TYPE:
            for c in self.superclasses.get(t.object, ()):  # type: ignore[arg-type]
                yield Triple(t.subject, TYPE, c)
            return
        for q, turned in self.expansions.get(p, ()):
            if not turned:
                yield Triple(t.subject, q, t.object)
            elif not isinstance(t.object, Literal):
                yield Triple(t.object, q, t.subject)  # type: ignore[arg-type]

    def premises(self, t: Triple) -> list[Triple]:
        """Each triple that would entail `t` on its own."""
        if t.predicate == TYPE:
            return [Triple(t.subject, TYPE, c) for c in self.subclasses.get(t.object, ())]  # type: ignore[arg-type]
        out = []
        for p, turned in self.premises_of.get(t.predicate, ()):
            if not turned:
                out.append(Triple(t.subject, p, t.object))
            elif not isinstance(t.object, Literal):
                out.append(Triple(t.object, p, t.subject))  # type: ignore[arg-type]
        return out

    def single_premise(self, triples: Iterable[Triple]) -> set[Triple]:
        """Everything the given triples entail one by one."""
        out: set[Triple] = set()
        supers, expansions = self.superclasses, self.expansions
        for t in triples:
            if (t.predicate == TYPE and t.object in supers) or t.predicate in expansions:
                out.update(self.derive_one(t))
        return out

    def transitive_closure(self, edges: Iterable[Triple]) -> set[Triple]:
        """Every triple the transitive properties entail over `edges` (triples whose predicate is
        in `edge_predicates`), with what those entail in turn (super-properties, inverses)."""
        edges = list(edges)
        out: set[Triple] = set()
        for t, directions in self.transitive.items():
            wanted = dict(directions)
            links: dict[object, set[object]] = defaultdict(set)
            for e in edges:
                turned = wanted.get(e.predicate)
                if turned is None or isinstance(e.object, Literal):
                    continue
                a, b = (e.object, e.subject) if turned else (e.subject, e.object)
                links[a].add(b)
            for start in list(links):
                for end in _reach(start, links):
                    closed = Triple(start, t, end)  # type: ignore[arg-type]
                    out.add(closed)
                    out.update(self.derive_one(closed))
        return out

    def materialise(self, graphs: Iterable[list[Triple]]) -> list[Triple]:
        """The inferred graph for a store holding exactly these graphs: all they entail, less
        what any of them asserts, in a stable order.

        One pass reads each triple's predicate once (at 2 million triples, every attribute
        read and hash counts): what it entails, whether it is a chain link, and whether it is
        an asserted triple of a kind a rule could derive (only those are subtracted after).
        """
        supers, subclasses = self.superclasses, self.subclasses
        # one dict look-up per triple says all its predicate takes part in (bits below)
        roles: dict[NamedNode, int] = defaultdict(int)
        for p in self.expansions:
            roles[p] |= _ENTAILS
        for p in (*self.premises_of, *self.transitive):
            roles[p] |= _DERIVABLE
        for p in self.edge_predicates:
            roles[p] |= _LINK
        roles = dict(roles)
        read = frozenset({TYPE, *roles})  # (of a packed graph, only these lines are parsed)
        derived: set[Triple] = set()
        edges: list[Triple] = []
        asserted: list[Triple] = []
        for triples in graphs:
            for t in selected(triples, read):
                p = t.predicate
                if p == TYPE:
                    o = t.object
                    ups = supers.get(o)  # type: ignore[arg-type]
                    if ups is not None:
                        s = t.subject
                        derived.update([Triple(s, TYPE, c) for c in ups])
                    if o in subclasses:
                        asserted.append(t)
                    continue
                role = roles.get(p)
                if role is None:
                    continue
                if role & _ENTAILS:
                    derived.update(self.derive_one(t))
                if role & _DERIVABLE:
                    asserted.append(t)
                if role & _LINK:
                    edges.append(t)
        derived |= self.transitive_closure(edges)
        derived.difference_update(asserted)
        return list(derived)  # (a set's order: the store does not keep one)


def rules_from_ontology(ontology: Iterable[Triple]) -> Rules:
    """Compile the schema axioms the supported rules read (see the module docstring)."""
    class_up: dict[object, set[object]] = defaultdict(set)
    property_links: dict[object, set[object]] = defaultdict(set)  # on (property, turned) pairs
    kinds: dict[NamedNode, set[str]] = defaultdict(set)
    hierarchy: list[tuple[str, NamedNode, NamedNode]] = []
    for t in ontology:
        p, s, o = t.predicate.value, t.subject, t.object
        if p == RDF + "type" and isinstance(s, NamedNode) and isinstance(o, NamedNode):
            kinds[s].add(o.value)
        if not (_named(s) and _named(o)):
            continue
        if p == _SUBCLASS and o.value not in _NOT_A_SUPERCLASS:
            class_up[s].add(o)
        elif p == _EQUIVALENT_CLASS:
            class_up[s].add(o)
            class_up[o].add(s)
        elif p in (_SUBPROPERTY, _EQUIVALENT_PROPERTY, _INVERSE):
            hierarchy.append((p, s, o))  # type: ignore[arg-type]
    reasoned = {prop for prop, k in kinds.items() if k & _REASONED_KINDS}
    for p, s, o in hierarchy:
        if s not in reasoned:
            continue  # an annotation property's hierarchy (see the module docstring)
        for turned in (False, True):
            if p == _SUBPROPERTY:
                property_links[(s, turned)].add((o, turned))
            elif p == _EQUIVALENT_PROPERTY:
                property_links[(s, turned)].add((o, turned))
                property_links[(o, turned)].add((s, turned))
            else:
                property_links[(s, turned)].add((o, not turned))
                property_links[(o, turned)].add((s, not turned))
    for prop in reasoned:
        if _SYMMETRIC in kinds[prop]:
            property_links[(prop, False)].add((prop, True))
            property_links[(prop, True)].add((prop, False))

    superclasses = {}
    for c in list(class_up):
        ups = sorted((u for u in _reach(c, class_up) if u != c), key=str)
        if ups:
            superclasses[c] = tuple(ups)
    subclasses: dict[NamedNode, list[NamedNode]] = defaultdict(list)
    for c, ups in superclasses.items():
        for u in ups:
            subclasses[u].append(c)
    properties = {prop for prop, _ in property_links} | reasoned
    expansions: dict[NamedNode, tuple[Direction, ...]] = {}
    for prop in properties:
        reached = _reach((prop, False), property_links) - {(prop, False)}
        if reached:
            expansions[prop] = tuple(sorted(reached, key=str))  # type: ignore[arg-type]
    premises_of: dict[NamedNode, list[Direction]] = defaultdict(list)
    for prop, reached in expansions.items():
        for q, turned in reached:
            premises_of[q].append((prop, turned))
    transitive = {}
    for prop in sorted(reasoned, key=str):
        if _TRANSITIVE in kinds[prop]:
            edges = [(prop, False), *premises_of.get(prop, [])]
            transitive[prop] = tuple(sorted(set(edges), key=str))
    return Rules(
        superclasses=superclasses,
        subclasses={c: tuple(sorted(subs, key=str)) for c, subs in subclasses.items()},
        expansions=expansions,
        premises_of={q: tuple(sorted(ps, key=str)) for q, ps in premises_of.items()},
        transitive=transitive,
    )


# ---- The inferred graph's digest --------------------------------------------------------------
# The inferred graph is a function of all the other graphs, so its digest is one of theirs: a sum
# (mod 2^256) of a hash of each source graph's name and digest. A full ingest computes it from
# the digests it has anyway (hashing the inferred graph's own half-million triples at 10,000
# articles would cost seconds); a re-ingest moves it by the graphs it changed, without reading
# the others; equal digests mean the inferred graph was derived from the same graphs.
_MODULUS = 1 << 256
_PREFIX = "sources:"


def _pair_hash(name: str, digest: str) -> int:
    return int.from_bytes(sha256(f"{name} {digest}".encode()).digest(), "big")


def sources_digest(digests: Mapping[str, str]) -> str:
    """The inferred graph's digest, from the digests of the graphs it is derived from."""
    return f"{_PREFIX}{sum(_pair_hash(n, d) for n, d in digests.items()) % _MODULUS:064x}"


def moved_sources_digest(digest: str, old: Mapping[str, str], new: Mapping[str, str]) -> str:
    """`digest` once the graphs in `old` (name: digest) hold the digests in `new` instead (a
    graph absent from `old` is new; one absent from `new` is gone)."""
    total = int(digest.removeprefix(_PREFIX), 16)
    total += sum(_pair_hash(n, d) for n, d in new.items()) - sum(_pair_hash(n, d) for n, d in old.items())
    return f"{_PREFIX}{total % _MODULUS:064x}"
