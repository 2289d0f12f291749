"""Validate the records against the ontology and the articles, and translate them into triples.

Validation and translation are one pass because they need the same look-ups; every problem is
collected with its file, line and field, and `FactsInvalid` is raised before anything is
returned, so a caller never writes half a corpus.
"""

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from pyoxigraph import Literal, NamedNode, Triple

from jalinan.graph.keys import match_key, search_tokens, short_name_tokens
from jalinan.graph.namespaces import (
    BACKGROUND_GRAPH,
    CONCEPT,
    DATE,
    DATES_GRAPH,
    DCTERMS,
    EVIDENCE,
    JL,
    PROV,
    RDF,
    RDFS,
    SKOS,
    TIME,
    XSD,
    article_iri,
    entity_iri,
)
from jalinan.graph.packed import PackedGraph
from jalinan.ingest.articles import ArticleTexts, normalise_space
from jalinan.ingest.dates import PartialDate, parse_date_bound, parse_partial_date
from jalinan.ingest.errors import FactError, FactsInvalid
from jalinan.ingest.records import ARTICLE_SELF, Claim, FactsFile, Location, NodeDef
from jalinan.ingest.vocabulary import Vocabulary

MAX_QUOTE_LENGTH = 400
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_SENTENCE_BREAK = re.compile(r"[.!?][\"”’]?\s+[A-Z“\"]")
_DATE_BASES = {"stated", "inferred"}

A = NamedNode(RDF + "type")
LABEL = NamedNode(RDFS + "label")
ALT_LABEL = NamedNode(SKOS + "altLabel")
DESCRIPTION = NamedNode(DCTERMS + "description")
QUOTED_FROM = NamedNode(PROV + "wasQuotedFrom")
SOURCE = NamedNode(DCTERMS + "source")
UNIT_TYPE = NamedNode(TIME + "unitType")


@cache
def jl(name: str) -> NamedNode:
    """The ontology term `name` (one object per name: seven per evidence quote otherwise)."""
    return NamedNode(JL + name)


@cache
def _article_node(article_id: str) -> NamedNode:
    return NamedNode(article_iri(article_id))


class Translator:
    """Turns the records of all files into triples per named graph."""

    def __init__(
        self,
        vocabulary: Vocabulary,
        texts: ArticleTexts,
        known: dict[str, tuple[str, str]] | None = None,
        *,
        pack: bool = False,
        on_packed: Callable[[str, PackedGraph], None] | None = None,
    ):
        """`known` maps ids defined outside the files being translated (already in the store)
        to their (class IRI, graph), so that one article can be re-ingested on its own.
        `pack`: hand back each graph as a `PackedGraph`, each article's as soon as its file is
        translated (a whole corpus held as triples does not fit in memory; see `translate`);
        `on_packed` is given each graph as soon as it is packed (a first load begins with it)."""
        self.vocabulary = vocabulary
        self.texts = texts
        self.known = known or {}
        self.errors: list[FactError] = []
        self.graphs: dict[str, list[Triple]] = defaultdict(list)
        self._seen: dict[str, set[Triple]] = defaultdict(set)
        self.nodes: dict[str, NodeDef] = {}
        self.articles: dict[str, FactsFile] = {}
        self._checked_quotes: dict[tuple[str, str], str | None] = {}
        self._pack = pack
        self._packed: dict[str, PackedGraph] = {}
        self._on_packed = on_packed

    # -- helpers -------------------------------------------------------------------------
    def error(self, where: Location, field_name: str, message: str) -> None:
        self.errors.append(FactError(where.path, where.line, field_name, message))

    def add(self, graph: str, triple: Triple) -> None:
        if graph in self._packed:  # (not met: only a file's own graph is packed, once it is done)
            self.graphs[graph] = list(self._packed.pop(graph))
            self._seen[graph] = set(self.graphs[graph])
        if triple not in self._seen[graph]:
            self._seen[graph].add(triple)
            self.graphs[graph].append(triple)

    def types_of(self, entity_id: str) -> set[str]:
        node = self.nodes.get(entity_id)
        if node is None:
            return {self.known[entity_id][0]} if entity_id in self.known else set()
        if JL + node.type not in self.vocabulary.classes:
            return set()  # its own error is reported once, on its `type`
        return {JL + node.type}

    def is_defined(self, entity_id: str) -> bool:
        return entity_id in self.nodes or entity_id in self.known

    def check_quote(self, quote: str, article_id: str, where: Location) -> bool:
        """A quote must be short, one sentence at most, and verbatim in its article."""
        key = (article_id, quote)
        if key not in self._checked_quotes:
            self._checked_quotes[key] = self._quote_problem(quote, article_id)
        problem = self._checked_quotes[key]
        if problem:
            self.error(where, "quote", problem)
        return problem is None

    def _quote_problem(self, quote: str, article_id: str) -> str | None:
        facts_file = self.articles.get(article_id)
        if facts_file is None or facts_file.article is None:
            return f"unknown article {article_id!r}: no article file declares this id"
        if len(quote) > MAX_QUOTE_LENGTH:
            return f"too long ({len(quote)} characters; keep quotes to one sentence or less)"
        if _SENTENCE_BREAK.search(quote.strip()):
            return "more than one sentence: quote the one sentence (or less) that supports the fact"
        text = self.texts.get(facts_file.article.source_file)
        if text is not None and normalise_space(quote) not in text[0]:
            return (
                f"not found verbatim in {facts_file.article.source_file}: "
                f"{quote[:80]!r}{'…' if len(quote) > 80 else ''}"
            )
        return None

    def evidence(
        self,
        graph: str,
        triple: Triple,
        quote: str,
        article_id: str,
        date: tuple[PartialDate, str, str | None] | None = None,
        inference: str | None = None,
    ) -> None:
        """Write the fact, and the quote that supports it, into the same graph.

        A date's evidence says whether the date was stated or inferred (`jl:dateBasis`); any
        other inferred fact's evidence says it was inferred (`jl:basis`), both with the note.
        """
        node = self._evidence_node(graph, triple, f"{EVIDENCE}{article_id}/", quote, "EvidenceQuote")
        self.add(graph, Triple(node, jl("quote"), Literal(quote)))
        self.add(graph, Triple(node, QUOTED_FROM, _article_node(article_id)))
        if date is not None:
            _, basis, note = date
            self.add(graph, Triple(node, jl("dateBasis"), NamedNode(f"{CONCEPT}date-basis/{basis}")))
            if note:
                self.add(graph, Triple(node, jl("inferenceNote"), Literal(note)))
        elif inference is not None:
            self.add(graph, Triple(node, jl("basis"), NamedNode(f"{CONCEPT}date-basis/inferred")))
            self.add(graph, Triple(node, jl("inferenceNote"), Literal(inference)))

    def background_evidence(self, graph: str, triple: Triple, title: str, url: str) -> None:
        """Write a background fact and the public source it rests on (no article, no quote)."""
        node = self._evidence_node(graph, triple, f"{EVIDENCE}background/", url, "BackgroundEvidence")
        self.add(graph, Triple(node, LABEL, Literal(title, language="en")))
        self.add(graph, Triple(node, SOURCE, NamedNode(url)))

    def _evidence_node(self, graph: str, triple: Triple, base: str, support: str, kind: str) -> NamedNode:
        """Write the fact and an evidence node of `kind` naming it; its IRI digests both and the
        quote or source (`support`), so the same fact and support give the same node."""
        self.add(graph, triple)
        digest = hashlib.sha1(
            f"{graph} {triple.subject} {triple.predicate} {triple.object} {support}".encode()
        ).hexdigest()[:20]
        node = NamedNode(base + digest)
        self.add(graph, Triple(node, A, jl(kind)))
        self.add(graph, Triple(node, jl("claimSubject"), triple.subject))
        self.add(graph, Triple(node, jl("claimPredicate"), triple.predicate))
        self.add(graph, Triple(node, jl("claimObject"), triple.object))
        return node

    def claim_evidence(
        self, claim: Claim, triple: Triple, date: tuple[PartialDate, str, str | None] | None = None
    ) -> None:
        """The fact with one evidence node per quote it rests on (several for an inference)."""
        if claim.graph == BACKGROUND_GRAPH:
            self.background_evidence(claim.graph, triple, claim.quote, claim.article)
            return
        quotes = [(claim.quote, claim.article), *((q, a) for q, a, _ in claim.more_quotes)]
        for quote, article in quotes:
            self.evidence(claim.graph, triple, quote, article, date=date, inference=claim.inference)

    # -- the pass ------------------------------------------------------------------------
    def translate(self, files: Iterable[FactsFile]) -> dict[str, list[Triple]]:
        """Every file's graphs (as `PackedGraph`s when packing); raise `FactsInvalid` listing
        every problem: each file's own, then those of the definitions, then those of the claims.

        Each file is translated whole (its definitions, then its claims) before the next, which
        the index of every file's ids makes possible, so that when packing, an article's graph
        is packed as soon as its file is done and the corpus is never held as triples."""
        files = list(files)
        for facts_file in files:
            self.errors.extend(facts_file.errors)
        self._index(files)
        errors, claim_errors = self.errors, []
        for facts_file in files:
            if facts_file.article is not None:
                self._article(facts_file)
            for node in facts_file.nodes:
                self._node(node)
            self.errors = claim_errors
            for claim in facts_file.claims:
                self._claim(claim, facts_file)
            self.errors = errors
            if self._pack and facts_file.article is not None and facts_file.graph in self.graphs:
                self._pack_graph(facts_file.graph)
        self.errors = errors + claim_errors
        if self.errors:
            raise FactsInvalid(self.errors)
        if self._pack:
            for graph in list(self.graphs):
                self._pack_graph(graph)
            return dict(self._packed)  # type: ignore[arg-type]  # iterable and sized like a list
        return dict(self.graphs)

    def _pack_graph(self, graph: str) -> None:
        packed = self._packed[graph] = PackedGraph(self.graphs.pop(graph))
        self._seen.pop(graph, None)
        if self._on_packed is not None:
            self._on_packed(graph, packed)

    def _index(self, files: list[FactsFile]) -> None:
        for facts_file in files:
            article = facts_file.article
            if article is not None:
                if article.id in self.articles:
                    other = self.articles[article.id].path
                    self.error(
                        article.location,
                        "article.id",
                        f"duplicate article id {article.id!r} (also in {other})",
                    )
                else:
                    self.articles[article.id] = facts_file
            for node in facts_file.nodes:
                if not _ID.match(node.id) or node.id == ARTICLE_SELF or "/" in node.id:
                    self.error(
                        node.location,
                        "id",
                        f"{node.id!r} is not a valid id (lower-case letters, digits and "
                        f"hyphens; 'article' is reserved)",
                    )
                elif node.id in self.known:
                    self.error(
                        node.location,
                        "id",
                        f"duplicate id {node.id!r} (already defined in {self.known[node.id][1]})",
                    )
                elif node.id in self.nodes:
                    first = self.nodes[node.id].location
                    self.error(
                        node.location,
                        "id",
                        f"duplicate id {node.id!r} (first defined at {first.path}:{first.line})",
                    )
                else:
                    self.nodes[node.id] = node

    def _article(self, facts_file: FactsFile) -> None:
        meta = facts_file.article
        assert meta is not None
        iri = NamedNode(article_iri(meta.id))
        graph = facts_file.graph
        text = self.texts.get(meta.source_file)
        if self.texts.directory is not None and text is None:
            self.error(
                meta.location,
                "article.source_file",
                f"{meta.source_file!r} not found in {self.texts.directory}",
            )
        if text is not None and text[1] != meta.sha256:
            self.error(
                meta.location,
                "article.sha256",
                f"does not match {meta.source_file} (its SHA-256 is {text[1]})",
            )
        if meta.headline and text is not None and normalise_space(meta.headline) not in text[0]:
            self.error(meta.location, "article.headline", "not found verbatim in the article")
        self.add(graph, Triple(iri, A, jl("SourceArticle")))
        self.add(graph, Triple(iri, LABEL, Literal(meta.headline or f"Article {meta.id}", language="en")))
        self.add(graph, Triple(iri, jl("sourceFile"), Literal(meta.source_file)))
        self.add(graph, Triple(iri, jl("sha256"), Literal(meta.sha256)))
        if meta.headline:
            self.add(graph, Triple(iri, jl("headline"), Literal(meta.headline)))
            self.search_tokens(graph, iri, [meta.headline])

    def _node(self, node: NodeDef) -> None:
        class_iri = JL + node.type
        if class_iri not in self.vocabulary.classes:
            self.error(
                Location(node.location.path, node.type_line),
                "type",
                f"unknown class {node.type!r}: the ontology has no jl:{node.type}",
            )
            return
        background = node.graph == BACKGROUND_GRAPH
        if not background and not self.check_quote(node.quote, node.article, node.location):
            return
        subject = NamedNode(entity_iri(node.id))
        graph = node.graph
        typing = Triple(subject, A, NamedNode(class_iri))
        if background:  # (for a background node, quote and article hold its source's title and URL)
            self.background_evidence(graph, typing, node.quote, node.article)
        else:
            self.evidence(graph, typing, node.quote, node.article)
        self.add(graph, Triple(subject, LABEL, Literal(node.label, language="en")))
        names = [node.label]
        for language, name in sorted(node.labels.items()):
            self.add(graph, Triple(subject, LABEL, Literal(name, language=language)))
            names.append(name)
        for alias in node.aliases:
            self.add(graph, Triple(subject, ALT_LABEL, Literal(alias, language="en")))
            names.append(alias)
        for acronym in node.acronyms:
            self.add(graph, Triple(subject, jl("acronym"), Literal(acronym)))
            names.append(acronym)
        for name in names:
            self.add(graph, Triple(subject, jl("matchKey"), Literal(match_key(name))))
        if not background:  # search finds what articles state (as it did before it had words)
            self.search_tokens(graph, subject, names)

    def search_tokens(self, graph: str, subject: NamedNode, names: list[str]) -> None:
        """`jl:searchToken` for each word of the names (`graph.keys.search_tokens`): what
        search looks words up by, beside the whole-name `jl:matchKey`; and `jl:shortNameToken`
        for each word of a short name, by which search reads those holders first."""
        for token in dict.fromkeys(token for name in names for token in search_tokens(name)):
            self.add(graph, Triple(subject, jl("searchToken"), Literal(token)))
        for key in short_name_tokens(names):  # (`graph.keys.short_name_tokens`: ranks short names first)
            self.add(graph, Triple(subject, jl("shortNameToken"), Literal(key)))

    def _subject(self, claim: Claim, facts_file: FactsFile) -> tuple[NamedNode, set[str]] | None:
        if claim.subject == ARTICLE_SELF:
            if facts_file.article is None:
                self.error(claim.location, "about", "`about: article` is only for article files")
                return None
            return NamedNode(article_iri(facts_file.article.id)), {JL + "SourceArticle"}
        if not self.is_defined(claim.subject):
            self.error(claim.location, claim.prop, f"unknown entity reference {claim.subject!r} in `about`")
            return None
        return NamedNode(entity_iri(claim.subject)), self.types_of(claim.subject)

    def _claim(self, claim: Claim, facts_file: FactsFile) -> None:
        resolved = self._subject(claim, facts_file)
        if resolved is None:
            return
        subject, subject_types = resolved
        background = claim.graph == BACKGROUND_GRAPH
        if not background and not self.check_quote(claim.quote, claim.article, claim.quote_location):
            return
        if not all(self.check_quote(q, a, where) for q, a, where in claim.more_quotes):
            return
        if claim.prop == "description":
            if not isinstance(claim.value, str) or not claim.value.strip():
                self.error(claim.location, "description", "must be text")
                return
            self.claim_evidence(claim, Triple(subject, DESCRIPTION, Literal(claim.value, language="en")))
            return
        iri = JL + claim.prop
        vocabulary = self.vocabulary
        if iri not in vocabulary.object_properties and iri not in vocabulary.datatype_properties:
            self.error(
                claim.location,
                claim.prop,
                f"unknown property {claim.prop!r}: the ontology has no jl:{claim.prop}",
            )
            return
        domain = vocabulary.domains.get(iri, [])
        if subject_types and not vocabulary.is_a(subject_types, domain):
            self.error(
                claim.location,
                claim.prop,
                f"{claim.subject!r} is a {_names(subject_types)}, but jl:{claim.prop} "
                f"applies to {_names(domain)}",
            )
            return
        if claim.prop == "hasParty":
            self._parties(claim, subject)
        elif vocabulary.is_date_property(iri):
            self._date(claim, subject, iri)
        elif iri in vocabulary.object_properties:
            for value in _as_list(claim.value):
                obj = self._reference(value, vocabulary.object_properties[iri], claim)
                if obj is not None:
                    self.claim_evidence(claim, Triple(subject, NamedNode(iri), obj))
        else:
            for value in _as_list(claim.value):
                literal = self._literal(value, vocabulary.datatype_properties[iri], claim)
                if literal is not None:
                    self.claim_evidence(claim, Triple(subject, NamedNode(iri), literal))

    def _reference(self, value: Any, wanted: list[str], claim: Claim) -> NamedNode | None:
        """An entity id or a `scheme:name` concept, checked against the property's range."""
        if not isinstance(value, str) or not value.strip():
            self.error(claim.location, claim.prop, f"{value!r} is not an id or a `scheme:name` concept")
            return None
        if ":" in value:
            scheme, _, name = value.partition(":")
            iri = f"{CONCEPT}{scheme}/{name}"
            types = self.vocabulary.concepts.get(iri)
            if types is None:
                self.error(
                    claim.location, claim.prop, f"unknown concept {value!r} (no {iri} in the ontology)"
                )
                return None
        else:
            if not self.is_defined(value):
                self.error(claim.location, claim.prop, f"unknown entity reference {value!r}")
                return None
            iri, types = entity_iri(value), self.types_of(value)
        if types and not self.vocabulary.is_a(types, wanted):
            self.error(
                claim.location,
                claim.prop,
                f"{value!r} is a {_names(types)}, but jl:{claim.prop} expects {_names(wanted)}",
            )
            return None
        return NamedNode(iri)

    def _literal(self, value: Any, datatype: str | None, claim: Claim) -> Literal | None:
        kind = (datatype or XSD + "string").removeprefix(XSD)
        if kind in ("integer", "nonNegativeInteger", "positiveInteger", "int"):
            if isinstance(value, bool) or not isinstance(value, int) or (kind != "integer" and value < 0):
                self.error(claim.location, claim.prop, f"{value!r} is not a whole number")
                return None
            return Literal(str(value), datatype=NamedNode(XSD + kind))
        if kind in ("decimal", "double", "float"):
            try:
                if isinstance(value, bool):
                    raise InvalidOperation
                number = Decimal(str(value))
            except InvalidOperation:
                self.error(claim.location, claim.prop, f"{value!r} is not a number")
                return None
            return Literal(str(number), datatype=NamedNode(XSD + kind))
        if kind == "boolean":
            if not isinstance(value, bool):
                self.error(claim.location, claim.prop, f"{value!r} is not true or false")
                return None
            return Literal("true" if value else "false", datatype=NamedNode(XSD + "boolean"))
        if not isinstance(value, str | int | float) or isinstance(value, bool) or str(value).strip() == "":
            self.error(claim.location, claim.prop, f"{value!r} is not text")
            return None
        return Literal(str(value))

    def _date(self, claim: Claim, subject: NamedNode, iri: str) -> None:
        """A date, or a bound (`by:` / `from:`), with its basis and, when inferred, its note.

        In an inference group (`inferred:`) the basis is inferred and the group's note applies.
        """
        value, basis, note = claim.value, "stated", None
        bound = None
        if claim.inference is not None:
            basis, note = "inferred", claim.inference
        if isinstance(value, dict):
            unknown = set(value) - {"value", "by", "from", "basis", "note"}
            forms = [key for key in ("value", "by", "from") if key in value]
            if unknown or len(forms) != 1:
                self.error(
                    claim.location,
                    claim.prop,
                    "bad date: give one of `value`, `by` or `from` (with `basis`, `note`)"
                    + (f"; unknown keys {sorted(unknown)}" if unknown else ""),
                )
                return
            basis = value.get("basis", basis)
            note = value.get("note", note)
            bound = forms[0] if forms[0] != "value" else None
            value = value[forms[0]]
            if basis not in _DATE_BASES:
                self.error(
                    claim.location,
                    claim.prop,
                    f"bad date: basis must be 'stated' or 'inferred', not {basis!r}",
                )
                return
            if basis == "inferred" and not note:
                self.error(claim.location, claim.prop, "bad date: an inferred date needs a `note` saying how")
                return
            if claim.inference is not None and basis != "inferred":
                self.error(claim.location, claim.prop, "bad date: a date in an inference is inferred")
                return
        try:
            date = parse_date_bound(bound, value) if bound else parse_partial_date(value)
        except ValueError as exc:
            self.error(claim.location, claim.prop, f"bad date: {exc}")
            return
        node = NamedNode(DATE + date.text)
        dates = DATES_GRAPH  # described once for all articles; the fact stays in its own graph
        self.add(dates, Triple(node, A, NamedNode(TIME + "Instant")))
        self.add(dates, Triple(node, LABEL, Literal(date.label)))
        self.add(dates, Triple(node, UNIT_TYPE, NamedNode(date.unit)))
        date_time = NamedNode(XSD + "dateTime")
        if date.earliest is not None:
            self.add(dates, Triple(node, jl("earliestDateTime"), Literal(date.earliest, datatype=date_time)))
        if date.latest is not None:
            self.add(dates, Triple(node, jl("latestDateTime"), Literal(date.latest, datatype=date_time)))
        self.claim_evidence(claim, Triple(subject, NamedNode(iri), node), date=(date, basis, note))

    def _parties(self, claim: Claim, subject: NamedNode) -> None:
        """`hasParty`: a list of ids, or sides (country ids) mapped to lists of parties."""
        vocabulary = self.vocabulary
        party_range = vocabulary.object_properties.get(JL + "hasParty", [])
        sides = claim.value.items() if isinstance(claim.value, dict) else [(None, claim.value)]
        for side, parties in sides:
            side_node = None
            if side is not None:
                side_node = self._reference(side, vocabulary.object_properties.get(JL + "side", []), claim)
                if side_node is None:
                    continue
            for entry in _as_list(parties):
                representative = None
                if isinstance(entry, dict):
                    unknown = set(entry) - {"party", "representedBy"}
                    if unknown or "party" not in entry:
                        self.error(
                            claim.location,
                            "hasParty",
                            "a party entry is an id or {party: id, representedBy: person-id}",
                        )
                        continue
                    representative = entry.get("representedBy")
                    entry = entry["party"]
                party = self._reference(entry, party_range, claim)
                if party is None:
                    continue
                self.claim_evidence(claim, Triple(subject, jl("hasParty"), party))
                if side_node is None and representative is None:
                    continue
                role = NamedNode(f"{subject.value}/party/{entry!s}")
                self.claim_evidence(claim, Triple(subject, jl("qualifiedParty"), role))
                self.claim_evidence(claim, Triple(role, A, jl("PartyRole")))
                self.claim_evidence(claim, Triple(role, jl("party"), party))
                if side_node is not None:
                    self.claim_evidence(claim, Triple(role, jl("side"), side_node))
                if representative is not None:
                    person = self._reference(
                        representative, vocabulary.object_properties.get(JL + "representedBy", []), claim
                    )
                    if person is not None:
                        self.claim_evidence(claim, Triple(role, jl("representedBy"), person))


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _names(iris: Iterable[str]) -> str:
    names = sorted(iri.removeprefix(JL).rsplit("#", 1)[-1].rsplit("/", 1)[-1] for iri in iris)
    return " or ".join(names) if names else "thing of unknown type"
