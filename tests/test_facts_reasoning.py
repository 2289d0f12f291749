"""HermiT finds the ontology plus every curated fact consistent, from the file Protégé would open."""

from pathlib import Path

from jalinan.cli import main
from jalinan.ontology.reasoning import check_with_hermit
from tests.support import ingest_into


def test_hermit_finds_ontology_plus_all_facts_consistent(tmp_path: Path):
    store = tmp_path / "store"
    ingest_into(store)
    exported = tmp_path / "jalinan-with-facts.owl"
    assert main(["export", "--store", str(store), "--format", "owl", "--output", str(exported)]) == 0
    text = exported.read_text(encoding="utf-8")
    assert "https://w3id.org/jalinan/id/mosti" in text

    unsatisfiable = check_with_hermit([exported], timeout=240)

    assert unsatisfiable == []
