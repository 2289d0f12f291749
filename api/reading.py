"""The one read path for list queries: run a pipeline, get rows and whether a next page exists.

A list query is a folder of plain SPARQL files (`queries/<name>/page.rq`, `detail.rq`; see
`queries/README.md`), each runnable as-is in any SPARQL client. `read` runs it in three steps:

1. every parameter that names an entity or a concept is looked up with the one shared query
   `queries/shared/names.rq` (label, alias, acronym, id or IRI → IRIs of the kind asked for);
   a name that stands for nothing is reported in `Reading.unmatched`, so a view can answer
   "not found" (with suggestions, issue 15) rather than an empty list;
2. the page query, its parameters' `VALUES` blocks filled with pyoxigraph terms and
   `LIMIT size+1 OFFSET (page-1)*size` appended, gives the page's subjects in its stated order;
   the one past `size` only says that a next page exists (a page query read in parts, `then:`
   in its header, runs each part in turn with its own `LIMIT` and `OFFSET`: `_parts_subjects`);
3. the detail query, its `VALUES` block filled with those subjects, gives their rows, which are
   returned in the page's order (each subject's rows in the detail query's order); a
   parameter's block, where the detail query holds one too, is filled as in the page query.

A list paged by rows (`page: by: rows`, `people`: `_size` rows of the detail query, not
`_size` subjects) runs steps 2 and 3 in turns (`_row_steps`): the page query gives the
subjects in order from the page's `_start` on, the detail query their rows for a few subjects
at a time (one, then more while those read had few rows), until `_size + 1` rows are in; a page
that starts inside a subject leaves out the rows earlier pages gave. The cost of a page is that
of its rows (and of the whole of a subject it starts or ends in), not of the subjects before it.

Views (canned JSON/CSV/TSV/XML/HTML, friendly JSON, and the pages to come) call `read` and
choose the format at the end. It takes any `GraphStore` (time limit and trusted lane included),
so it works unchanged over a remote SPARQL backend. The HTTP views await `read_async`, which
awaits each query on the event loop (`query_serialized_async`: no thread per request); `read`
blocks on the store, for a worker thread, a test or the bench. Both drive the same steps.
"""

import json
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from importlib.resources import files
from pathlib import Path
from typing import Any

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    parse_query_results,
)

from jalinan.api import search_terms
from jalinan.graph import GraphStore, SelectResult
from jalinan.graph.namespaces import CONCEPT, ID, XSD
from jalinan.graph.results import Term, materialise
from jalinan.queries.catalogue import (
    Binding,
    CannedQuery,
    CatalogueError,
    Page,
    Parameter,
    ParameterError,
    fill_values,
    holds_values_block,
    name_rows,
    search_rows,
    start_text,
)

NAMES_QUERY = Path(str(files("jalinan.queries"))) / "shared" / "names.rq"
_NAMES_TEXT = NAMES_QUERY.read_text(encoding="utf-8")


@dataclass(frozen=True)
class Reading:
    """One page of a list: its rows (in order), and what the runner learnt on the way."""

    variables: list[str]
    rows: list[dict[str, Term]]
    subjects: list[tuple[Term, ...]] = field(default_factory=list)  # the page's, in order
    has_next: bool = False
    unmatched: dict[str, str] = field(default_factory=dict)  # parameter → the text that named nothing
    next_start: str | None = None  # a list paged by rows: the next page's `_start`


def _names_query(parameter: Parameter, text: str) -> str:
    return fill_values(_NAMES_TEXT, ("given", "givenKey"), name_rows(parameter, text), NAMES_QUERY)


def _named(parameter: Parameter, result: SelectResult) -> list[NamedNode]:
    """The look-up's IRIs of the kind `parameter` asks for (an entity under `/id/`, a concept of
    its scheme)."""
    prefix = f"{CONCEPT}{parameter.scheme}/" if parameter.type == "concept" else ID
    found = [row["iri"] for row in result.rows if row["iri"].value.startswith(prefix)]
    return [term for term in found if isinstance(term, NamedNode)]


def look_up(
    store: GraphStore, parameter: Parameter, text: str, *, timeout: float | None = None
) -> list[NamedNode]:
    """The IRIs a name stands for, of the kind `parameter` asks for; `ParameterError` if the
    text cannot be a name at all."""
    result = store.query(_names_query(parameter, text), timeout=timeout, trusted=True)
    assert isinstance(result, SelectResult)
    return _named(parameter, result)


# One step of the runner: the SPARQL to run next; the runner sends back its rows.
Steps = Generator[str, SelectResult, Reading]
Filling = Generator[str, SelectResult, tuple[str, dict[str, str]]]


def _filled(
    text: str,
    query: CannedQuery,
    raw: Mapping[str, str | None],
    version: str | None,
    resolved: Mapping[str, list[NamedNode]] | None = None,
) -> Filling:
    """`text` (the page query, or another query holding the same `VALUES` blocks, such as the
    search's facets) with the blocks of `query`'s parameters filled from the user's values, and
    the parameters whose text named nothing; yields the look-ups it needs run (names, the
    search vocabulary when not yet read at this data `version`). `ParameterError` names a
    missing or bad parameter. `resolved`: parameters whose IRIs the caller already knows (an
    entity page knows its own IRI, which may name a node without a match key, such as a date),
    bound as given with no look-up."""
    (filled,), unmatched = yield from _filled_all((text,), query, raw, version, resolved)
    return filled, unmatched


def _filled_all(
    texts: tuple[str, ...],
    query: CannedQuery,
    raw: Mapping[str, str | None],
    version: str | None,
    resolved: Mapping[str, list[NamedNode]] | None = None,
) -> Generator[str, SelectResult, tuple[tuple[str, ...], dict[str, str]]]:
    """`_filled` for several texts holding the same blocks (a page query and its `then:`
    parts), each parameter looked up once."""
    unmatched: dict[str, str] = {}

    def fill(variables: tuple[str, ...], data: Binding) -> tuple[str, ...]:  # each of `texts`, as now
        return tuple(fill_values(text, variables, data, query.path) for text in texts)

    for parameter in query.parameters:
        value = raw.get(parameter.name)
        block = parameter.block
        variables = block if isinstance(block, tuple) else (block,)
        if resolved is not None and parameter.name in resolved:
            texts = fill(variables, list(resolved[parameter.name]))
            continue
        if value is None or not value.strip():
            if parameter.required:
                raise ParameterError(parameter.name, f"the parameter `{parameter.name}` is required")
            texts = fill(variables, None)
            continue
        data: Binding
        if parameter.type in ("entity", "concept"):
            data = list(_named(parameter, (yield _names_query(parameter, value))))
            if not data:
                unmatched[parameter.name] = value
        elif parameter.type == "search":  # checked as written, then with the store's close words
            whole = parameter.binding(value)[parameter.variables[-1]]
            texts = fill((parameter.variables[-1],), whole)
            key = version  # (a handle with no version: the one ingest recorded, see search_terms)
            if key is None:
                key = search_terms.ingested_version((yield search_terms.VERSION_TEXT))
            words = search_terms.known(key)
            if words is None:
                words = search_terms.remember(key, (yield search_terms.WORDS_TEXT))
            data = search_rows(parameter.name, value, words.candidates)
        else:
            data = parameter.binding(value)[parameter.block]
        texts = fill(variables, data)
    return texts, unmatched


def fill_parameters(
    store: GraphStore,
    text: str,
    query: CannedQuery,
    raw: Mapping[str, str | None],
    *,
    timeout: float | None = None,
) -> tuple[str, dict[str, str]]:
    """`_filled`, its look-ups run on `store`, blocking (a worker thread)."""
    return _drive(_filled(text, query, raw, store.version), store, timeout)


def _drive(steps: Generator[str, SelectResult, Any], store: GraphStore, timeout: float | None) -> Any:
    """Run each SPARQL text `steps` yields on `store`, blocking, and send back its rows."""
    try:
        sparql = next(steps)
        while True:
            result = store.query(sparql, timeout=timeout, trusted=True)
            assert isinstance(result, SelectResult)
            sparql = steps.send(result)
    except StopIteration as done:
        return done.value


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet, and how many of the list's subjects (filters applied) have it."""

    value: Term
    label: str | None
    count: int


def _facet_steps(
    query: CannedQuery, facets_path: Path, raw: Mapping[str, str | None], version: str | None
) -> Generator[str, SelectResult, dict[str, list[FacetValue]]]:
    text, unmatched = yield from _filled(facets_path.read_text(encoding="utf-8"), query, raw, version)
    if unmatched:
        return {}
    result = yield text
    facets: dict[str, list[FacetValue]] = {}
    for row in result.rows:
        label = row.get("label")
        facets.setdefault(row["facet"].value, []).append(
            FacetValue(row["value"], label.value if label is not None else None, int(row["count"].value))
        )
    return facets


def facet_counts(
    store: GraphStore,
    query: CannedQuery,
    facets_path: Path,
    raw: Mapping[str, str | None],
    *,
    timeout: float | None = None,
) -> dict[str, list[FacetValue]]:
    """The facet counts of the list `query` under the user's filters `raw`: the plain query at
    `facets_path` (rows `?facet ?value ?label ?count`, holding the same `VALUES` blocks as the
    list's page query), its blocks filled exactly as `read` fills the page's. Facets in the
    order the query gives them (most frequent value first); none when a filter named nothing.
    Blocks on the store (a worker thread)."""
    return _drive(_facet_steps(query, facets_path, raw, store.version), store, timeout)  # type: ignore[no-any-return]


def _steps(
    query: CannedQuery,
    raw: Mapping[str, str | None],
    page: Page,
    version: str | None,
    resolved: Mapping[str, list[NamedNode]] | None = None,
) -> Steps:
    """The pipeline `query` for the user's parameter values (by name) and `page`, as the SPARQL
    texts it runs, one after another (each from the rows of the last): `read` and `read_async`
    drive it, one blocking on the store, the other awaiting it.

    `resolved`: parameters whose IRIs the caller already knows (an entity page knows its own
    IRI, which may name a node without a match key, such as a date), bound as given with no
    look-up. `ParameterError` names a missing or malformed parameter.
    """
    assert query.detail is not None and query.paging is not None, f"{query.path} is not a pipeline"
    page_texts, unmatched = yield from _filled_all(query.page_queries, query, raw, version, resolved)
    detail_variables = query.paging.counts
    if unmatched:  # a name that stands for nothing: no page (an empty VALUES would mean "anything")
        return Reading(_projection(query.detail), [], unmatched=unmatched)
    if query.paging.by_rows:
        return (yield from _row_steps(query, page_texts[0], page, raw))
    if len(page_texts) > 1:
        picked = yield from _parts_subjects(page_texts, page)
    else:
        picked = yield from _page_subjects(query, page_texts[0], page)
    subjects = _subjects(picked, detail_variables)
    has_next = page.size is not None and len(subjects) > page.size
    if page.size is not None:
        subjects = subjects[: page.size]
    if not subjects:
        return Reading(_projection(query.detail), [])
    data_rows = (
        [tuple(subject) for subject in subjects] if len(detail_variables) > 1 else [s[0] for s in subjects]
    )
    detail_text = _detail_parameters(query, raw)
    detail_text = fill_values(detail_text, detail_variables, data_rows, query.path)  # type: ignore[arg-type]
    detail = yield detail_text
    # rows in the page's order, by the subject variables the detail query returns
    shown = [i for i, v in enumerate(detail_variables) if v in detail.variables]
    place: dict[tuple[Term | None, ...], int] = {}
    for index, subject in enumerate(subjects):
        place.setdefault(tuple(subject[i] for i in shown), index)
    detail_variables = tuple(detail_variables[i] for i in shown)
    rows = sorted(
        detail.rows, key=lambda row: place.get(tuple(row.get(v) for v in detail_variables), len(place))
    )
    return Reading(detail.variables, rows, subjects=subjects, has_next=has_next)


def _row_steps(query: CannedQuery, page_text: str, page: Page, raw: Mapping[str, str | None]) -> Steps:
    """One page of a list paged by rows: the page query's subjects from `page.start` on (each
    with its list position), `size + 1` at a time, and the detail query's rows for a few of
    them at a time until `size + 1` rows are in (every row with `ALL_ROWS`). The rows of the
    subject at `page.start`'s position begin after the `skip` earlier pages gave; the detail
    query orders each subject's rows totally, so they are the same rows on each read.

    How many subjects at a time (`_next_window`): one first, then more only while those seen
    had few rows. A subject's rows cannot be read in part (they are sorted), so a subject read
    past the page's end costs all its rows for nothing: at 100,000 articles, the first page
    read a person with thousands of rows that way when the windows simply doubled (1, 2, 4);
    reading one subject at a time costs a query each (about 0.6 ms) on a page of many people
    with a few rows each."""
    paging = query.paging
    assert query.detail is not None and paging is not None and paging.start and paging.position
    subject_variable = paging.counts[0]
    first, skip = page.start if page.start is not None else (None, 0)
    start = None if first is None else [Literal(str(first), datatype=NamedNode(XSD + "decimal"))]
    text = fill_values(page_text, (paging.start,), start, query.path)
    detail_text = _detail_parameters(query, raw)
    wanted = None if page.size is None else page.size + 1
    taken: list[tuple[Term, int, int, list[dict[str, Term]]]] = []  # subject, position, skipped, rows
    variables, count, listed, window, most = _projection(query.detail), 0, 0, 1, 1
    while wanted is None or count < wanted:
        picked = yield text + ("" if wanted is None else f"\nLIMIT {wanted} OFFSET {listed}\n")
        subjects = [(row[subject_variable], int(Decimal(row[paging.position].value))) for row in picked.rows]
        while subjects and (wanted is None or count < wanted):
            group, subjects = (subjects, []) if wanted is None else (subjects[:window], subjects[window:])
            detail = yield fill_values(detail_text, paging.counts, [s for s, _ in group], query.path)  # type: ignore[misc]
            variables = detail.variables
            theirs: dict[Term | None, list[dict[str, Term]]] = {}
            for row in detail.rows:
                theirs.setdefault(row.get(subject_variable), []).append(row)
            for subject, position in group:
                skipped = skip if not taken and position == first else 0  # the page's first subject
                rows = theirs.get(subject, [])[skipped:]
                taken.append((subject, position, skipped, rows))
                count += len(rows)
                most = max(most, len(rows) + skipped)
            if wanted is not None:
                window = _next_window(window, wanted - count, most)
        listed += len(picked.rows)
        if wanted is None or len(picked.rows) < wanted:
            break
    rows, shown, next_start = [], [], None
    for subject, position, skipped, theirs_rows in taken:
        if page.size is not None and len(rows) + len(theirs_rows) > page.size:
            next_start = start_text(position, skipped + page.size - len(rows))
            theirs_rows = theirs_rows[: page.size - len(rows)]
        if theirs_rows:
            shown.append((subject,))
        rows += theirs_rows
        if next_start is not None:
            break
    return Reading(variables, rows, subjects=shown, has_next=next_start is not None, next_start=next_start)


def _next_window(last: int, wanted: int, most: int) -> int:
    """How many subjects the next detail read takes (`_row_steps`): a quarter of those the
    `wanted` rows would need if each had `most` rows (the most one had so far), so that a
    window rarely reaches past the page's end; at least one, at most `2 × last`."""
    return max(1, min(2 * last, wanted // (4 * most)))


def _subjects(picked: SelectResult, variables: tuple[str, ...]) -> list[tuple[Term | None, ...]]:
    return list(dict.fromkeys(tuple(row.get(v) for v in variables) for row in picked.rows))


def _page_subjects(query: CannedQuery, text: str, page: Page) -> Generator[str, SelectResult, SelectResult]:
    """The page query's rows for `page` (`LIMIT size+1 OFFSET …` appended). One that reads its
    list by blocks (`window:` in its header) runs with a window of the first of its `windows`
    (so many blocks), again with a wider one while the page is not full (`_wider`), then with
    every block: the blocks never decrease along the list, so the rows of a window come before
    any row outside it, and a full page from a window is that page of the whole list. A window
    is read from the list's start (`LIMIT offset+size+1`, the page cut here), so that one which
    falls short tells how many rows it held."""
    assert query.paging is not None
    clause = "" if page.size is None else f"\nLIMIT {int(page.size) + 1} OFFSET {int(page.offset)}\n"
    variable = query.paging.window
    if variable is None:
        return (yield text + clause)
    if page.size is not None:
        needed = page.offset + page.size + 1
        blocks = 0
        for listed in query.paging.windows:
            blocks = max(listed, blocks)
            window = fill_values(text, (variable,), [Literal(blocks)], query.path)
            picked = yield f"{window}\nLIMIT {needed}\n"
            held = len(picked.rows)
            if held >= needed and len(_subjects(picked, query.paging.counts)) > page.offset + page.size:
                return SelectResult(picked.variables, picked.rows[page.offset :])
            blocks = _wider(blocks, needed, held)
    return (yield fill_values(text, (variable,), None, query.path) + clause)


def _parts_subjects(texts: tuple[str, ...], page: Page) -> Generator[str, SelectResult, SelectResult]:
    """The rows of a page whose query is read in parts (`then:` in its header): each part in
    turn, from where the page starts, until `_size + 1` rows are read. Each part has its own
    `LIMIT` and `OFFSET`, so the order across parts is the runner's, whatever an engine does
    with a `UNION`, and the parts after a full page are never run. A part the page starts
    beyond (no row at its offset) is counted (`_count_query`) to know how far into the next
    the page starts: on a later page only, as costly as the `OFFSET` that skipped it."""
    rows: list[dict[str, Term]] = []
    variables: list[str] = []
    skip = 0 if page.size is None else int(page.offset)
    for text in texts:
        if page.size is None:
            picked = yield text
        else:
            picked = yield f"{text}\nLIMIT {int(page.size) + 1 - len(rows)} OFFSET {skip}\n"
        variables = variables or list(picked.variables)
        rows += picked.rows
        if picked.rows:
            skip = 0
        elif skip:
            counted = yield _count_query(text)
            skip = max(0, skip - int(counted.rows[0]["rows"].value))  # (≥ 0 if the data changed meanwhile)
        if page.size is not None and len(rows) > page.size:
            break
    return SelectResult(variables, rows)


def _count_query(text: str) -> str:
    """How many rows the SELECT query `text` gives: its prologue, then the query as a subquery
    of `SELECT (COUNT(*) AS ?rows)`; the query's own text is not changed."""
    prologue, select = text.split("\nSELECT", 1)
    return f"{prologue}\nSELECT (COUNT(*) AS ?rows) WHERE {{\n{{\nSELECT{select}\n}}\n}}\n"


def _wider(blocks: int, needed: int, held: int) -> int:
    """A window that should fill the page, from the `held` rows a window of `blocks` gave:
    scaled to the rows `needed`, and a quarter again (0, to take the next listed window, when
    it gave none). So a filter that keeps one item in ten reads about ten times the blocks at the
    second try, rather than the next listed window and then the one after (measured on the
    timeline: `queries/README.md`, "The timeline and the charts")."""
    return -(-blocks * needed * 5 // (held * 4)) if held else 0


def _detail_parameters(query: CannedQuery, raw: Mapping[str, str | None]) -> str:
    """The detail query with the block of each parameter it holds too filled (`direct` in
    `agreements-by-party`: its rows, too, depend on it); only values that need no look-up."""
    assert query.detail is not None
    text = query.detail
    for parameter in query.parameters:
        block = parameter.block
        variables = block if isinstance(block, tuple) else (block,)
        if variables == query.paging.counts or not holds_values_block(text, variables):  # type: ignore[union-attr]
            continue  # (the subjects' block, filled with the page's subjects)
        if parameter.type in ("entity", "concept", "search"):
            raise CatalogueError(f"{query.path}: a detail query may hold only a plain value's block")
        value = raw.get(parameter.name)
        data = None if value is None or not value.strip() else parameter.binding(value)[parameter.block]
        text = fill_values(text, variables, data, query.path)
    return text


def read(
    store: GraphStore,
    query: CannedQuery,
    raw: Mapping[str, str | None],
    page: Page,
    *,
    timeout: float | None = None,
    resolved: Mapping[str, list[NamedNode]] | None = None,
) -> Reading:
    """Run the pipeline `query` for the user's parameter values (by name) and `page`, blocking
    on the store (a worker thread, a test, the bench); `resolved` as for `_steps`.

    `ParameterError` names a missing or malformed parameter; store errors propagate.
    """
    return _drive(_steps(query, raw, page, store.version, resolved), store, timeout)  # type: ignore[no-any-return]


async def read_async(
    store: GraphStore,
    query: CannedQuery,
    raw: Mapping[str, str | None],
    page: Page,
    *,
    timeout: float | None = None,
) -> Reading:
    """`read` for a caller on the event loop: each query is awaited with the store's
    `query_serialized_async` (the pool its worker's pipe, with no thread per request), its
    SPARQL JSON read back into terms here."""
    steps = _steps(query, raw, page, store.version)
    try:
        sparql = next(steps)
        while True:
            _, data = await store.query_serialized_async(
                sparql, QueryResultsFormat.JSON, RdfFormat.N_TRIPLES, timeout=timeout, trusted=True
            )
            sparql = steps.send(_select(data))
    except StopIteration as done:
        return done.value


def _select(data: bytes) -> SelectResult:
    """SPARQL JSON results as rows of terms (read in this thread, from bytes)."""
    solutions = parse_query_results(data, QueryResultsFormat.JSON)
    assert isinstance(solutions, QuerySolutions), "a list's queries are SELECT queries"
    result = materialise(solutions)
    assert isinstance(result, SelectResult)
    return result


def _projection(text: str) -> list[str]:
    """The variables a query's SELECT names (for an empty answer's header)."""
    line = next(line for line in text.splitlines() if line.startswith("SELECT"))
    return [word[1:] for word in line.split() if word.startswith("?")]


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    assert isinstance(term, Literal), f"no SPARQL JSON for {term!r}"
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != _XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def serialize(reading: Reading, results_format: QueryResultsFormat) -> bytes:
    """The page's rows as SPARQL results: JSON written here (W3C SPARQL 1.1 Query Results JSON),
    any other format by pyoxigraph from that JSON, so every format holds the same rows."""
    document = {
        "head": {"vars": reading.variables},
        "results": {
            "bindings": [{name: _json_term(term) for name, term in row.items()} for row in reading.rows]
        },
    }
    data = json.dumps(document, ensure_ascii=False).encode()
    if results_format == QueryResultsFormat.JSON:
        return data
    solutions = parse_query_results(data, QueryResultsFormat.JSON)
    assert isinstance(solutions, QuerySolutions)
    return solutions.serialize(format=results_format)
