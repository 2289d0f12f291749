"""The Jalinan ontology: the OWL 2 DL model and SKOS schemes that facts and queries share.

``jalinan.ttl`` is the one hand-edited source; ``jalinan.owl`` is its generated RDF/XML
export for Protégé and owlready2; ``checks/*-violation.rq`` are the lint rules (each must
return no rows). Paths, the ``JL`` namespace and ``load_ontology_graph()`` live in
:mod:`jalinan.ontology.build`; the HermiT check is :func:`jalinan.ontology.reasoning.check_with_hermit`.
"""
