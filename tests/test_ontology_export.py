"""The committed RDF/XML export says the same as the Turtle source, and says it is generated."""

from __future__ import annotations

import pytest
from rdflib import RDFS, BNode, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from jalinan.ontology.build import (
    GENERATED_HEADER,
    ONTOLOGY_OWL,
    ONTOLOGY_TTL,
    load_ontology_graph,
    render_rdfxml,
)


def _difference(expected: Graph, actual: Graph, limit: int = 15) -> str:
    _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
    lines = [f"- {' '.join(t.n3() for t in triple)}" for triple in list(only_expected)[:limit]]
    lines += [f"+ {' '.join(t.n3() for t in triple)}" for triple in list(only_actual)[:limit]]
    return "\n".join(lines)


def test_owl_export_is_up_to_date_with_turtle() -> None:
    source = load_ontology_graph()
    export = Graph().parse(ONTOLOGY_OWL, format="xml")
    assert isomorphic(source, export), (
        f"{ONTOLOGY_OWL.name} is out of date with {ONTOLOGY_TTL.name}: run `make ontology`\n"
        + _difference(source, export)
    )


def test_owl_export_says_it_is_generated() -> None:
    text = ONTOLOGY_OWL.read_text(encoding="utf-8")
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\n' + GENERATED_HEADER)
    assert "DO NOT EDIT" in GENERATED_HEADER and "make ontology" in GENERATED_HEADER


def test_rendering_is_deterministic_and_round_trips() -> None:
    source = load_ontology_graph()
    first, second = render_rdfxml(source), render_rdfxml(load_ontology_graph())
    assert first == second
    assert isomorphic(Graph().parse(data=first, format="xml"), source)


def test_writer_refuses_a_shared_blank_node() -> None:
    graph = Graph()
    shared = BNode()
    graph.add((URIRef("https://example.org/a"), RDFS.seeAlso, shared))
    graph.add((URIRef("https://example.org/b"), RDFS.seeAlso, shared))
    graph.add((shared, RDFS.label, Literal("x")))
    with pytest.raises(ValueError, match="used more than once"):
        render_rdfxml(graph)
