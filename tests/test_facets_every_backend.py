"""The explorer's facet counts (`queries/facets/*.rq`) on every backend (the embedded store,
`oxigraph serve`, Virtuoso: `tests/backends.py`): each value's count is the number of rows the
list it links to holds, with no filter and under filters, as a reader choosing it expects."""

import httpx
import pytest

from tests.backends import over_every_backend
from tests.test_explorer_lists import LISTS, _page, _whole_list

api_server, http, _known = over_every_backend()


@pytest.mark.parametrize(
    ("path", "key", "facet"), [(path, key, facet) for path, key, facets in LISTS for facet in facets]
)
def test_every_facet_value_counts_the_rows_of_the_list_it_opens(
    http: httpx.Client, path: str, key: str, facet: str
) -> None:
    values = _page(http, path).facets[facet]
    assert values, f"the {facet} facet of {path} shows no value"
    for href, count in values:
        assert count > 0 and len(_whole_list(http, href, key)) == count, href


@pytest.mark.parametrize(
    "filters",
    [
        {"topic": "digital-economy", "year": "2025"},
        {"status": "signed", "side": "china"},
        {"party": "mosti"},
        {"kind": "MemorandumOfUnderstanding", "sort": "oldest"},
    ],
)
def test_under_filters_every_facet_value_counts_the_rows_it_leaves(
    http: httpx.Client, filters: dict[str, str]
) -> None:
    page = _page(http, "/agreements", **filters)
    # (a chosen value's link removes it, another value of a one-value facet replaces it: the
    # links that narrow further keep every filter)
    narrowing = [
        (href, count)
        for values in page.facets.values()
        for href, count in values
        if all(f"{name}={value}" in href for name, value in filters.items() if name != "sort")
    ]
    assert narrowing, f"no facet value narrows the list under {filters}"
    for href, count in narrowing:
        assert count > 0 and len(_whole_list(http, href, "agreement")) == count, href
