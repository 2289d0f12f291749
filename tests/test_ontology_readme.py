"""ontology/README.md stays true: its competency questions run, its tables name every term."""

from __future__ import annotations

import re

import pyoxigraph
import pytest
from rdflib import OWL, RDF, URIRef

from jalinan.ontology.build import JL, ONTOLOGY_TTL, load_ontology_graph

README = ONTOLOGY_TTL.parent / "README.md"
TEXT = README.read_text(encoding="utf-8")
QUESTIONS = re.findall(r"^### (.+?)\n.*?```sparql\n(.*?)```", TEXT, flags=re.DOTALL | re.MULTILINE)


def test_readme_has_competency_questions() -> None:
    assert len(QUESTIONS) >= 10


@pytest.fixture(scope="module")
def store() -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    store.load(path=str(ONTOLOGY_TTL), format=pyoxigraph.RdfFormat.TURTLE)
    return store


@pytest.mark.parametrize(("title", "query"), QUESTIONS, ids=[t for t, _ in QUESTIONS])
def test_competency_question_runs(store: pyoxigraph.Store, title: str, query: str) -> None:
    list(store.query(query, use_default_graph_as_union=True))  # raises on a syntax error


@pytest.mark.parametrize(
    "kind", [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty]
)
def test_readme_tables_list_every_term(kind: URIRef) -> None:
    terms = {
        str(t)[len(JL) :] for t in load_ontology_graph().subjects(RDF.type, kind) if str(t).startswith(JL)
    }
    missing = sorted(t for t in terms if f"| `{t}` |" not in TEXT)
    assert not missing, f"ontology/README.md tables lack: {missing}"
