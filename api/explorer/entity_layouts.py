"""The parts of an entity page that depend on its kind: the summary of any entity, the parties
by side and people of an agreement, the agreements and people of a visit or event.

Rows in (from `entity_reads.py`), plain data for the templates out; facts come with their
evidence from `entity_view.py`, so every claim shown here still leads to its quote.
"""

from collections.abc import Iterable
from functools import cache
from typing import Any

from pyoxigraph import Literal, NamedNode

from jalinan.api.explorer.entity_view import Evidence, Fact, Labels, Node, Section, node
from jalinan.api.explorer.ontology_doc import descendants
from jalinan.graph.namespaces import ID, JL

MALAYSIA, CHINA = ID + "malaysia", ID + "china"
SIDES = [(MALAYSIA, "Malaysian side"), (CHINA, "Chinese side"), ("", "Other parties")]
LANGUAGES = [("en", "English"), ("ms", "Malay"), ("zh", "Chinese")]


@cache
def _kinds() -> dict[str, frozenset[str]]:
    agreements = descendants("jl:Agreement") | descendants("jl:AgreementCollection")
    return {
        "agreement": frozenset(agreements),
        "visit": frozenset(descendants("jl:Visit") | descendants("jl:Event")),
    }


def layout(summary_rows: Iterable[dict[str, Any]]) -> str | None:
    """ "agreement", "visit" (visits and events) or None, by the entity's asserted class."""
    kinds = {row["value"].value for row in summary_rows if row["field"].value == "kind"}
    for name, classes in _kinds().items():
        if kinds & classes:
            return name
    return None


def _an(text: str) -> str:
    word = text if text[1:2].isupper() else text[:1].lower() + text[1:]
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


DATED = {"date": "out-date", "start": "out-startDate", "end": "out-endDate"}


def summary(iri: str, rows: Iterable[dict[str, Any]], labels: Labels, groups: list[Section]) -> dict:
    """The top of the page: names, kind, the infobox's fields and a one-line summary. A date the
    facts below mark as inferred says so here too."""
    fields: dict[str, list[Any]] = {}
    names: dict[str, str] = {}
    for row in rows:
        name, value = row["field"].value, row.get("value")
        if value is None:
            continue
        if name == "name" and isinstance(value, Literal):
            names.setdefault(value.language or "", value.value)
            continue
        detail = row.get("detail")
        entry: Any = node(value, labels)
        if detail is not None:
            entry = (entry, node(detail, labels))
        if entry not in fields.setdefault(name, []):
            fields[name].append(entry)
    if "post" in fields:
        fields["post"] = _one_per_post(fields["post"])
    for name, key in DATED.items():
        inferred = {fact.other.iri for fact in _section(groups, key) if fact.inferred}
        for entry in fields.get(name, []):
            if entry.iri in inferred:
                entry.label += " (inferred)"
    title = names.get("en") or names.get("") or labels.name(iri)
    kinds = [entry.label for entry in fields.get("kind", [])]
    count = int(fields["party to"][0].label) if fields.get("party to") else 0
    line = [_an(kinds[0]) if kinds else "An entity"]
    countries = [entry.label for entry in fields.get("country", [])]
    if countries:
        line[0] += " of " + " and ".join(countries)
    visitors = [entry.label for entry in fields.get("visitor", [])]
    if visitors:
        line[0] += " by " + " and ".join(visitors)
    hosts = [entry.label for entry in fields.get("host country", [])]
    if hosts:
        line[0] += " to " + " and ".join(hosts)
    if count:
        line.append(f"party to {count:,} agreement{'s' if count != 1 else ''}")
    for status in fields.get("status", [])[:1]:
        line.append(status.label)
    for date in fields.get("date", [])[:1]:
        line.append(f"dated {date.label}")
    posts = fields.get("post", [])
    if posts:
        line.append("; ".join(p[0].label if isinstance(p, tuple) else p.label for p in posts))
    return {
        "title": title,
        "names": [(label, names[code]) for code, label in LANGUAGES if code in names],
        "kinds": kinds,
        "fields": fields,
        "party_count": count,
        "line": ", ".join(line) + ".",
        "description": [entry.label for entry in fields.get("description", [])],
    }


def _one_per_post(entries: list[Any]) -> list[Any]:
    """Each post held once: a post in a ministry and in its country, whose label already names
    the country ("Communications and Digital Minister (Malaysia)"), is listed with the ministry
    only; a post in two organisations its label does not name keeps both."""

    def adds(entry: Any) -> bool:  # names an organisation the post's label does not
        return isinstance(entry, tuple) and entry[1].label not in entry[0].label

    kept: list[Any] = []
    for entry in entries:
        if isinstance(entry, tuple) and not adds(entry):
            same = [e for e in entries if isinstance(e, tuple) and e[0].iri == entry[0].iri]
            if any(adds(e) for e in same) or any(e in kept for e in same):
                continue
        kept.append(entry)
    return kept


def _section(groups: list[Section], key: str) -> list[Fact]:
    return next((section.facts for section in groups if section.key == key), [])


def _posts(kind_rows: Iterable[dict[str, Any]], labels: Labels) -> dict[str, list[str]]:
    """Each person's posts ("Minister of Digital, Ministry of Digital")."""
    posts: dict[str, list[str]] = {}
    for row in kind_rows:
        if row["field"].value != "post":
            continue
        text = labels.name(row["value"].value)
        if row.get("detail") is not None and labels.name(row["detail"].value) not in text:
            text += ", " + labels.name(row["detail"].value)
        found = posts.setdefault(row["node"].value, [])
        if text not in found:
            found.append(text)
    return posts


AGREEMENT_SECTIONS = [
    "out-hasParty", "out-signatory", "out-exchangedBy", "out-witness", "out-hasStatus", "out-date",
    "out-concludedDuring", "out-includesAgreement", "in-includesAgreement",
]  # fmt: skip


def agreement(groups: list[Section], kind_rows: list[dict[str, Any]], labels: Labels) -> dict[str, Any]:
    """Parties by side (with who represented them), the people named on it with their posts,
    status, date, the visit or event it was concluded during, the documents of a collection."""
    roles: dict[str, tuple[str | None, Node | None]] = {}
    countries: dict[str, str] = {}
    for row in kind_rows:
        if row["field"].value == "role":
            side = row["value"].value if row.get("value") is not None else None
            representative = node(row["detail"], labels) if row.get("detail") is not None else None
            roles[row["node"].value] = (side, representative)
        elif row["field"].value == "party country":
            countries.setdefault(row["node"].value, row["value"].value)
    posts = _posts(kind_rows, labels)
    sides: dict[str, list[dict[str, Any]]] = {label: [] for _, label in SIDES}
    for fact in _section(groups, "out-hasParty"):
        party = fact.other.iri or ""
        side, representative = roles.get(party, (None, None))
        side = side or countries.get(party) or (party if party in (MALAYSIA, CHINA) else "")
        heading = next((label for iri, label in SIDES if iri == side), "Other parties")
        sides[heading].append(
            {"fact": fact, "representative": representative,
             "posts": posts.get(representative.iri or "", []) if representative else []}
        )  # fmt: skip
    named = (
        ("out-signatory", "Signed by"),
        ("out-exchangedBy", "Exchanged by"),
        ("out-witness", "Witnessed by"),
    )
    people = []
    for key, title in named:
        facts = _section(groups, key)
        for fact in facts:  # a person's posts stand beside the name, as an agreement's date does
            fact.qualifiers = posts.get(fact.other.iri or "", [])
        people.append((title, facts))
    return {
        "sides": [(label, parties) for label, parties in sides.items() if parties],
        "people": [(title, entries) for title, entries in people if entries],
        "status": _section(groups, "out-hasStatus"),
        "date": _section(groups, "out-date"),
        "concluded_during": _section(groups, "out-concludedDuring"),
        "documents": _section(groups, "out-includesAgreement"),
        "collections": _section(groups, "in-includesAgreement"),
        "sections_used": AGREEMENT_SECTIONS,
    }


def _hop(
    facts: dict[tuple[str, str, str], Fact], subject: Any, name: str, object_: Any, inverse: str
) -> list[Fact]:
    """The facts behind one tie, asserted either way round."""
    keys = [(str(subject), f"<{JL}{name}>", str(object_)), (str(object_), f"<{JL}{inverse}>", str(subject))]
    return [facts[key] for key in keys if key in facts and (facts[key].evidence or facts[key].notes)]


def _merged(found: list[Fact]) -> dict[str, Any]:
    evidence: list[Evidence] = []
    notes: list[str] = []
    for fact in found:
        evidence += [item for item in fact.evidence if item not in evidence]
        notes += [note for note in fact.notes if note not in notes]
    return {"evidence": evidence, "notes": notes, "inferred": any(f.inferred for f in found)}


def visit(
    iri: str,
    groups: list[Section],
    kind_rows: list[dict[str, Any]],
    facts: dict[tuple[str, str, str], Fact],
    labels: Labels,
) -> dict[str, Any]:
    """Agreements concluded during the visit or event (or one of its events), and the people who
    took part in its events, each with the quotes of the ties it rests on."""
    entity = NamedNode(iri)
    visitors = {fact.other.iri for fact in _section(groups, "out-visitor")}
    agreements: dict[str, dict[str, Any]] = {}
    met: dict[str, dict[str, Any]] = {}
    for row in kind_rows:
        item, via = row["item"], row.get("via")
        if row["field"].value == "agreement":
            hops = _hop(facts, item, "concludedDuring", via or entity, "hasOutcome")
            if via is not None:
                hops += _hop(facts, via, "partOfVisit", entity, "includesEvent")
            entry = agreements.setdefault(
                item.value, {"node": node(item, labels), "via": [], "qualifiers": []}
            )
            for fact in hops:
                if fact.key[0] == str(item):
                    entry["qualifiers"] = entry["qualifiers"] or fact.subject_qualifiers
        else:
            if item.value in visitors:
                continue
            hops = _hop(facts, via or entity, "participant", item, "participatedIn")
            if via is not None:
                hops += _hop(facts, via, "partOfVisit", entity, "includesEvent")
            entry = met.setdefault(item.value, {"node": node(item, labels), "via": [], "qualifiers": []})
        if via is not None and all(v.iri != via.value for v in entry["via"]):
            entry["via"].append(node(via, labels))
        merged = _merged(hops)
        for key in ("evidence", "notes"):
            entry.setdefault(key, [])
            entry[key] += [x for x in merged[key] if x not in entry[key]]
        entry["inferred"] = entry.get("inferred", False) or merged["inferred"]
    by_label = lambda entries: sorted(entries.values(), key=lambda e: e["node"].label.lower())  # noqa: E731
    return {
        "agreements": by_label(agreements),
        "met": by_label(met),
        "sections_used": ["in-concludedDuring"] if agreements else [],
    }


def add_chains(
    facts: dict[tuple[str, str, str], Fact], chains: Iterable[dict[str, Any]], labels: Labels
) -> None:
    """An entailed tie along a transitive property rests on its two links' quotes."""
    for row in chains:
        subject, property_, object_, middle = row["subject"], row["property"], row["object"], row["middle"]
        fact = facts.get((str(subject), str(property_), str(object_)))
        if fact is None:
            continue
        relation = labels.name(property_.value)
        fact.entailed = True
        note = (
            f"“{relation}” is transitive: {labels.name(subject.value)} is {relation} "
            f"{labels.name(middle.value)}, which is {relation} {labels.name(object_.value)}"
        )
        if note not in fact.notes:
            fact.notes.append(note)
        for link in ((subject, property_, middle), (middle, property_, object_)):
            found = facts.get(tuple(str(term) for term in link))  # type: ignore[arg-type]
            if found is not None:
                fact.evidence += [item for item in found.evidence if item not in fact.evidence]
