"""HermiT finds the ontology consistent, and owlready2 and py-horned-owl can read the export.

The HermiT cases with sample data follow the data shapes of ARCHITECTURE.md (date nodes with
xsd:dateTime bounds, evidence nodes with annotation-property claims, qualified parties), so
they also show that those shapes stay inside what HermiT accepts; the broken samples show
that the check can fail.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyhornedowl
import pytest
from owlready2 import World
from rdflib import Graph

from jalinan.ontology.build import JL, ONTOLOGY_IRI, ONTOLOGY_OWL, ONTOLOGY_TTL
from jalinan.ontology.reasoning import (
    InconsistentOntologyError,
    ReasonerError,
    check_with_hermit,
)

PREFIXES = """
@prefix jl:   <https://w3id.org/jalinan/ontology#> .
@prefix id:   <https://w3id.org/jalinan/id/> .
@prefix c:    <https://w3id.org/jalinan/concept/> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
"""

GOOD_FACTS = """
id:mou-ndrc a jl:MemorandumOfUnderstanding ;
    rdfs:label "Malaysia–NDRC MoU on digital economy cooperation"@en ;
    jl:hasParty id:malaysia , id:ndrc ;
    jl:qualifiedParty id:mou-ndrc\\/party\\/ndrc ;
    jl:signatory id:gobind ;
    jl:witness id:post-pm ;
    jl:hasStatus <https://w3id.org/jalinan/concept/agreement-status/exchanged> ;
    jl:hasTopic <https://w3id.org/jalinan/concept/topic/digital-economy> ;
    jl:concludedDuring id:xi-visit ;
    jl:date <https://w3id.org/jalinan/id/date/2025-04-16> .
<https://w3id.org/jalinan/id/mou-ndrc/party/ndrc> a jl:PartyRole ;
    jl:party id:ndrc ; jl:side id:china ; jl:representedBy id:zheng .
id:documents a jl:AgreementCollection ; jl:documentCount 14 ;
    jl:includesAgreement id:mou-ndrc ; jl:hasParty id:malaysia , id:china ;
    jl:qualifiedParty <https://w3id.org/jalinan/id/documents/party/china> .
<https://w3id.org/jalinan/id/documents/party/china> a jl:PartyRole ; jl:party id:china ;
    jl:side id:china .
id:xi-visit a jl:StateVisit ; jl:visitor id:xi ; jl:hostCountry id:malaysia ;
    jl:visitedPlace id:kuala-lumpur ; jl:met id:anwar , id:mosti ;
    jl:hasStatus <https://w3id.org/jalinan/concept/activity-status/held> ;
    jl:startDate <https://w3id.org/jalinan/id/date/2025-04> ; jl:includesEvent id:talks .
id:talks a jl:Meeting ; jl:participant id:anwar , id:china ; jl:edition 1 ;
    jl:occasion "state visit" .
id:malaysia a jl:Country . id:china a jl:Country .
id:asean a jl:InternationalOrganization ; jl:hasMember id:malaysia .
id:kuala-lumpur a jl:City ; jl:locatedIn id:malaysia ; jl:country id:malaysia .
id:ndrc a jl:GovernmentAgency ; jl:country id:china ; jl:acronym "NDRC" ; jl:matchKey "ndrc" .
id:mosti a jl:Ministry ; jl:subOrganizationOf id:malaysia-government .
id:malaysia-government a jl:NationalGovernment .
id:gobind a jl:Person ; jl:holdsPost id:post-digital-minister .
id:post-digital-minister a jl:Post ; jl:postIn id:mosti .
id:post-pm a jl:Post ; jl:postIn id:malaysia .
id:zheng a jl:Person . id:xi a jl:Person . id:anwar a jl:Person .
id:tiktok a jl:Company ; jl:parentCompany id:bytedance ;
    jl:sector <https://w3id.org/jalinan/concept/sector/social-media> .
id:bytedance a jl:Company .
id:dc a jl:Project ; jl:builder id:bytedance ; jl:location id:kuala-lumpur ;
    jl:expectedCompletion <https://w3id.org/jalinan/id/date/2027> ;
    jl:hasStatus <https://w3id.org/jalinan/concept/project-status/under-construction> .
id:trade-2024 a jl:Statistic ; jl:value 450.84 ; jl:unit "MYR billion" ;
    jl:measure <https://w3id.org/jalinan/concept/measure/bilateral-trade-value> ;
    jl:concerns id:malaysia , id:china ;
    jl:referencePeriod <https://w3id.org/jalinan/id/date/2024> .
<https://w3id.org/jalinan/id/date/2025-04-16> a time:Instant ; rdfs:label "2025-04-16" ;
    time:unitType time:unitDay ;
    jl:earliestDateTime "2025-04-16T00:00:00"^^xsd:dateTime ;
    jl:latestDateTime "2025-04-16T23:59:59"^^xsd:dateTime .
<https://w3id.org/jalinan/id/date/2025-04> a time:Instant ; time:unitType time:unitMonth ;
    jl:earliestDateTime "2025-04-01T00:00:00"^^xsd:dateTime ;
    jl:latestDateTime "2025-04-30T23:59:59"^^xsd:dateTime .
<https://w3id.org/jalinan/id/date/2024> a time:Instant ; time:unitType time:unitYear ;
    jl:earliestDateTime "2024-01-01T00:00:00"^^xsd:dateTime ;
    jl:latestDateTime "2024-12-31T23:59:59"^^xsd:dateTime .
<https://w3id.org/jalinan/id/date/2027> a time:Instant ; time:unitType time:unitYear .
<https://w3id.org/jalinan/id/article/39e3ab31b4f62a31> a jl:SourceArticle ;
    jl:headline "Malaysia, China ink MoUs" ; jl:sha256 "5f1c" ; jl:sourceFile "002.txt" ;
    jl:publisher id:bernama ; jl:citedSource id:bernama ;
    jl:publicationDate <https://w3id.org/jalinan/id/date/2025-04> .
id:bernama a jl:MediaOrganization , jl:GovernmentAgency .
<https://w3id.org/jalinan/id/evidence/39e3ab31b4f62a31/ab12> a jl:EvidenceQuote ;
    jl:quote "The MoUs were exchanged by Digital Minister Gobind Singh Deo" ;
    prov:wasQuotedFrom <https://w3id.org/jalinan/id/article/39e3ab31b4f62a31> ;
    jl:claimSubject id:mou-ndrc ; jl:claimPredicate jl:signatory ; jl:claimObject id:gobind ;
    jl:dateBasis <https://w3id.org/jalinan/concept/date-basis/inferred> ;
    jl:inferenceNote "'yesterday' against the dateline 2025-04-17" .
"""


def _ntriples(tmp_path: Path, name: str, turtle: str) -> Path:
    """Write ``turtle`` as N-Triples, the data format check_with_hermit takes besides RDF/XML."""
    target = tmp_path / f"{name}.nt"
    Graph().parse(data=PREFIXES + turtle, format="turtle").serialize(target, format="nt", encoding="utf-8")
    return target


def test_hermit_finds_ontology_consistent_without_unsatisfiable_classes() -> None:
    assert check_with_hermit([ONTOLOGY_OWL]) == []


def test_hermit_accepts_facts_in_the_architecture_shapes(tmp_path: Path) -> None:
    assert check_with_hermit([ONTOLOGY_OWL, _ntriples(tmp_path, "good", GOOD_FACTS)]) == []


def test_hermit_reports_inconsistent_facts(tmp_path: Path) -> None:
    # a ministry cannot sign: signatory's range is Person, disjoint from Organization
    bad = "id:mou a jl:MemorandumOfUnderstanding ; jl:signatory id:mosti . id:mosti a jl:Ministry ."
    with pytest.raises(InconsistentOntologyError):
        check_with_hermit([ONTOLOGY_OWL, _ntriples(tmp_path, "bad", bad)])


def test_hermit_reports_unsatisfiable_classes(tmp_path: Path) -> None:
    broken = "jl:Chimera a owl:Class ; rdfs:subClassOf jl:Person , jl:Organization ."
    found = check_with_hermit([ONTOLOGY_OWL, _ntriples(tmp_path, "unsat", broken)])
    assert found == [JL + "Chimera"]


def test_hermit_check_is_bounded_in_time() -> None:
    with pytest.raises(ReasonerError, match="did not finish"):
        check_with_hermit([ONTOLOGY_OWL], timeout=0.01)


def test_hermit_check_refuses_turtle() -> None:
    with pytest.raises(ValueError, match="not Turtle"):
        check_with_hermit([ONTOLOGY_TTL])


def test_owl_loads_in_owlready2() -> None:
    world = World()
    onto = world.get_ontology(ONTOLOGY_OWL.resolve().as_uri()).load()
    assert onto.base_iri == JL
    mou = world[JL + "MemorandumOfUnderstanding"]
    assert world[JL + "Agreement"] in mou.is_a
    assert world[JL + "isPartyTo"] == world[JL + "hasParty"].inverse_property
    assert len(list(onto.classes())) >= 45
    assert len(list(onto.object_properties())) >= 55


def test_owl_loads_in_py_horned_owl() -> None:
    onto = pyhornedowl.open_ontology(str(ONTOLOGY_OWL), "rdf")
    classes = set(onto.get_classes())
    assert {JL + "Agreement", JL + "Visit", JL + "Topic"} <= classes
    assert JL + "Agreement" in onto.get_superclasses(JL + "MemorandumOfUnderstanding")
    assert JL + "hasParty" in set(onto.get_object_properties())
    assert re.fullmatch(re.escape(ONTOLOGY_IRI) + r"/\d{4}-\d{2}-\d{2}", str(onto.get_version_iri()))
