"""Background facts rest on a public source, never on a quote, and are refused otherwise."""

import pytest

from jalinan.graph import open_store
from jalinan.ingest.errors import FactsInvalid
from tests.support import ingest_into, sorted_nquads
from tests.test_ingest_validation import write_valid_facts

BACKGROUND = """\
background:
  - about: ministry-of-testing
    source:
      url: "https://example.org/ministries"
      title: "A list of ministries"
    subOrganizationOf: government-of-testing
  - id: government-of-testing
    type: NationalGovernment
    label: Government of Testing
    source:
      url: "https://example.org/government"
      title: "The government's portal"
    country: malaysia
"""


@pytest.fixture
def corpus(tmp_path):
    facts, articles = write_valid_facts(tmp_path)
    (facts / "background.yaml").write_text(BACKGROUND, encoding="utf-8")
    return {"facts": facts, "articles": articles, "store": tmp_path / "store"}


def test_a_background_fact_is_written_apart_with_its_source_and_no_quote(corpus):
    ingest_into(corpus["store"], corpus["facts"], corpus["articles"])
    with open_store(corpus["store"], read_only=True) as store:
        result = store.query("""
            PREFIX jl: <https://w3id.org/jalinan/ontology#>
            PREFIX dcterms: <http://purl.org/dc/terms/>
            SELECT ?g ?url ?quote WHERE { GRAPH ?g {
              <https://w3id.org/jalinan/id/ministry-of-testing> jl:subOrganizationOf ?government .
              ?e jl:claimPredicate jl:subOrganizationOf ; a jl:BackgroundEvidence ; dcterms:source ?url .
              OPTIONAL { ?e jl:quote ?quote }
            } }""")
        [row] = result.rows
    assert row["g"].value == "https://w3id.org/jalinan/graph/background"
    assert row["url"].value == "https://example.org/ministries"
    assert "quote" not in row


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('      url: "https://example.org/ministries"\n', "", "background.yaml:3: source: needs `url:`"),
        (
            "    subOrganizationOf: government-of-testing\n",
            '    subOrganizationOf: government-of-testing\n    quote: "Malaysia and China signed"\n',
            "background.yaml:7: quote: a background fact rests on a `source: {url, title}`",
        ),
    ],
)
def test_a_background_fact_without_a_public_source_is_refused(corpus, old, new, message):
    ingest_into(corpus["store"], corpus["facts"], corpus["articles"])
    with open_store(corpus["store"]) as store:
        before = sorted_nquads(store)
    path = corpus["facts"] / "background.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    with pytest.raises(FactsInvalid) as raised:
        ingest_into(corpus["store"], corpus["facts"], corpus["articles"])
    assert any(message in str(e) for e in raised.value.errors), raised.value.errors
    with open_store(corpus["store"]) as store:
        assert sorted_nquads(store) == before
