"""What an entity page shows, shaped from the rows of its reads (`entity_reads.py`).

No store access here: rows in, plain data for the templates out. A statement becomes a `Fact`
(the other end, linked by its label, with the date and status of an agreement or visit it
names, and its evidence); facts are grouped into `Section`s by relation and direction, in the
order a reader looks for them (agreements first, then visits, posts, organisation…), each
headed in plain words ("Agreements as party", not "has party (in)").
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import Literal, NamedNode

from jalinan.api.explorer.templating import period
from jalinan.api.pages import local_href, short
from jalinan.graph.namespaces import CONCEPT, JL, RDF

INFERRED_GRAPH = "https://w3id.org/jalinan/graph/inferred"
BACKGROUND_GRAPH = "https://w3id.org/jalinan/graph/background"
INFERRED_BASIS = "https://w3id.org/jalinan/concept/date-basis/inferred"
PRECISION = {"unitDay": "day", "unitMonth": "month", "unitYear": "year"}

# (property local name, direction) → heading, in reading order. Anything else follows, headed by
# the ontology's label (incoming: its inverse's label).
HEADINGS: list[tuple[str, str, str]] = [
    ("hasParty", "in", "Agreements as party"),
    ("involves", "in", "Agreements and collections involving it"),
    ("signatory", "in", "Signed"),
    ("exchangedBy", "in", "Exchanged"),
    ("witness", "in", "Witnessed"),
    ("representedBy", "in", "Represented a party"),
    ("visitor", "in", "Visits made"),
    ("hostCountry", "in", "Visits hosted"),
    ("visitedPlace", "in", "Visits to it"),
    ("participant", "in", "Took part in"),
    ("holdsPost", "out", "Posts held"),
    ("holdsPost", "in", "Held by"),
    ("postIn", "in", "Posts in it"),
    ("subOrganizationOf", "out", "Part of"),
    ("subOrganizationOf", "in", "Sub-organisations"),
    ("parentCompany", "out", "Parent company"),
    ("parentCompany", "in", "Subsidiaries"),
    ("hasParty", "out", "Parties"),
    ("signatory", "out", "Signed by"),
    ("exchangedBy", "out", "Exchanged by"),
    ("witness", "out", "Witnessed by"),
    ("hasStatus", "out", "Status"),
    ("date", "out", "Date"),
    ("startDate", "out", "Start"),
    ("endDate", "out", "End"),
    ("concludedDuring", "out", "Concluded during"),
    ("concludedDuring", "in", "Agreements concluded"),
    ("includesAgreement", "out", "Documents in the collection"),
    ("includesAgreement", "in", "Part of the collection"),
    ("visitor", "out", "Visitor"),
    ("hostCountry", "out", "Host country"),
    ("includesEvent", "out", "Events"),
    ("partOfVisit", "out", "Part of the visit"),
    ("partOfVisit", "in", "Events of the visit"),
    ("participant", "out", "Participants"),
    ("involves", "out", "Involves"),
    ("hasTopic", "out", "Topics"),
    ("establishes", "out", "Establishes"),
    ("establishedUnder", "in", "Established under it"),
    ("establishedUnder", "out", "Established under"),
    ("hasMember", "in", "Member of"),
    ("hasMember", "out", "Members"),
    ("statedBy", "in", "Statements"),
    ("investor", "in", "Investments"),
    ("country", "out", "Country"),
    ("basedIn", "out", "Based in"),
    ("housedIn", "out", "Housed in"),
    ("location", "out", "Location"),
    ("locatedIn", "out", "Located in"),
    ("country", "in", "Of this country"),
    ("basedIn", "in", "Based here"),
    ("location", "in", "Held here"),
    ("locatedIn", "in", "Places in it"),
    ("housedIn", "in", "Houses"),
    ("concerns", "in", "Figures and statements about it"),
    ("publisher", "in", "Articles published"),
    ("citedSource", "in", "Cited by articles"),
    ("type", "out", "Kind"),
]
_ORDER = {(name, direction): index for index, (name, direction, _) in enumerate(HEADINGS)}
_HEADING = {(name, direction): heading for name, direction, heading in HEADINGS}


class Labels:
    """Labels by IRI (from `labels.rq`): English first, then a plain one, then any."""

    def __init__(self, rows: Iterable[dict[str, Any]] = ()) -> None:
        self.names: dict[str, dict[str, str]] = {}
        self.inverses: dict[str, dict[str, str]] = {}
        for row in rows:
            node, label = row["node"].value, row["label"]
            kind = row["kind"].value
            target = self.names if kind == "name" else self.inverses
            target.setdefault(node, {}).setdefault(getattr(label, "language", None) or "", label.value)

    @staticmethod
    def _pick(found: dict[str, str] | None) -> str | None:
        if not found:
            return None
        return found.get("en") or found.get("") or next(iter(found.values()))

    def name(self, iri: str) -> str:
        return self._pick(self.names.get(iri)) or short(iri)

    def in_language(self, iri: str, language: str) -> str | None:
        return (self.names.get(iri) or {}).get(language)

    def inverse(self, iri: str) -> str | None:
        return self._pick(self.inverses.get(iri))


def date_text(label: str) -> str:
    """A date node's label as a reader writes it: "16 April 2025", "by 17 April 2025",
    "2024 or later"."""
    if label.startswith("by "):
        return "by " + period(label[3:])
    if label.startswith("from "):
        return period(label[5:]) + " or later"
    return period(label)


@dataclass
class Node:
    """One end of a fact: its label and, for an IRI that is a web link, where it goes."""

    label: str
    href: str | None = None
    iri: str | None = None
    literal: bool = False


def node(term: Any, labels: Labels) -> Node:
    if isinstance(term, NamedNode):
        iri = term.value
        label = labels.name(iri)
        if iri.startswith("https://w3id.org/jalinan/id/date/"):
            label = date_text(label)
        # a SKOS concept (a topic, a status) has no page here, and its w3id IRI leads off this host
        href = None if iri.startswith(CONCEPT) else local_href(iri)
        return Node(label=label, href=href, iri=iri)
    if isinstance(term, Literal):
        return Node(label=term.value, literal=True)
    return Node(label=str(term))


@dataclass
class Evidence:
    """One quote (with its article) or one public source that a fact rests on."""

    quote: str | None = None
    article: Node | None = None
    headline: str | None = None
    publisher: str | None = None
    published: str | None = None
    background: Node | None = None
    inferred: bool = False  # this quote is one an inference rests on, not a statement of the fact


@dataclass
class Fact:
    """A statement seen from the entity: the other end, its qualifiers, its evidence."""

    other: Node
    qualifiers: list[str] = field(default_factory=list)  # the other end's date and status
    subject_qualifiers: list[str] = field(default_factory=list)
    object_qualifiers: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    inferred: bool = False  # drawn across quotes (ties), or a date inferred from the text
    entailed: bool = False  # derived by the ontology's rules (inferred graph)
    notes: list[str] = field(default_factory=list)
    precision: str | None = None
    background: bool = False
    key: tuple[str, str, str] = ("", "", "")  # subject, property, object (N-Triples)


@dataclass
class Section:
    key: str
    heading: str
    property: str
    direction: str
    facts: list[Fact] = field(default_factory=list)


def heading(property_iri: str, direction: str, labels: Labels) -> str:
    name = property_iri.removeprefix(JL) if property_iri.startswith(JL) else None
    if property_iri == RDF + "type":
        name = "type"
    if name is not None and (name, direction) in _HEADING:
        return _HEADING[(name, direction)]
    label = labels.name(property_iri)
    if direction == "in":
        label = labels.inverse(property_iri) or f"{label} (of)"
    return label[:1].upper() + label[1:]


def _order(section: Section) -> tuple[int, str]:
    name = section.property.removeprefix(JL)
    if section.property == RDF + "type":
        name = "type"
    return (_ORDER.get((name, section.direction), len(_ORDER)), section.heading)


def evidence_of(rows: Iterable[dict[str, Any]], labels: Labels) -> dict[tuple[str, str, str], Fact]:
    """The facts of `detail.rq` rows (one per statement, whatever its graph), each with its
    evidence, qualifiers and whether it was inferred, by (subject, property, object)."""
    facts: dict[tuple[str, str, str], Fact] = {}
    for row in rows:
        key = (str(row["subject"]), str(row["property"]), str(row["object"]))
        fact = facts.get(key)
        if fact is None:
            fact = facts[key] = Fact(other=Node(label=""), key=key)
        graph = row["graph"].value if row.get("graph") is not None else ""
        if graph == INFERRED_GRAPH:
            fact.entailed = True
        if graph == BACKGROUND_GRAPH:
            fact.background = True
        for end, found in (("subject", fact.subject_qualifiers), ("object", fact.object_qualifiers)):
            for qualifier in ("Date", "Status"):
                term = row.get(end + qualifier)
                text = node(term, labels).label if term is not None else None
                if text is not None and text not in found:
                    found.append(text)
        if row.get("objectPrecision") is not None:
            fact.precision = PRECISION.get(row["objectPrecision"].value.rsplit("#", 1)[-1])
        basis = row.get("basis") or row.get("dateBasis")
        inferred = basis is not None and basis.value == INFERRED_BASIS
        note = row.get("note")
        if inferred and note is not None and note.value not in fact.notes:
            fact.notes.append(note.value)
        item = _evidence(row, labels)
        if item is not None:
            item.inferred = inferred
            if item not in fact.evidence:
                fact.evidence.append(item)
    for fact in facts.values():
        # inferred when nothing states it: every quote is one an inference rests on (a fact that
        # one article states and another lets be inferred is stated, with all its quotes)
        if fact.evidence and all(item.inferred for item in fact.evidence):
            fact.inferred = True
    return facts


def _evidence(row: dict[str, Any], labels: Labels) -> Evidence | None:
    if row.get("background") is not None:
        source = row["background"]
        title = row["backgroundTitle"].value if row.get("backgroundTitle") is not None else source.value
        return Evidence(background=Node(label=title, href=local_href(source.value), iri=source.value))
    if row.get("quote") is None:
        return None
    article = node(row["source"], labels) if row.get("source") is not None else None
    return Evidence(
        quote=row["quote"].value,
        article=article,
        headline=row["headline"].value if row.get("headline") is not None else None,
        publisher=labels.name(row["publisher"].value) if row.get("publisher") is not None else None,
        published=node(row["published"], labels).label if row.get("published") is not None else None,
    )


def sections(
    entity: str,
    statements: Iterable[tuple[Any, Any, Any]],
    facts: dict[tuple[str, str, str], Fact],
    labels: Labels,
) -> list[Section]:
    """The page's statements (subject, property, object) grouped by relation and direction, each
    fact once (a statement two articles report is one fact with both quotes)."""
    grouped: dict[tuple[str, str], Section] = {}
    seen: set[tuple[str, str, str]] = set()
    for subject, property_, object_ in statements:
        key = (str(subject), str(property_), str(object_))
        if key in seen:
            continue
        seen.add(key)
        direction = "out" if subject.value == entity else "in"
        other = object_ if direction == "out" else subject
        section = grouped.get((property_.value, direction))
        if section is None:
            section = grouped[(property_.value, direction)] = Section(
                key=f"{direction}-{short(property_.value)}",
                heading=heading(property_.value, direction, labels),
                property=property_.value,
                direction=direction,
            )
        fact = facts.get(key) or Fact(other=Node(label=""), key=key)
        fact.other = node(other, labels)
        fact.qualifiers = fact.object_qualifiers if direction == "out" else fact.subject_qualifiers
        section.facts.append(fact)
    for section in grouped.values():
        section.facts.sort(key=lambda fact: fact.other.label.lower())
    return sorted(grouped.values(), key=_order)


def by_evidence(items: Iterable[Any]) -> list[dict[str, Any]]:
    """Facts that rest on the same quotes, together: the quote is shown once under them (three
    topics drawn from one sentence are one group, not three copies of the sentence). Items are
    `Fact`s, or entries (dicts) with their own `evidence`, `notes` and `inferred`."""
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for item in items:
        if isinstance(item, Fact):
            evidence, notes, inferred = item.evidence, item.notes, item.inferred or item.entailed
        else:
            evidence, notes, inferred = item["evidence"], item["notes"], item["inferred"]
        key: tuple[Any, ...] = (tuple(repr(e) for e in evidence), tuple(notes), inferred)
        if not evidence and not notes:
            key = ("alone", id(item))  # nothing to share: shown on its own
        group = groups.setdefault(
            key, {"items": [], "evidence": evidence, "notes": notes, "inferred": inferred}
        )
        group["items"].append(item)
    return list(groups.values())
