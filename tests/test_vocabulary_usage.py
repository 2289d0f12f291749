"""No term used in any data file (curated YAML, canned queries, docs' SPARQL) is missing from
the ontology: a typo in `jl:hasPartyy` would otherwise silently match nothing."""

import re

import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import OWL, SKOS

from jalinan.graph.namespaces import CONCEPT, JL
from jalinan.ingest.pipeline import default_facts_dir, read_facts
from jalinan.ingest.vocabulary import ontology_source
from tests.support import ROOT

DECLARATIONS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


@pytest.fixture(scope="module")
def declared() -> set[str]:
    graph = Graph().parse(ontology_source(), format="turtle")
    terms = {str(s) for kind in DECLARATIONS for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef)}
    terms |= {str(s) for s in graph.subjects(RDF.type, SKOS.Concept)}
    terms |= {str(s) for s in graph.subjects(RDF.type, SKOS.ConceptScheme)}
    return terms


def _concepts(value, found: set[str]) -> None:
    """`scheme:name` concept references anywhere in a claim's value."""
    if isinstance(value, dict):
        for item in value.values():
            _concepts(item, found)
    elif isinstance(value, list):
        for item in value:
            _concepts(item, found)
    elif isinstance(value, str) and re.fullmatch(r"[a-z-]+:[a-z0-9-]+", value):
        scheme, name = value.split(":", 1)
        found.add(f"{CONCEPT}{scheme}/{name}")


def test_every_term_in_the_curated_facts_is_declared(declared):
    found: dict[str, str] = {}
    for facts_file in read_facts(default_facts_dir()):
        for node in facts_file.nodes:
            found[JL + node.type] = f"{facts_file.path.name}:{node.location.line}"
        for claim in facts_file.claims:
            where = f"{facts_file.path.name}:{claim.location.line}"
            if claim.prop != "description":
                found[JL + claim.prop] = where
            concepts: set[str] = set()
            _concepts(claim.value, concepts)
            found.update(dict.fromkeys(concepts, where))
    assert len(found) > 40
    assert sorted((where, term) for term, where in found.items() if term not in declared) == []


SPARQL_FILES = sorted(
    [*(ROOT / "queries").glob("*.rq"), *(ROOT / "ingest" / "lookups").glob("*.rq")], key=lambda p: p.name
)


@pytest.mark.parametrize("path", SPARQL_FILES, ids=lambda p: p.name)
def test_every_jl_term_in_the_canned_queries_is_declared(declared, path):
    text = re.sub(r"(?m)^#.*$", "", path.read_text(encoding="utf-8"))
    used = {JL + m for m in re.findall(r"\bjl:([A-Za-z][A-Za-z0-9]*)", text)}
    used |= set(re.findall(r"<(https://w3id\.org/jalinan/ontology#[A-Za-z0-9]+)>", text))
    used |= set(re.findall(r"<(https://w3id\.org/jalinan/concept/[a-z-]+/[a-z0-9-]+)>", text))
    assert sorted(used - declared) == []


def test_every_jl_term_in_the_readmes_sparql_is_declared(declared):
    used: set[str] = set()
    for readme in [ROOT / "README.md", ROOT / "ontology" / "README.md", ROOT / "api" / "README.md"]:
        for block in re.findall(r"```sparql\n(.*?)```", readme.read_text(encoding="utf-8"), re.S):
            used |= {JL + m for m in re.findall(r"\bjl:([A-Za-z][A-Za-z0-9]*)", block)}
    assert used, "the READMEs show SPARQL"
    assert sorted(used - declared) == []
