"""Bad facts get a precise error (file, line, field) and leave the store exactly as it was.

Each case starts from a small valid corpus written here (so the test does not depend on the
curated facts), ingests it, breaks one thing, and checks both the message and the store.
"""

import hashlib
import textwrap
from pathlib import Path

import pytest

from jalinan.cli import main
from jalinan.graph import open_store
from jalinan.ingest.errors import FactsInvalid
from jalinan.ingest.pipeline import build_corpus
from tests.support import ingest_into, sorted_nquads

ARTICLE_TEXT = (
    "Malaysia and China signed a memorandum of understanding on the digital economy yesterday.\n"
    "The MoU was signed by the Ministry of Testing (MOT) for Malaysia.\n"
    "The MOT is a Malaysian ministry.\n"
)
ARTICLE_FILE = "900_feedfacefeedface.txt"

ENTITIES = """\
entities:
  - id: malaysia
    type: Country
    label: Malaysia
    article: feedfacefeedface
    quote: "Malaysia and China signed"
  - id: china
    type: Country
    label: China
    article: feedfacefeedface
    quote: "Malaysia and China signed"
  - id: ministry-of-testing
    type: Ministry
    label: Ministry of Testing
    acronyms: [MOT]
    article: feedfacefeedface
    quote: "The MOT is a Malaysian ministry."
    country: malaysia
"""

ARTICLE = """\
article:
  id: feedfacefeedface
  source_file: {source_file}
  sha256: {sha256}
facts:
  - id: mou-test-digital-economy
    type: MemorandumOfUnderstanding
    label: Malaysia–China MoU on the digital economy
    quote: "Malaysia and China signed a memorandum of understanding on the digital economy yesterday."
    hasParty: {{malaysia: [ministry-of-testing], china: [china]}}
    hasStatus: agreement-status:signed
    hasTopic: [topic:digital-economy]
  - about: mou-test-digital-economy
    quote: "The MoU was signed by the Ministry of Testing (MOT) for Malaysia."
    involves: ministry-of-testing
"""


def write_valid_facts(root: Path) -> tuple[Path, Path]:
    """The small valid facts folder and its article text under `root`: (facts, articles)."""
    articles = root / "articles"
    articles.mkdir()
    (articles / ARTICLE_FILE).write_text(ARTICLE_TEXT, encoding="utf-8")
    facts = root / "facts"
    (facts / "articles").mkdir(parents=True)
    (facts / "entities.yaml").write_text(ENTITIES, encoding="utf-8")
    digest = hashlib.sha256(ARTICLE_TEXT.encode()).hexdigest()
    (facts / "articles" / "900_feedfacefeedface.yaml").write_text(
        ARTICLE.format(source_file=ARTICLE_FILE, sha256=digest), encoding="utf-8"
    )
    return facts, articles


@pytest.fixture
def corpus(tmp_path: Path) -> dict[str, Path]:
    """A valid facts folder, its article text, and a store holding it."""
    facts, articles = write_valid_facts(tmp_path)
    store = tmp_path / "store"
    ingest_into(store, facts, articles)
    return {"facts": facts, "articles": articles, "store": store}


def _break(corpus: dict[str, Path], file: str, old: str, new: str) -> Path:
    path = corpus["facts"] / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test set-up: {old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


ARTICLE_YAML = "articles/900_feedfacefeedface.yaml"

CASES = {
    "unknown entity reference": (
        ARTICLE_YAML,
        "china: [china]",
        "china: [chinaa]",
        10,
        "hasParty",
        "unknown entity reference 'chinaa'",
    ),
    "unknown class": (
        ARTICLE_YAML,
        "type: MemorandumOfUnderstanding",
        "type: MemorandumOfUnderstandings",
        7,
        "type",
        "unknown class 'MemorandumOfUnderstandings'",
    ),
    "unknown property": (
        ARTICLE_YAML,
        "    involves: ministry-of-testing",
        "    involvess: ministry-of-testing",
        15,
        "involvess",
        "unknown property 'involvess'",
    ),
    "bad date": (
        ARTICLE_YAML,
        "    hasTopic: [topic:digital-economy]",
        '    hasTopic: [topic:digital-economy]\n    date: "2025-02-30"',
        13,
        "date",
        "bad date: '2025-02-30': day 30 does not exist",
    ),
    "missing evidence": (
        ARTICLE_YAML,
        '    quote: "The MoU was signed by the Ministry of Testing (MOT) for Malaysia."\n',
        "",
        13,
        "quote",
        "missing evidence",
    ),
    "duplicate id": (
        "entities.yaml",
        "  - id: china\n",
        "  - id: malaysia\n",
        7,
        "id",
        "duplicate id 'malaysia'",
    ),
    "quote not verbatim": (
        ARTICLE_YAML,
        "The MoU was signed by the Ministry of Testing",
        "The MoU was signed by the Ministry of Tests",
        14,
        "quote",
        "not found verbatim in 900_feedfacefeedface.txt",
    ),
    "unknown concept": (
        ARTICLE_YAML,
        "agreement-status:signed",
        "agreement-status:sined",
        11,
        "hasStatus",
        "unknown concept 'agreement-status:sined'",
    ),
    "wrong kind of value": (
        ARTICLE_YAML,
        "    involves: ministry-of-testing",
        "    involves: topic:digital-economy",
        15,
        "involves",
        "expects",
    ),
    "a second English name": (
        "entities.yaml",
        "    label: Ministry of Testing\n",
        "    label: Ministry of Testing\n    labels: {ms: Kementerian Ujian, en-GB: Testing Ministry}\n",
        15,
        "labels",
        "`en-GB`: the English name is `label`",
    ),
    "invalid YAML": (ARTICLE_YAML, "facts:\n", "facts:\n  - id: [unclosed\n", 7, "", "invalid YAML"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_facts_name_file_line_and_field_and_leave_store_unchanged(corpus, case):
    file, old, new, line, field, message = CASES[case]
    with open_store(corpus["store"]) as store:
        before = sorted_nquads(store)
    path = _break(corpus, file, old, new)

    with pytest.raises(FactsInvalid) as raised:
        ingest_into(corpus["store"], corpus["facts"], corpus["articles"])

    rendered = [str(error) for error in raised.value.errors]
    expected_prefix = f"{path}:{line}: {field}: " if field else f"{path}:{line}: "
    assert any(r.startswith(expected_prefix) and message in r for r in rendered), rendered
    with open_store(corpus["store"]) as store:
        assert sorted_nquads(store) == before


def test_agreement_with_one_party_fails_the_shapes_and_writes_nothing(corpus):
    _break(
        corpus,
        ARTICLE_YAML,
        "hasParty: {malaysia: [ministry-of-testing], china: [china]}",
        "hasParty: {malaysia: [ministry-of-testing]}",
    )
    with pytest.raises(FactsInvalid) as raised:
        build_corpus(corpus["facts"], corpus["articles"])
    assert any(
        "at least two parties" in str(e) and "mou-test-digital-economy" in str(e) for e in raised.value.errors
    ), raised.value.errors


def test_wrong_checksum_is_reported_against_the_article_file(corpus):
    path = _break(corpus, ARTICLE_YAML, "sha256: ", "sha256: 00")
    with pytest.raises(FactsInvalid) as raised:
        build_corpus(corpus["facts"], corpus["articles"])
    assert any(str(e).startswith(f"{path}:2: article.sha256: does not match") for e in raised.value.errors)


def test_cli_ingest_of_bad_facts_exits_non_zero_and_says_nothing_was_written(corpus, capsys):
    _break(corpus, ARTICLE_YAML, "china: [china]", "china: [chinaa]")
    status = main(
        [
            "ingest",
            "--facts",
            str(corpus["facts"]),
            "--articles",
            str(corpus["articles"]),
            "--store",
            str(corpus["store"]),
        ]
    )
    err = capsys.readouterr().err
    assert status == 2
    assert "nothing was written" in err and "unknown entity reference 'chinaa'" in err


def test_validate_writes_nothing(corpus, tmp_path):
    store = tmp_path / "never-created"
    status = main(["validate", "--facts", str(corpus["facts"]), "--articles", str(corpus["articles"])])
    assert status == 0
    assert not store.exists()


def test_inferred_date_keeps_its_precision_basis_and_note(corpus):
    _break(
        corpus,
        ARTICLE_YAML,
        "    hasTopic: [topic:digital-economy]",
        "    hasTopic: [topic:digital-economy]\n"
        '    date: {value: "2025-04", basis: inferred, note: "\'last month\' against the dateline"}',
    )
    ingest_into(corpus["store"], corpus["facts"], corpus["articles"])
    with open_store(corpus["store"], read_only=True) as store:
        result = store.query(
            textwrap.dedent("""
            PREFIX jl: <https://w3id.org/jalinan/ontology#>
            PREFIX time: <http://www.w3.org/2006/time#>
            SELECT ?unit ?earliest ?latest ?basis ?note WHERE {
              <https://w3id.org/jalinan/id/mou-test-digital-economy> jl:date ?d .
              ?d time:unitType ?unit ; jl:earliestDateTime ?earliest ; jl:latestDateTime ?latest .
              ?e jl:claimPredicate jl:date ; jl:dateBasis ?basis ; jl:inferenceNote ?note .
            }""")
        )
    [row] = result.rows
    assert row["unit"].value == "http://www.w3.org/2006/time#unitMonth"
    assert (row["earliest"].value, row["latest"].value) == ("2025-04-01T00:00:00", "2025-04-30T23:59:59")
    assert row["basis"].value.endswith("date-basis/inferred")
    assert row["note"].value == "'last month' against the dateline"


def _evidenced(node: str, *triples: tuple[str, str, str]):
    """Triples about `node`, plus the evidence link the shapes look for."""
    from pyoxigraph import NamedNode, Triple

    jl = "https://w3id.org/jalinan/ontology#"
    out = [Triple(NamedNode(s), NamedNode(p), NamedNode(o)) for s, p, o in triples]
    out.append(Triple(NamedNode(node + "/evidence"), NamedNode(jl + "claimSubject"), NamedNode(node)))
    return out


def test_shapes_refuse_a_node_typed_with_an_undeclared_class():
    from jalinan.ingest.shape_check import shape_violations
    from jalinan.ingest.vocabulary import ontology_source

    node = "https://w3id.org/jalinan/id/thing"
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    graphs = {"g": _evidenced(node, (node, rdf_type, "https://w3id.org/jalinan/ontology#NotAClass"))}
    violations = shape_violations(graphs, ontology_source())
    assert any(v.startswith(node) and "classes the ontology declares" in v for v in violations), violations


def test_shapes_refuse_a_visit_without_host_country():
    from jalinan.ingest.shape_check import shape_violations
    from jalinan.ingest.vocabulary import ontology_source

    jl = "https://w3id.org/jalinan/ontology#"
    node = "https://w3id.org/jalinan/id/visit"
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    graphs = {
        "g": _evidenced(
            node,
            (node, rdf_type, jl + "OfficialVisit"),
            (node, jl + "visitor", "https://w3id.org/jalinan/id/someone"),
        )
    }
    violations = shape_violations(graphs, ontology_source())
    assert any(v.startswith(node) and "host country" in v for v in violations), violations


def test_shapes_see_only_what_they_read_yet_judge_as_on_the_whole_graph():
    """The shape check leaves out triples no shape reads (for speed at scale); on the curated
    facts with faults planted, its verdicts equal pyshacl's over the whole, unfiltered graph."""
    import pyshacl
    from pyoxigraph import NamedNode, RdfFormat, Triple, serialize
    from rdflib import Graph

    from jalinan.ingest.shape_check import SHAPES, shape_violations, violation_lines
    from jalinan.ingest.vocabulary import ontology_source

    corpus = build_corpus(check_shapes=False)
    graphs = {name: list(triples) for name, triples in corpus.graphs.items()}
    jl = "https://w3id.org/jalinan/ontology#"
    agreement = "https://w3id.org/jalinan/id/mou-mosti-sti-people-exchange"
    for name, triples in graphs.items():  # the agreement loses its parties, wherever stated
        graphs[name] = [
            t for t in triples if not (t.subject.value == agreement and t.predicate.value == jl + "hasParty")
        ]
    graphs["planted"] = [
        Triple(
            NamedNode("https://w3id.org/jalinan/id/e"), NamedNode(jl + "claimSubject"), NamedNode(jl + "x")
        ),
        Triple(
            NamedNode(jl + "x"),
            NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            NamedNode(jl + "NotAClass"),
        ),
    ]
    filtered = shape_violations(graphs, ontology_source())

    whole = Graph().parse(ontology_source(), format="turtle")
    for triples in graphs.values():
        whole.parse(data=serialize(triples, format=RdfFormat.N_TRIPLES), format="nt")
    _, report, _ = pyshacl.validate(
        whole, shacl_graph=Graph().parse(SHAPES), advanced=False, allow_warnings=True
    )
    unfiltered = violation_lines(report)

    assert filtered == unfiltered
    assert any(v.startswith(agreement + " ") for v in filtered), filtered
    assert any(v.startswith(jl + "x ") for v in filtered), filtered
