"""Content negotiation, declared once: the formats, the defaults, and the 406 message.

pyoxigraph maps media types to formats and serialises; this module only decides which format a
request asks for, from a `format`/`_format` parameter (short names such as `json`, `csv`,
`ttl`, or a media type) or else from the Accept header with its q-values.
"""

from dataclasses import dataclass

from pyoxigraph import QueryResultsFormat, RdfFormat

from jalinan.api.errors import ApiError, not_acceptable

RESULTS_FORMATS = [
    QueryResultsFormat.JSON,
    QueryResultsFormat.XML,
    QueryResultsFormat.CSV,
    QueryResultsFormat.TSV,
]
GRAPH_FORMATS = [
    RdfFormat.TURTLE,
    RdfFormat.N_TRIPLES,
    RdfFormat.RDF_XML,
    RdfFormat.JSON_LD,
    RdfFormat.TRIG,
    RdfFormat.N_QUADS,
]
DEFAULT_RESULTS_FORMAT = QueryResultsFormat.JSON
DEFAULT_GRAPH_FORMAT = RdfFormat.TURTLE
# Short names for the `format` parameter beyond pyoxigraph's own file extensions.
_SHORT_NAMES: dict[str, QueryResultsFormat | RdfFormat] = {
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
    "turtle": RdfFormat.TURTLE,
    "ttl": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES,
    "nt": RdfFormat.N_TRIPLES,
    "rdfxml": RdfFormat.RDF_XML,
    "rdf": RdfFormat.RDF_XML,
    "owl": RdfFormat.RDF_XML,
    "jsonld": RdfFormat.JSON_LD,
    "json-ld": RdfFormat.JSON_LD,
    "n-triples": RdfFormat.N_TRIPLES,
    "n-quads": RdfFormat.N_QUADS,
    "rdf+xml": RdfFormat.RDF_XML,
    "trig": RdfFormat.TRIG,
    "nquads": RdfFormat.N_QUADS,
    "nq": RdfFormat.N_QUADS,
}
HTML = "text/html"


@dataclass(frozen=True)
class Choice:
    """The formats a request accepts: one for tabular results, one for graphs (None: neither)."""

    results: QueryResultsFormat | None
    graph: RdfFormat | None
    html: bool = False  # a browser asked for HTML first (entity pages, the query list)


def media_type(fmt: QueryResultsFormat | RdfFormat) -> str:
    """The Content-Type to send, always with its charset for text formats."""
    value = fmt.media_type
    if "charset" not in value and (value.startswith("text/") or value.endswith(("json", "xml"))):
        value += "; charset=utf-8"
    return value


def _accept_entries(accept: str) -> list[tuple[float, int, str]]:
    """(q, order, media type) for each entry of an Accept header, best first."""
    entries = []
    for order, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            entries.append((-q, order, fields[0].lower()))
    return sorted(entries)


def _named(value: str) -> QueryResultsFormat | RdfFormat | None:
    key = value.strip().lower()
    if key in _SHORT_NAMES:
        return _SHORT_NAMES[key]
    return QueryResultsFormat.from_media_type(key) or RdfFormat.from_media_type(key)


def negotiate(
    accept: str | None,
    format_param: str | None,
    *,
    results: list[QueryResultsFormat] | None = None,
    graphs: list[RdfFormat] | None = None,
    parameter: str = "format",
) -> Choice:
    """Pick the formats a request asks for; raise 406 when it accepts none that we offer."""
    results = RESULTS_FORMATS if results is None else results
    graphs = GRAPH_FORMATS if graphs is None else graphs
    if format_param:
        if format_param.strip().lower() == "html":
            return Choice(None, None, html=True)
        fmt = _named(format_param)
        if isinstance(fmt, QueryResultsFormat) and fmt in results:
            # `json` and `xml` name both kinds: JSON-LD and RDF/XML for graphs.
            twin = {QueryResultsFormat.JSON: RdfFormat.JSON_LD, QueryResultsFormat.XML: RdfFormat.RDF_XML}
            return Choice(fmt, twin.get(fmt) if twin.get(fmt) in graphs else None)
        if isinstance(fmt, RdfFormat) and fmt in graphs:
            return Choice(None, fmt)
        raise _not_acceptable(results, graphs, parameter=parameter, asked=format_param)
    chosen_results: QueryResultsFormat | None = None
    chosen_graph: RdfFormat | None = None
    html = False
    entries = _accept_entries(accept or "*/*")
    for _, _, media in entries:
        if media in ("*/*", "application/*", "text/*"):
            chosen_results = chosen_results or (results[0] if results else None)
            chosen_graph = chosen_graph or (graphs[0] if graphs else None)
            continue
        if media == HTML or media == "application/xhtml+xml":
            html = html or (chosen_results is None and chosen_graph is None)
            continue
        fmt_r = QueryResultsFormat.from_media_type(media)
        fmt_g = RdfFormat.from_media_type(media)
        if chosen_results is None and fmt_r in results:
            chosen_results = fmt_r
        if chosen_graph is None and fmt_g in graphs:
            chosen_graph = fmt_g
    if chosen_results is None and chosen_graph is None and not html:
        raise _not_acceptable(results, graphs)
    return Choice(chosen_results, chosen_graph, html)


def _not_acceptable(
    results: list[QueryResultsFormat],
    graphs: list[RdfFormat],
    *,
    parameter: str | None = None,
    asked: str | None = None,
) -> ApiError:
    offered = [f.media_type.split(";")[0] for f in results] + [f.media_type for f in graphs]
    what = f"`{parameter}={asked}` is not" if asked else "none of the media types in Accept is"
    return not_acceptable(
        f"{what} a format this resource offers; choose one of: {', '.join(offered)}", parameter=parameter
    )


def prefers_html(accept: str | None, format_param: str | None = None) -> bool:
    """Whether a request asks for a web page: `format=html`, or (without a format parameter) an
    Accept header whose first choice is HTML, as browsers send. `*/*` alone (curl, most
    programs) is not a request for a page. Never raises, so error handlers can ask it."""
    if format_param:
        return format_param.strip().lower() == "html"
    for _, _, media in _accept_entries(accept or ""):
        return media in (HTML, "application/xhtml+xml")
    return False
