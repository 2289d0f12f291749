"""A page query read in parts (`then:` under `page:`, `queries/README.md`): a mistake in a new
pipeline folder is refused when the catalogue loads, naming the file, rather than answered as
a page that silently leaves rows out."""

import re
from pathlib import Path

import pytest

from jalinan.queries.catalogue import CatalogueError, load_pipeline

PAGE = """# title: Things, then others
# page:
#   counts: thing
#   size: 2
#   max: 10
#   then: [{then}]
# parameters:
#   kind:
#     type: kind
#     choices: [Person]
SELECT ?thing
WHERE {{
  VALUES ?kind {{ UNDEF }}
  ?thing a ?kind
}}
"""
PART = """# title: The others
SELECT ?thing
WHERE {
  VALUES ?kind { UNDEF }
  ?thing a ?kind
}
"""
DETAIL = """# title: Their labels
SELECT ?thing ?label
WHERE {
  VALUES ?thing { UNDEF }
  OPTIONAL { ?thing <http://www.w3.org/2000/01/rdf-schema#label> ?label }
}
"""


def _pipeline(folder: Path, then: str, **parts: str) -> Path:
    folder.mkdir()
    (folder / "page.rq").write_text(PAGE.format(then=then), encoding="utf-8")
    (folder / "detail.rq").write_text(DETAIL, encoding="utf-8")
    for name, text in parts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_a_pipeline_reads_its_parts_in_the_order_named(tmp_path: Path) -> None:
    parts = {"a.rq": PART, "b.rq": PART + "#b\n"}
    query = load_pipeline(_pipeline(tmp_path / "things", "b.rq, a.rq", **parts))
    assert query.paging is not None and query.paging.then == ("b.rq", "a.rq")
    assert query.page_queries == (query.text, PART + "#b\n", PART)


@pytest.mark.parametrize(
    ("then", "parts", "named"),
    [
        ("missing.rq", {}, "missing.rq, which is not there"),
        ("../page.rq", {}, "files beside it"),
        ("detail.rq", {}, "files beside it"),
        ("a.rq", {"a.rq": PART.replace("VALUES ?kind { UNDEF }", "")}, "a.rq: needs a `VALUES ?kind {"),
        ("a.rq", {"a.rq": PART + "LIMIT 5\n"}, "a.rq: no LIMIT"),
        ("a.rq", {"a.rq": PART.replace("SELECT ?thing", "SELECT ?other")}, "a.rq: a part of the page"),
        ("a.rq", {"a.rq": PART.replace("# title: The others\n", "")}, "a.rq: the header needs"),
    ],
)
def test_a_wrong_part_is_refused_naming_the_file(tmp_path: Path, then: str, parts: dict, named: str) -> None:
    with pytest.raises(CatalogueError, match=re.escape(named)):
        load_pipeline(_pipeline(tmp_path / "things", then, **parts))
