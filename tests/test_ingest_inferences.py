"""Inferences in the YAML: several quotes from several articles, a note, a basis; date bounds.

A small corpus of two articles is written here (not the curated facts), so that each case shows
one rule: what an inference is written as in RDF, and how a malformed one is refused.
"""

import hashlib
import textwrap
from pathlib import Path

import pytest

from jalinan.graph import SelectResult, open_store
from jalinan.graph.namespaces import TIES_GRAPH
from jalinan.ingest.errors import FactsInvalid
from tests.support import ingest_into, sorted_nquads
from tests.test_ingest_validation import write_valid_facts

SECOND_TEXT = (
    "date 2025-04-17 The ceremony took place on Wednesday.\nThe MoU was exchanged at the ceremony.\n"
)
SECOND_FILE = "901_beadbeadbeadbead.txt"
SECOND = """\
article:
  id: beadbeadbeadbead
  source_file: {source_file}
  sha256: {sha256}
facts:
  - about: article
    quote: "date 2025-04-17"
    publicationDate: "2025-04-17"
  - id: ceremony-test
    type: Ceremony
    label: Test ceremony
    quote: "The ceremony took place on Wednesday."
    hasStatus: activity-status:held
"""
TIES = """\
ties:
  - about: mou-test-digital-economy
    claims:
      - inferred: "the MoU of the first article is the one exchanged at the ceremony of the second"
        quotes:
          - article: feedfacefeedface
            quote: "Malaysia and China signed a memorandum of understanding on the digital economy yesterday."
          - article: beadbeadbeadbead
            quote: "The MoU was exchanged at the ceremony."
        concludedDuring: ceremony-test
  - about: mou-test-digital-economy
    claims:
      - inferred: "reported as done in an article dated 2025-04-17"
        quotes:
          - article: beadbeadbeadbead
            quote: "date 2025-04-17"
        date: {by: "2025-04-17"}
"""
NOTE = "the MoU of the first article is the one exchanged at the ceremony of the second"
PREFIXES = "PREFIX jl: <https://w3id.org/jalinan/ontology#>\nPREFIX prov: <http://www.w3.org/ns/prov#>\n"


@pytest.fixture
def corpus(tmp_path: Path) -> dict[str, Path]:
    facts, articles = write_valid_facts(tmp_path)
    (articles / SECOND_FILE).write_text(SECOND_TEXT, encoding="utf-8")
    digest = hashlib.sha256(SECOND_TEXT.encode()).hexdigest()
    (facts / "articles" / "901_beadbeadbeadbead.yaml").write_text(
        SECOND.format(source_file=SECOND_FILE, sha256=digest), encoding="utf-8"
    )
    (facts / "ties.yaml").write_text(TIES, encoding="utf-8")
    return {"facts": facts, "articles": articles, "store": tmp_path / "store"}


def query(store_path: Path, sparql: str) -> list[dict]:
    with open_store(store_path, read_only=True) as store:
        result = store.query(PREFIXES + textwrap.dedent(sparql))
    assert isinstance(result, SelectResult)
    return [{k: v.value for k, v in row.items()} for row in result.rows]


def refused(corpus: dict[str, Path], old: str, new: str) -> list[str]:
    """Break ties.yaml; the ingest must refuse it and leave the store as it was."""
    ingest_into(corpus["store"], corpus["facts"], corpus["articles"])
    with open_store(corpus["store"]) as store:
        before = sorted_nquads(store)
    path = corpus["facts"] / "ties.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test set-up: {old!r} not in ties.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(FactsInvalid) as raised:
        ingest_into(corpus["store"], corpus["facts"], corpus["articles"])
    with open_store(corpus["store"]) as store:
        assert sorted_nquads(store) == before
    return [str(error) for error in raised.value.errors]


def test_a_cross_article_inference_keeps_each_quote_with_its_article_basis_and_note(corpus):
    ingest_into(corpus["store"], corpus["facts"], corpus["articles"])
    rows = query(
        corpus["store"],
        f"""
        SELECT ?article ?quote ?basis ?note WHERE {{
          GRAPH <{TIES_GRAPH}> {{
            <https://w3id.org/jalinan/id/mou-test-digital-economy> jl:concludedDuring
                <https://w3id.org/jalinan/id/ceremony-test> .
            ?e jl:claimPredicate jl:concludedDuring ; jl:quote ?quote ; prov:wasQuotedFrom ?article ;
               jl:basis ?basis ; jl:inferenceNote ?note .
          }}
        }}""",
    )
    assert {(r["article"].rsplit("/", 1)[-1], r["quote"]) for r in rows} == {
        (
            "feedfacefeedface",
            "Malaysia and China signed a memorandum of understanding on the digital economy yesterday.",
        ),
        ("beadbeadbeadbead", "The MoU was exchanged at the ceremony."),
    }
    assert {r["basis"].rsplit("/", 1)[-1] for r in rows} == {"inferred"}
    assert {r["note"] for r in rows} == {
        "the MoU of the first article is the one exchanged at the ceremony of the second"
    }


def test_a_latest_possible_date_is_a_bound_with_only_its_latest_moment(corpus):
    ingest_into(corpus["store"], corpus["facts"], corpus["articles"])
    rows = query(
        corpus["store"],
        """
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX time: <http://www.w3.org/2006/time#>
        SELECT ?label ?unit ?latest ?earliest ?basis WHERE {
          <https://w3id.org/jalinan/id/mou-test-digital-economy> jl:date ?d .
          ?d rdfs:label ?label ; time:unitType ?unit ; jl:latestDateTime ?latest .
          OPTIONAL { ?d jl:earliestDateTime ?earliest }
          ?e jl:claimPredicate jl:date ; jl:claimObject ?d ; jl:dateBasis ?basis .
        }""",
    )
    assert rows == [
        {
            "label": "by 2025-04-17",
            "unit": "http://www.w3.org/2006/time#unitDay",
            "latest": "2025-04-17T23:59:59",
            "basis": "https://w3id.org/jalinan/concept/date-basis/inferred",
        }
    ]


def test_an_inference_without_its_note_is_refused_naming_file_and_line(corpus):
    errors = refused(
        corpus,
        f'      - inferred: "{NOTE}"\n',
        '      - inferred: ""\n',
    )
    assert any("ties.yaml:4: inferred: an inference needs `inferred:`" in e for e in errors), errors


def test_a_quote_of_an_inference_not_in_its_named_article_is_refused(corpus):
    errors = refused(
        corpus,
        '          - article: beadbeadbeadbead\n            quote: "The MoU was exchanged',
        '          - article: feedfacefeedface\n            quote: "The MoU was exchanged',
    )
    assert any("ties.yaml:9: quote: not found verbatim in 900_feedfacefeedface.txt" in e for e in errors), (
        errors
    )


def test_a_stated_claim_among_the_ties_is_refused(corpus):
    errors = refused(
        corpus,
        '      - inferred: "reported as done in an article dated 2025-04-17"\n        quotes:\n'
        '          - article: beadbeadbeadbead\n            quote: "date 2025-04-17"\n',
        '      - article: beadbeadbeadbead\n        quote: "date 2025-04-17"\n',
    )
    assert any("ties.yaml" in e and "every claim here is an inference" in e for e in errors), errors


def test_a_date_with_both_a_value_and_a_bound_is_refused(corpus):
    errors = refused(corpus, 'date: {by: "2025-04-17"}', 'date: {by: "2025-04-17", value: "2025-04-16"}')
    assert any("date: bad date: give one of `value`, `by` or `from`" in e for e in errors), errors


def test_a_stated_basis_inside_an_inference_is_refused(corpus):
    errors = refused(corpus, 'date: {by: "2025-04-17"}', 'date: {by: "2025-04-17", basis: stated}')
    assert any("a date in an inference is inferred" in e for e in errors), errors


def test_an_article_file_refuses_an_inference_quoting_another_article(corpus):
    path = corpus["facts"] / "articles" / "901_beadbeadbeadbead.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + """  - about: ceremony-test
    claims:
      - inferred: "the ceremony is the one of the other article"
        quotes:
          - quote: "The ceremony took place on Wednesday."
          - article: feedfacefeedface
            quote: "Malaysia and China signed a memorandum of understanding on the digital economy yesterday."
        hasTopic: [topic:digital-economy]
""",
        encoding="utf-8",
    )
    with pytest.raises(FactsInvalid) as raised:
        ingest_into(corpus["store"], corpus["facts"], corpus["articles"])
    assert any(
        "901_beadbeadbeadbead.yaml:20: article: a quote of article 'feedfacefeedface': write an inference "
        "across articles in ties.yaml" in str(e)
        for e in raised.value.errors
    ), raised.value.errors
