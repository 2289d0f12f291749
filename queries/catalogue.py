"""Read the canned queries and bind their parameters safely.

Each `queries/<name>.rq` starts with a header of `#` comment lines holding YAML (title,
description, parameters). The rest is plain SPARQL that runs as-is in any client: every
parameter appears as a `VALUES ?variable { … }` block holding the example value (or `UNDEF`).
Binding replaces the data of that block with pyoxigraph term objects, whose `str()` is a
correctly escaped SPARQL term, so raw user text never reaches the query text.

A parameter may fill a block of several variables (`VALUES (?party ?partyKey) { … }`): an
`entity` parameter binds one row per way of naming the entity (its IRI, its id, a match key),
which SPARQL joins as alternatives. All blocks are replaced in one pass over the original text,
so a bound value can never be mistaken for another parameter's block.

Parameter types (the `type` of a header parameter) and what the user's text becomes:

- `entity`: an IRI, an id (`mosti`), or a label, alias or acronym in any case; bound as rows
  `(<IRI> UNDEF)` and `(UNDEF "match key")` of a two-variable block `VALUES (?x ?xKey)`.
- `concept`: `scheme:name` or the concept's IRI (bound as the IRI), or any label, alias or name
  in any case (`AI`, `Digital economy`, `digital-economy`), bound as its match key; with two
  variables `VALUES (?c ?cKey)` like `entity`.
- `date`: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; the first (`bound: start`) or last (`bound: end`)
  `xsd:dateTime` of that period.
- `text`: free text, searched case-insensitively; its match key as a plain literal.
- `kind`: one of `choices` (class local names), in any case; the `jl:` class IRI.
- `choice`: one of `choices`, in any case; the choice as written there, a plain literal (a
  list's order: `sort=oldest`).
- `year`: `YYYY`, bound as an `xsd:integer` (compare it with `YEAR(?dateTime)`).
- `boolean`: `true` or `false`, in any case; an `xsd:boolean` literal (a query reads a value
  not given through `COALESCE(?x, false)`: the runner leaves the block `UNDEF`).
- `search`: words of a name; `variables: [position, token, positions, cost, whole]`: one row
  `(position token positions cost)` per candidate word (`search_rows`), here each word of the
  text itself (cost 0; the API adds words of the store that start with it or are a typo away,
  `api/search_terms.py`), and a block `VALUES ?whole { … }` of its own holding the whole
  text's match key (to put names equal to the text first).

Paging. A list is a pipeline (`load_pipeline`, run by `api/reading.py`); its page query may
name parts read after it, in turn (`then:` under `page:`, files beside `page.rq`). A single-file query
that pages (an entity's statements) declares `page:` in its header: `counts`, the variable (or
list of variables) whose distinct values a page counts; `size`, the default; `max`; `order`, in
words. It holds exactly one `LIMIT <size> OFFSET 0` clause, on the subquery that picks the
page's subjects, so the file as written answers the first page; `_size` and `_page` are
validated integers (`page_request`), and `bind_page` replaces that clause, found by its exact
text, with theirs; `ALL_ROWS` removes it. Nothing is found in a query's text by a pattern:
VALUES blocks and the page clause by their exact text only.
"""

import calendar
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from pyoxigraph import BlankNode, Literal, NamedNode

from jalinan.graph.keys import match_key, search_tokens
from jalinan.graph.namespaces import CONCEPT, ID, JL, XSD

Term = NamedNode | Literal | BlankNode
Row = tuple[Term | None, ...]
Binding = list[Term] | list[Row] | None
QUERIES_DIR = Path(str(files("jalinan.queries")))
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
PARAMETER_TYPES = ("entity", "concept", "date", "text", "kind", "choice", "year", "search", "boolean")
MAX_VALUE_LENGTH = 200
_ENTITY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*(/[A-Za-z0-9][A-Za-z0-9-]*)*$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_YEAR = re.compile(r"^\d{4}$")
# A `LIMIT n OFFSET m` clause: only to check that a paged file holds exactly one, its first page.
_PAGE_CLAUSE = re.compile(r"\bLIMIT\s+(\d+)\s+OFFSET\s+(\d+)\b")
# System parameters (they start with `_`, so they never clash with a query's own).
SIZE_PARAMETER = "_size"
PAGE_PARAMETER = "_page"
# Where a page of a list paged by rows begins (`page: by: rows`): `<position>:<skip>`, the
# list position of the page's first subject and how many of its rows earlier pages gave.
START_PARAMETER = "_start"
_START = re.compile(r"^([0-9]{1,18}):([0-9]{1,9})$")
# The last page number accepted: far beyond any list here, and it keeps OFFSET a small integer.
MAX_PAGE = 1_000_000
_POSITIVE_INTEGER = re.compile(r"^[0-9]{1,9}$")


class CatalogueError(Exception):
    """A canned-query file is malformed (a developer's mistake, caught by the tests)."""


class ParameterError(ValueError):
    """A user's parameter value is missing or invalid; `parameter` names it (an HTTP 422)."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class Parameter:
    """One parameter of a canned query, as declared in its header."""

    name: str
    type: str
    variables: list[str]
    required: bool = False
    description: str = ""
    example: str | None = None
    choices: list[str] = field(default_factory=list)
    scheme: str | None = None  # `concept`: the concept scheme (`topic`, `agreement-status`, …)
    bound: str = "start"  # `date`: which end of the period the value stands for

    def binding(self, raw: str | None) -> dict[str | tuple[str, ...], Binding]:
        """The VALUES data for this parameter's block from the user's text (None: not given).

        Raises `ParameterError` naming the parameter when the text is missing or malformed.
        """
        block = self.block
        if raw is None or raw.strip() == "":
            if self.required:
                raise ParameterError(self.name, f"the parameter `{self.name}` is required")
            return {block: None}
        text = raw.strip()
        if len(text) > MAX_VALUE_LENGTH:
            raise ParameterError(
                self.name, f"`{self.name}` is too long ({len(text)} characters; at most {MAX_VALUE_LENGTH})"
            )
        if self.type == "entity":
            return {block: _entity_rows(self.name, text)}
        if self.type == "concept":
            if len(self.variables) == 2:
                return {block: _concept_rows(self.name, text, self.scheme or "")}
            return {block: [_concept(self.name, text, self.scheme or "")]}
        if self.type == "date":
            return {block: [_date(self.name, text, self.bound)]}
        if self.type in ("kind", "choice"):
            by_key = {choice.casefold(): choice for choice in self.choices}
            if text.casefold() not in by_key:
                raise ParameterError(
                    self.name, f"`{self.name}` must be one of: {', '.join(self.choices)} (not {text!r})"
                )
            chosen = by_key[text.casefold()]
            return {block: [NamedNode(JL + chosen) if self.type == "kind" else Literal(chosen)]}
        if self.type == "year":
            if not _YEAR.match(text):
                raise ParameterError(self.name, f"`{self.name}` must be a year: YYYY (not {text!r})")
            return {block: [Literal(text, datatype=NamedNode(XSD + "integer"))]}
        if self.type == "boolean":
            if text.casefold() not in ("true", "false"):
                raise ParameterError(self.name, f"`{self.name}` must be true or false (not {text!r})")
            return {block: [Literal(text.casefold() == "true")]}
        if self.type == "search":
            rows = search_rows(self.name, text, lambda word: [(word, 0)])
            return {block: rows, self.variables[-1]: [Literal(match_key(text))]}
        key = match_key(text)
        if not key:
            raise ParameterError(self.name, f"`{self.name}` must not be empty")
        return {block: [Literal(key)]}

    @property
    def block(self) -> str | tuple[str, ...]:
        """The variable (or variables, for a multi-variable block) this parameter fills (a
        `search` parameter: the words' block; its last variable is a block of its own, the
        whole text's match key)."""
        if self.type == "search":
            return tuple(self.variables[:-1])
        return self.variables[0] if len(self.variables) == 1 else tuple(self.variables)


# Words a searcher adds that names seldom hold ("the ministry of science"): left out of the
# words every result must hold, unless the text holds nothing else.
SEARCH_STOP_WORDS = frozenset({"the", "of", "and", "for", "on", "in", "a", "an", "dan", "di", "ke"})
MAX_SEARCH_WORDS = 8


def search_words(text: str) -> list[str]:
    """The words of a searched text every result must hold (`search_tokens`, stop words out)."""
    words = search_tokens(text)
    kept = [word for word in words if word not in SEARCH_STOP_WORDS]
    return (kept or words)[:MAX_SEARCH_WORDS]


def search_rows(name: str, text: str, candidates: Callable[[str], list[tuple[str, int]]]) -> list[Row]:
    """The `search` block's rows: for each word of the text (its position, from 1), each
    candidate word of the names and its cost (0 the word itself, more for a prefix or typo),
    with the number of words on every row (so that the query can ask for entities holding
    every word)."""
    words = search_words(text)
    if not words:
        raise ParameterError(name, f"`{name}` holds no word to search for")
    count = _integer(len(words))
    rows: list[Row] = []
    for position, word in enumerate(words, start=1):
        for token, cost in candidates(word):
            rows.append((_integer(position), Literal(token), count, _integer(cost)))
    return rows


def _integer(value: int) -> Literal:
    return Literal(str(value), datatype=NamedNode(XSD + "integer"))


def _entity_rows(name: str, text: str) -> list[Row]:
    """Every way the text may name an entity: its IRI, or its match key and, if id-shaped, its id."""
    if text.startswith(("http://", "https://")):
        return [(_iri(name, text), None)]
    rows: list[Row] = []
    key = match_key(text)
    if key:
        rows.append((None, Literal(key)))
    if _ENTITY_ID.match(text):
        rows.append((_iri(name, ID + text.lower()), None))
    if not rows:
        raise ParameterError(name, f"`{name}` must not be empty")
    return rows


def name_rows(parameter: Parameter, text: str) -> list[Row]:
    """The ways `text` may name the entity or concept `parameter` asks for, as rows
    `(IRI, UNDEF)` and `(UNDEF, match key)` for the shared name look-up (`shared/names.rq`)."""
    text = text.strip()
    if len(text) > MAX_VALUE_LENGTH:
        raise ParameterError(
            parameter.name,
            f"`{parameter.name}` is too long ({len(text)} characters; at most {MAX_VALUE_LENGTH})",
        )
    if parameter.type == "concept":
        return _concept_rows(parameter.name, text, parameter.scheme or "")
    return _entity_rows(parameter.name, text)


def _iri(name: str, text: str) -> NamedNode:
    try:
        return NamedNode(text)
    except ValueError as exc:
        raise ParameterError(name, f"`{name}` is not a valid IRI: {exc}") from exc


def _concept(name: str, text: str, scheme: str) -> NamedNode:
    """A concept of `scheme` from its IRI, `scheme:name`, name or label (lower-cased, hyphenated)."""
    prefix = f"{CONCEPT}{scheme}/"
    if text.startswith(("http://", "https://")):
        if not text.startswith(prefix):
            raise ParameterError(name, f"`{name}` must be a concept of {prefix}…")
        text = text.removeprefix(prefix)
    elif text.casefold().startswith(scheme + ":"):
        text = text[len(scheme) + 1 :]
    slug = re.sub(r"[^a-z0-9]+", "-", match_key(text)).strip("-")
    if not _SLUG.match(slug):
        raise ParameterError(name, f"`{name}`: {text!r} is not a {scheme} name such as `{scheme}:…`")
    return _iri(name, prefix + slug)


def _concept_rows(name: str, text: str, scheme: str) -> list[Row]:
    """A concept named by IRI or `scheme:name` (one row), or by any label or alias, in any case:
    its match key, which ingest prepares for every concept (`AI`, `Artificial intelligence`)."""
    prefix = f"{CONCEPT}{scheme}/"
    if text.startswith(("http://", "https://")) or text.casefold().startswith(scheme + ":"):
        return [(_concept(name, text, scheme), None)]
    key = match_key(text)
    if not re.search(r"[^\W_]", key):
        raise ParameterError(name, f"`{name}`: {text!r} is not a {scheme} name or label")
    rows: list[Row] = [(None, Literal(key))]
    if _SLUG.match(key):
        rows.append((_iri(name, prefix + key), None))
    return rows


def _date(name: str, text: str, bound: str) -> Literal:
    """The first or last instant of a year, month or day, as `xsd:dateTime`."""
    match = _DATE.match(text)
    if not match:
        raise ParameterError(name, f"`{name}` must be a date: YYYY, YYYY-MM or YYYY-MM-DD (not {text!r})")
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None
    if month is not None and not 1 <= month <= 12:
        raise ParameterError(name, f"`{name}`: month {month} does not exist")
    if day is not None and not 1 <= day <= calendar.monthrange(year, month or 1)[1]:
        raise ParameterError(name, f"`{name}`: day {day} does not exist in {year}-{month:02d}")
    if bound == "end":
        month_end = month or 12
        day_end = day or calendar.monthrange(year, month_end)[1]
        lexical = f"{year:04d}-{month_end:02d}-{day_end:02d}T23:59:59"
    else:
        lexical = f"{year:04d}-{month or 1:02d}-{day or 1:02d}T00:00:00"
    return Literal(lexical, datatype=NamedNode(XSD + "dateTime"))


# The windows a page query read by blocks tries, in blocks, before reading every block
DEFAULT_WINDOWS = (1, 8, 64)


@dataclass(frozen=True)
class Paging:
    """How a list query pages, from its header's `page:`."""

    counts: tuple[str, ...]  # the variables whose distinct values a page counts (`agreement`)
    size: int  # the default page size, also the LIMIT written in the file
    max_size: int
    order: str = ""  # the documented order of the subjects, for readers of the listing
    # a pipeline's page query that reads its list by blocks: the variable of its `VALUES` block
    # of how many blocks to read, which the runner widens until the page is full (None: all)
    window: str | None = None
    windows: tuple[int, ...] = DEFAULT_WINDOWS  # the windows tried, in blocks, before every block
    # a pipeline's further page queries (`then:`, files beside `page.rq`), whose rows follow the
    # page query's, each read to its end before the next: an order across parts that rests on
    # the runner, not on how an engine orders a `UNION`
    then: tuple[str, ...] = ()
    # a pipeline paged by rows (`by: rows`, `people`): a page is `size` rows of the detail
    # query, not `size` subjects; `start` names the page query's `VALUES` block of the first
    # position to read, `position` the variable giving each subject's place in the list
    by_rows: bool = False
    start: str | None = None
    position: str | None = None


@dataclass(frozen=True)
class Page:
    """One page of a paged query: `size` subjects from the `number`-th page (1-based).

    `size` None is every subject (`ALL_ROWS`): the page clause is removed. A list paged by
    rows counts `size` rows and starts at `start` instead, (position, skip): the subject at
    that list position, after its first `skip` rows (None: the start of the list).
    """

    number: int = 1
    size: int | None = None
    start: tuple[int, int] | None = None

    @property
    def offset(self) -> int:
        return 0 if self.size is None else (self.number - 1) * self.size


ALL_ROWS = Page()


def _page_integer(name: str, raw: str, low: int, high: int) -> int:
    """A system parameter's integer, or `ParameterError` naming it."""
    text = raw.strip()
    if not _POSITIVE_INTEGER.match(text) or not low <= int(text) <= high:
        raise ParameterError(name, f"`{name}` must be a whole number from {low} to {high} (not {raw!r})")
    return int(text)


def _start(raw: str) -> tuple[int, int]:
    """`_start` as (position, skip), or `ParameterError` naming it."""
    match = _START.match(raw.strip())
    if not match:
        raise ParameterError(
            START_PARAMETER,
            f"`{START_PARAMETER}` is the place a page begins, as a next link gives it: "
            f"`<position>:<rows to skip>` (not {raw!r})",
        )
    return int(match.group(1)), int(match.group(2))


def start_text(position: int, skip: int) -> str:
    """The `_start` of the page that begins `skip` rows into the subject at `position`."""
    return f"{position}:{skip}"


@dataclass(frozen=True)
class CannedQuery:
    name: str
    title: str
    description: str
    parameters: list[Parameter]
    text: str
    path: Path
    paging: Paging | None = None
    # A pipeline (a folder: `page.rq`, `detail.rq`): the page query picks `_size + 1` subjects
    # in order, the detail query (`detail`) gives their rows; see `api/reading.py`.
    detail: str | None = None
    # the texts of the page query's parts named by `then:` (`Paging.then`), in that order
    continuations: tuple[str, ...] = ()

    @property
    def page_queries(self) -> tuple[str, ...]:
        """The page query and each of its `then:` parts, in the order their rows are read."""
        return (self.text, *self.continuations)

    @property
    def is_pipeline(self) -> bool:
        return self.detail is not None

    def page_request(
        self, size: str | None = None, number: str | None = None, start: str | None = None
    ) -> Page:
        """The page asked for by `_size` and `_page`, or `_start` for a list paged by rows
        (None: not given); `ParameterError` if bad.

        A query without paging answers everything, and refuses the parameters rather than
        ignoring them, so a client never believes it got one page of a longer list. Each list
        refuses the other way of naming a page (`_page` of a list paged by rows, `_start` of
        the others), for the same reason.
        """
        if self.paging is None:
            for name, raw in ((SIZE_PARAMETER, size), (PAGE_PARAMETER, number), (START_PARAMETER, start)):
                if raw is not None:
                    raise ParameterError(name, f"{self.name} answers everything at once: no `{name}`")
            return ALL_ROWS
        chosen = self.paging.size
        if size is not None:
            chosen = _page_integer(SIZE_PARAMETER, size, 1, self.paging.max_size)
        if self.paging.by_rows:  # `_page=1` alone is the first page, which a client may name
            if number is not None and (number.strip() != "1" or start is not None):
                raise ParameterError(
                    PAGE_PARAMETER,
                    f"{self.name} pages by rows from a place in the list: follow each page's next "
                    f"link (its `{START_PARAMETER}`); `{PAGE_PARAMETER}` only names the first page, 1",
                )
            return Page(size=chosen, start=None if start is None else _start(start))
        if start is not None:
            raise ParameterError(
                START_PARAMETER,
                f"{self.name} pages by `{PAGE_PARAMETER}` (`{START_PARAMETER}` is for a list paged by rows)",
            )
        page = 1 if number is None else _page_integer(PAGE_PARAMETER, number, 1, MAX_PAGE)
        return Page(number=page, size=chosen)

    def bind_page(self, text: str, page: Page | None) -> str:
        """`text` (this query, bound) with its page clause set for `page` (None: the first page
        at the default size, i.e. the clause as written); `ALL_ROWS` removes the clause. The
        clause is found by its exact text, `LIMIT <size> OFFSET 0` (checked once at load)."""
        if self.paging is None or page is None:
            return text
        clause = first_page_clause(self.paging.size)
        start = text.index(clause, _header_length(text))
        replacement = "" if page.size is None else f"LIMIT {int(page.size)} OFFSET {int(page.offset)}"
        return text[:start] + replacement + text[start + len(clause) :]

    def bind(self, values: Mapping[str | tuple[str, ...], Binding]) -> str:
        """The query text with each named VALUES block's data replaced by `values[variable]`.

        Keys are a variable name (data: a list of terms) or a tuple of names for a block
        `VALUES (?a ?b)` (data: a list of rows, `None` for UNDEF). `None` (or an empty list)
        leaves the variables unbound (`UNDEF`). Each block is found by its exact opening
        (`values_block`), every occurrence of it (a query may need the value in two branches of
        a UNION, which cannot see each other's bindings), and all are replaced in one pass over
        the original text, so bound data is never searched again.
        """
        body = _header_length(self.text)
        spans: list[tuple[int, int, tuple[str, ...], Binding]] = []
        for key, data in values.items():
            variables = _block_key(key)
            opening = values_block(variables)
            start = self.text.find(opening, body)
            if start < 0:
                raise CatalogueError(f"{self.path}: no `{opening} … }}` block to bind")
            while start >= 0:
                end = self.text.index("}", start + len(opening))
                spans.append((start + len(opening), end, variables, data))
                start = self.text.find(opening, end)
        parts, last = [], 0
        for start, end, variables, data in sorted(spans, key=lambda span: span[0]):
            parts += [self.text[last:start], f" {_values_data(variables, data)} "]
            last = end
        return "".join([*parts, self.text[last:]])

    def bind_parameters(self, raw: Mapping[str, str | None], page: Page | None = None) -> str:
        """Validate the user's values (by parameter name) and bind them; `ParameterError` if bad.

        `page`: which page of a paged query (None: the first, at the default size; `ALL_ROWS`:
        everything). The page clause holds only integers formatted here, never the user's text.
        """
        values: dict[str | tuple[str, ...], Binding] = {}
        for parameter in self.parameters:
            values.update(parameter.binding(raw.get(parameter.name)))
        return self.bind_page(self.bind(values), page)


def _block_key(key: str | tuple[str, ...]) -> tuple[str, ...]:
    return (key,) if isinstance(key, str) else tuple(key)


def _values_data(variables: tuple[str, ...], data: Binding) -> str:
    """The inside of a VALUES block: terms, or parenthesised rows for several variables."""
    if not data:
        return "UNDEF" if len(variables) == 1 else "(" + " ".join("UNDEF" for _ in variables) + ")"
    if len(variables) == 1:
        return " ".join(str(term[0] if isinstance(term, tuple) else term) for term in data)
    rows = []
    for row in data:
        assert isinstance(row, tuple) and len(row) == len(variables)
        rows.append("(" + " ".join("UNDEF" if term is None else str(term) for term in row) + ")")
    return " ".join(rows)


def _has_values_block(text: str, variables: list[str]) -> bool:
    return values_block(tuple(variables)) in text[_header_length(text) :]


def parse_header(text: str, path: Path) -> dict[str, Any]:
    """The YAML held in the leading `#` comment lines."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[2:] if line.startswith("# ") else line[1:])
    try:
        header = yaml.safe_load("\n".join(lines)) or {}
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path}: the header is not valid YAML: {exc}") from exc
    if not isinstance(header, dict) or not header.get("title"):
        raise CatalogueError(f"{path}: the header needs at least a `title`")
    return header


def load_query(path: Path) -> CannedQuery:
    text = path.read_text(encoding="utf-8")
    header = parse_header(text, path)
    parameters = []
    for name, spec in (header.get("parameters") or {}).items():
        spec = spec or {}
        variables = spec.get("variables") or [spec.get("variable") or name]
        kind = spec.get("type", "text")
        if kind not in PARAMETER_TYPES:
            raise CatalogueError(f"{path}: parameter {name!r} has unknown type {kind!r}")
        if name.startswith("_") or not re.match(r"^[a-z][a-z0-9_]*$", name):
            raise CatalogueError(f"{path}: parameter name {name!r} (`_` starts only system parameters)")
        if kind == "entity" and len(variables) != 2:
            raise CatalogueError(f"{path}: entity parameter {name!r} needs `variables: [iri, key]`")
        if kind == "concept" and not spec.get("scheme"):
            raise CatalogueError(f"{path}: concept parameter {name!r} needs a `scheme`")
        if kind in ("kind", "choice") and not spec.get("choices"):
            raise CatalogueError(f"{path}: {kind} parameter {name!r} needs its `choices`")
        parameters.append(
            Parameter(
                name=name,
                type=kind,
                variables=list(variables),
                required=bool(spec.get("required", False)),
                description=str(spec.get("description", "")).strip(),
                example=None if spec.get("example") is None else str(spec["example"]),
                choices=[str(c) for c in spec.get("choices", [])],
                scheme=spec.get("scheme"),
                bound=str(spec.get("bound", "start")),
            )
        )
        if not _has_values_block(text, list(variables)):
            block = " ".join("?" + v for v in variables)
            raise CatalogueError(f"{path}: parameter {name!r} has no `VALUES {block}` block")
    return CannedQuery(
        name=path.stem,
        title=str(header["title"]).strip(),
        description=str(header.get("description", "")).strip(),
        parameters=parameters,
        text=text,
        path=path,
        paging=_paging(header.get("page"), text, path),
    )


def _paging(spec: object, text: str, path: Path) -> Paging | None:
    """The header's `page:` checked against the query text: one page clause, as the first page."""
    clauses = _page_clauses(text)
    if spec is None:
        if clauses:
            raise CatalogueError(f"{path}: `LIMIT … OFFSET …` without a `page:` in the header")
        return None
    if not isinstance(spec, dict) or not spec.get("counts"):
        raise CatalogueError(f"{path}: `page:` needs `counts` (the variable a page counts), `size`, `max`")
    try:
        size, max_size = int(spec.get("size", 0)), int(spec.get("max", 0))
    except (TypeError, ValueError) as exc:
        raise CatalogueError(f"{path}: `page:` size and max are integers") from exc
    if not 1 <= size <= max_size:
        raise CatalogueError(f"{path}: `page:` needs 1 ≤ size ≤ max")
    if len(clauses) != 1 or clauses[0].group(0) != first_page_clause(size):
        raise CatalogueError(f"{path}: a paged query holds one `LIMIT {size} OFFSET 0` (its first page)")
    raw = spec["counts"]
    counts = tuple(str(v) for v in raw) if isinstance(raw, list) else (str(raw),)
    for variable in counts:
        if not re.search(rf"SELECT\s+(DISTINCT\s+)?[^{{]*\?{re.escape(variable)}\b", text):
            raise CatalogueError(f"{path}: the page counts ?{variable}, which the query does not select")
    return Paging(counts=counts, size=size, max_size=max_size, order=str(spec.get("order", "")).strip())


def _page_clauses(text: str) -> list[re.Match[str]]:
    """`LIMIT n OFFSET m` clauses outside comment lines (a header may mention one)."""
    found = []
    for match in _PAGE_CLAUSE.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        if not text[line_start : match.start()].lstrip().startswith("#"):
            found.append(match)
    return found


def first_page_clause(size: int) -> str:
    """How a paged single-file query writes its first page (found by this exact text)."""
    return f"LIMIT {size} OFFSET 0"


def values_block(variables: tuple[str, ...]) -> str:
    """How a pipeline file opens the VALUES block of these variables (`VALUES ?a {`,
    `VALUES (?a ?b) {`): written exactly so, once, so that it is found without a pattern."""
    names = " ".join("?" + v for v in variables)
    return f"VALUES {names if len(variables) == 1 else '(' + names + ')'} {{"


def fill_values(text: str, variables: tuple[str, ...], data: Binding, path: Path | str = "") -> str:
    """`text` with the data of each of its `values_block(variables)` replaced by `data` (terms,
    or rows of terms for several variables; None or empty: UNDEF). Found by exact text.

    Usually written once; a query repeats the block in each branch of a `UNION` that needs the
    value (the branches do not see each other's bindings, and Oxigraph starts a branch from a
    `VALUES` block only inside it: `agreements-by-party`)."""
    opening = values_block(variables)
    body = _header_length(text)  # a header may mention the block; only the query's counts
    if text.count(opening, body) < 1:
        raise CatalogueError(f"{path}: needs a `{opening} … }}` block")
    filled = _values_data(variables, data)
    out, cursor = [text[:body]], body
    while (found := text.find(opening, cursor)) != -1:
        start = found + len(opening)
        end = text.index("}", start)
        out.append(f"{text[cursor:start]} {filled} ")
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def holds_values_block(text: str, variables: tuple[str, ...]) -> bool:
    """Whether the query (below its header) opens a `values_block(variables)`."""
    return values_block(variables) in text[_header_length(text) :]


def _header_length(text: str) -> int:
    """Where the leading `#` comment lines (the header) end."""
    offset = 0
    for line in text.splitlines(keepends=True):
        if not line.startswith("#"):
            break
        offset += len(line)
    return offset


def load_pipeline(folder: Path) -> CannedQuery:
    """A list query written as a pipeline: `page.rq` (header, parameters, page order) and
    `detail.rq`. The page query has no LIMIT (the runner appends `LIMIT size+1 OFFSET n`), each
    parameter is one `VALUES ?variable { … }` block in it (an example as written), and the
    detail query holds one `VALUES` block of the page's subjects (the page's `counts`)."""
    page_path, detail_path = folder / "page.rq", folder / "detail.rq"
    text = page_path.read_text(encoding="utf-8")
    header = parse_header(text, page_path)
    page = header.get("page")
    if not isinstance(page, dict) or not page.get("counts"):
        raise CatalogueError(f"{page_path}: a pipeline's page query needs `page:` with `counts`")
    if _page_clauses(text) or re.search(r"\bLIMIT\b", text.split("\nSELECT", 1)[-1]):
        raise CatalogueError(f"{page_path}: no LIMIT: the runner appends the page's")
    counts = tuple(page["counts"]) if isinstance(page["counts"], list) else (str(page["counts"]),)
    parameters = []
    for name, spec in (header.get("parameters") or {}).items():
        spec = spec or {}
        variables = [str(v) for v in spec.get("variables") or [spec.get("variable") or name]]
        kind = spec.get("type", "text")
        if kind not in PARAMETER_TYPES:
            raise CatalogueError(f"{page_path}: parameter {name!r} has unknown type {kind!r}")
        if kind in ("kind", "choice") and not spec.get("choices"):
            raise CatalogueError(f"{page_path}: {kind} parameter {name!r} needs its `choices`")
        blocks = [tuple(variables[:-1]), (variables[-1],)] if kind == "search" else [tuple(variables)]
        for block in blocks:
            fill_values(text, block, None, page_path)  # the block is there, once
        parameters.append(
            Parameter(
                name=name,
                type=kind,
                variables=variables,
                required=bool(spec.get("required", False)),
                description=str(spec.get("description", "")).strip(),
                example=None if spec.get("example") is None else str(spec["example"]),
                choices=[str(c) for c in spec.get("choices", [])],
                scheme=spec.get("scheme"),
                bound=str(spec.get("bound", "start")),
            )
        )
    window = page.get("window")
    windows = page.get("windows", list(DEFAULT_WINDOWS))
    if window is not None:
        window = str(window)
        fill_values(text, (window,), None, page_path)  # the block is there
    by = str(page.get("by", "subjects"))
    if by not in ("subjects", "rows"):
        raise CatalogueError(f"{page_path}: `page:` `by` is `subjects` (the default) or `rows`")
    start = position = None
    if by == "rows":
        start, position = page.get("start"), page.get("position")
        if not start or not position or window is not None:
            raise CatalogueError(f"{page_path}: `by: rows` needs `start` and `position`, and no `window`")
        start, position = str(start), str(position)
        fill_values(text, (start,), None, page_path)  # the block is there
        if not re.search(rf"SELECT\s+[^{{]*\?{re.escape(position)}\b", text):
            raise CatalogueError(f"{page_path}: the page query does not select ?{position}")
    if not isinstance(windows, list) or not all(isinstance(w, int) and w > 0 for w in windows):
        raise CatalogueError(f"{page_path}: `page:` `windows` is a list of whole numbers of blocks")
    then = page.get("then") or []
    if not isinstance(then, list) or not all(isinstance(name, str) for name in then):
        raise CatalogueError(f"{page_path}: `page:` `then` is a list of files beside page.rq")
    if then and (window is not None or by == "rows"):
        raise CatalogueError(f"{page_path}: `page:` takes `then`, or `window` or `by: rows`, not both")
    continuations = tuple(_continuation(folder, name, counts, parameters) for name in then)
    detail = detail_path.read_text(encoding="utf-8")
    fill_values(detail, counts, None, detail_path)
    return CannedQuery(
        name=folder.name,
        title=str(header["title"]).strip(),
        description=str(header.get("description", "")).strip(),
        parameters=parameters,
        text=text,
        path=page_path,
        paging=Paging(
            counts=counts,
            size=int(page.get("size", 25)),
            max_size=int(page.get("max", 500)),
            order=str(page.get("order", "")).strip(),
            window=window,
            windows=tuple(windows),
            then=tuple(then),
            by_rows=by == "rows",
            start=start,
            position=position,
        ),
        detail=detail,
        continuations=continuations,
    )


def _continuation(folder: Path, name: str, counts: tuple[str, ...], parameters: list[Parameter]) -> str:
    """The text of a page query's part `name` (`then:`), checked: a plain `.rq` file beside
    `page.rq` (not a pipeline's own file), with a header, no LIMIT (the runner appends each
    part's), the page's parameter blocks, and the variables a page counts."""
    path = folder / name
    if Path(name).name != name or not name.endswith(".rq") or name in ("page.rq", "detail.rq"):
        raise CatalogueError(f"{folder / 'page.rq'}: `then` names files beside it (not {name!r})")
    if not path.is_file():
        raise CatalogueError(f"{folder / 'page.rq'}: `then` names {name}, which is not there")
    text = path.read_text(encoding="utf-8")
    parse_header(text, path)
    if _page_clauses(text) or re.search(r"\bLIMIT\b", text.split("\nSELECT", 1)[-1]):
        raise CatalogueError(f"{path}: no LIMIT: the runner appends the page's")
    for parameter in parameters:
        block = parameter.block
        fill_values(text, block if isinstance(block, tuple) else (block,), None, path)  # it is there
    selected = next((line for line in text.splitlines() if line.startswith("SELECT")), "")
    if not all(f"?{variable}" in selected.split() for variable in counts):
        raise CatalogueError(f"{path}: a part of the page selects what the page counts ({', '.join(counts)})")
    return text


def load_catalogue(directory: Path = QUERIES_DIR) -> dict[str, CannedQuery]:
    """Every canned query of a folder, by name: each `<name>.rq`, and each pipeline folder
    `<name>/` holding a `page.rq`."""
    catalogue = {}
    for path in sorted([*directory.glob("*.rq"), *(p.parent for p in directory.glob("*/page.rq"))]):
        name = path.stem if path.suffix == ".rq" else path.name
        if not _NAME.match(name):
            raise CatalogueError(f"{path}: query names are lower-case words joined by hyphens")
        catalogue[name] = load_query(path) if path.suffix == ".rq" else load_pipeline(path)
    return dict(sorted(catalogue.items()))
