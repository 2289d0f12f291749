"""Pages of the canned list queries: which page a request asks for, and the link to the next.

A paged query (`page:` in its header, see `queries/catalogue.py`) answers `_size` subjects
(agreements, visits, people…) with all their rows, from the `_page`-th page (1-based). Both
are validated integers; anything else is a 422 naming the parameter. The answer links to the
next page (`Link: <…>; rel="next"`, and `next` in the friendly JSON) when this page is full.
A last page that happens to be full links to an empty page, which has no next link: knowing
there is no more would cost a second query (or one subject more, and cutting its rows out of
serialised results), for the price of one extra request at the very end of a list. A page of
a CONSTRUCT (`describe`) is linked onwards unless it is surely the last (`graph_may_be_full`).

A list paged by rows (`people`: `_size` rows, not subjects) has no page numbers: its next link
carries `_start`, the place where the next page begins, which the runner worked out
(`Reading.next_start`), and it links on only when a next row exists.
"""

import json
from urllib.parse import urlencode

from pyoxigraph import QueryResultsFormat, QuerySolutions, RdfFormat, parse, parse_query_results

from jalinan.api.errors import unprocessable
from jalinan.graph.results import SelectResult
from jalinan.queries.catalogue import (
    PAGE_PARAMETER,
    SIZE_PARAMETER,
    START_PARAMETER,
    CannedQuery,
    Page,
    ParameterError,
)

PAGE_PARAMETERS = (SIZE_PARAMETER, PAGE_PARAMETER, START_PARAMETER)


def requested_page(query: CannedQuery, pairs: list[tuple[str, str]]) -> Page:
    """The page a request asks for (`_size`, `_page`, `_start`); 422 naming a repeated or bad one."""
    given: dict[str, str] = {}
    for key, value in pairs:
        if key in PAGE_PARAMETERS:
            if key in given:
                raise unprocessable(f"`{key}` is given more than once", parameter=key)
            given[key] = value
    try:
        return query.page_request(
            given.get(SIZE_PARAMETER), given.get(PAGE_PARAMETER), given.get(START_PARAMETER)
        )
    except ParameterError as exc:
        raise unprocessable(exc.message, parameter=exc.parameter) from exc


def next_href(path: str, pairs: list[tuple[str, str]], page: Page, start: str | None = None) -> str:
    """This request's path and parameters, with `_page` one on (other parameters as given); for
    a list paged by rows, with `start` (`Reading.next_start`) as its `_start` instead."""
    if start is not None:
        kept = [(k, v) for k, v in pairs if k not in (PAGE_PARAMETER, START_PARAMETER)]
        return f"{path}?{urlencode([*kept, (START_PARAMETER, start)])}"
    kept = [(k, v) for k, v in pairs if k != PAGE_PARAMETER]
    return f"{path}?{urlencode([*kept, (PAGE_PARAMETER, str(page.number + 1))])}"


def link_header(href: str) -> str:
    return f'<{href}>; rel="next"'


def subjects_in(data: bytes, results_format: QueryResultsFormat, variables: tuple[str, ...]) -> int:
    """How many distinct values of `variables` serialised SELECT results hold (the page's subjects)."""
    if results_format == QueryResultsFormat.JSON:
        rows = json.loads(data)["results"]["bindings"]
        return len({json.dumps([row.get(v) for v in variables], sort_keys=True) for row in rows})
    solutions = parse_query_results(data, results_format)
    assert isinstance(solutions, QuerySolutions)
    return len({tuple(str(row[v]) for v in variables) for row in solutions})


def subjects_in_rows(result: SelectResult, variables: tuple[str, ...]) -> int:
    """How many distinct values of `variables` materialised rows hold."""
    return len({tuple(str(row.get(v)) for v in variables) for row in result.rows})


def graph_may_be_full(page: Page, data: bytes, rdf_format: RdfFormat) -> bool:
    """Whether a page of a paged CONSTRUCT may hold `page.size` subjects. Its triples do not say
    which subjects it counted, but each subject gives at least one triple of its own, so a page
    with fewer triples than that is surely the last; otherwise the next page is linked, and may be
    empty. (`/id/…` knows its entity, and counts its statements exactly.)"""
    if page.size is None:
        return False
    return sum(1 for _ in parse(data, format=rdf_format)) >= page.size


def is_full(query: CannedQuery, page: Page, subjects: int) -> bool:
    """Whether a page holds as many subjects as it may (so a next page may hold more)."""
    return query.paging is not None and page.size is not None and subjects >= page.size
