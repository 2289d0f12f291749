"""The whole picture: Malaysian bodies against Chinese bodies, tied by the agreements between them.

One edge per pair of bodies, its weight the number of agreements they are both parties to, and
those agreements counted per topic (an agreement with two topics counts under each, once in the
weight). `queries/network/overview.rq` does the counting; the year and topic filters are bound
into its VALUES blocks as pyoxigraph terms. Nodes are described with the neighbourhood's
`nodes.rq`, so both views show a body the same way.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode

from jalinan.api.network.neighbourhood import XSD_INTEGER, _describe, _select, most_specific, query_text
from jalinan.graph import GraphStore
from jalinan.queries.catalogue import fill_values

MALAYSIA = "https://w3id.org/jalinan/id/malaysia"
CHINA = "https://w3id.org/jalinan/id/china"


@dataclass
class Body:
    iri: str
    label: str
    kind: str
    country: str  # IRI: Malaysia or China
    agreements: int = 0  # with the other side, in this view


@dataclass
class Pair:
    malaysian: str
    chinese: str
    agreements: set[str] = field(default_factory=set)
    by_topic: dict[str, int] = field(default_factory=dict)  # topic IRI ("" for none) → agreements
    sources: set[str] = field(default_factory=set)


@dataclass
class Overview:
    bodies: list[Body]
    pairs: list[Pair]
    labels: dict[str, str]  # topic and country IRIs → labels
    year: int | None = None
    topics: tuple[NamedNode, ...] = ()


def overview(
    store: GraphStore,
    *,
    year: int | None = None,
    topics: tuple[NamedNode, ...] = (),
    timeout: float | None = None,
) -> Overview:
    text = query_text("overview")
    given_year = [Literal(str(year), datatype=XSD_INTEGER)] if year is not None else None
    text = fill_values(text, ("year",), given_year, "overview.rq")
    text = fill_values(text, ("givenTopic",), list(topics) or None, "overview.rq")
    pairs: dict[tuple[str, str], Pair] = {}
    for row in _select(store, text, timeout).rows:
        key = (row["malaysian"].value, row["chinese"].value)
        pair = pairs.setdefault(key, Pair(*key))
        topic = row["topic"].value if row.get("topic") is not None else ""
        pair.by_topic[topic] = int(row["agreements"].value)
        pair.agreements |= set(row["agreementList"].value.split())
        pair.sources |= set(row["sources"].value.split())
    ordered = sorted(pairs.values(), key=lambda p: (-len(p.agreements), p.malaysian, p.chinese))
    count: dict[str, int] = defaultdict(int)
    for pair in ordered:
        count[pair.malaysian] += len(pair.agreements)
        count[pair.chinese] += len(pair.agreements)
    topic_iris = {topic for pair in ordered for topic in pair.by_topic if topic}
    malaysian = {pair.malaysian for pair in ordered}
    described = _describe(store, set(count) | topic_iris | {MALAYSIA, CHINA}, timeout)
    bodies = []
    for iri, agreements in count.items():
        about = described.get(iri, {"label": "", "types": "", "country": ""})
        kind, _ = most_specific(about["types"])
        country = MALAYSIA if iri in malaysian else CHINA
        bodies.append(Body(iri, about["label"] or iri.rsplit("/", 1)[-1], kind, country, agreements))
    bodies.sort(key=lambda b: (b.country != MALAYSIA, -b.agreements, b.label.casefold()))
    labels = {iri: d["label"] for iri, d in described.items() if d["label"]}
    return Overview(bodies, ordered, labels, year, topics)
