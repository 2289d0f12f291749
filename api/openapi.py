"""What the OpenAPI schema says of the routes that read their requests by hand.

The SPARQL Protocol, the Graph Store Protocol and the canned queries parse their own query
strings and bodies (their rules are not FastAPI's: repeated parameters, bodies in several media
types, the format chosen by negotiation), so FastAPI cannot see their parameters. Without these
declarations `/docs` listed them with no parameters and "every 200 is JSON", and "Try it out"
could not send a query. Each route passes the pieces here as `openapi_extra` and `responses`;
the media types come from `negotiation.py`, the one table of formats.
"""

from collections.abc import Mapping
from typing import Any

from jalinan.api.negotiation import GRAPH_FORMATS, RESULTS_FORMATS
from jalinan.queries.catalogue import CannedQuery

EXAMPLE_QUERY = (
    "PREFIX jl: <https://w3id.org/jalinan/ontology#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "SELECT ?ministry ?label WHERE { ?ministry a jl:Ministry ; rdfs:label ?label } LIMIT 10"
)
EXAMPLE_UPDATE = (
    "INSERT DATA { GRAPH <https://example.org/my-notes> "
    '{ <https://w3id.org/jalinan/id/mosti> <http://www.w3.org/2000/01/rdf-schema#comment> "a note" } }'
)
FORMAT_NAMES = ["json", "xml", "csv", "tsv", "ttl", "nt", "rdfxml", "jsonld", "trig", "nquads"]
_IRI_LIST = {"type": "array", "items": {"type": "string", "format": "iri"}}
_STRING = {"type": "string"}
# A limit under a second stops nearly every query (with a 503) before it starts: declared as the
# least useful value, so "Try it out" and schemathesis send limits a query can meet.
_TIMEOUT = {"type": "number", "minimum": 1}


def _query_parameter(name: str, schema: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
    parameter = {"name": name, "in": "query", "required": False, "schema": schema, "description": description}
    if schema.get("type") == "array":
        parameter.update(style="form", explode=True)
    parameter.update(extra)
    return parameter


def _content(media_types: list[str], schema_for: dict[str, Any] | None = None) -> dict[str, Any]:
    """Response content: SPARQL JSON results and JSON-LD are JSON objects, the rest text."""
    schema_for = schema_for or {}
    return {mt: {"schema": schema_for.get(mt, _STRING)} for mt in media_types}


RESULTS_MEDIA_TYPES = [f.media_type.split(";")[0] for f in RESULTS_FORMATS]
GRAPH_MEDIA_TYPES = [f.media_type.split(";")[0] for f in GRAPH_FORMATS]
_JSON_SCHEMAS = {
    "application/sparql-results+json": {"type": "object"},
    "application/ld+json": {},  # an object or an array
}

DATASET_PARAMETERS = [
    _query_parameter(
        "default-graph-uri",
        _IRI_LIST,
        "a graph of the default graph (repeatable); none: the union of all graphs",
    ),
    _query_parameter("named-graph-uri", _IRI_LIST, "a graph `GRAPH ?g` may match (repeatable)"),
]
FORMAT_PARAMETER = _query_parameter(
    "format",
    {"type": "string", "enum": FORMAT_NAMES},
    "the answer's format, for browsers (overrides Accept); a media type is accepted too",
)
TIMEOUT_PARAMETER = _query_parameter("timeout", _TIMEOUT, "seconds; lowers the server's query time limit")


def query_results_responses() -> dict[int | str, dict[str, Any]]:
    """A query's 200: SPARQL results (SELECT, ASK) or RDF (CONSTRUCT, DESCRIBE), or the service
    description (Turtle or another RDF format) for a request without a query."""
    return {
        200: {
            "description": "SELECT/ASK: SPARQL results (JSON by default); CONSTRUCT/DESCRIBE: RDF (Turtle by "
            "default); with no `query`: the service description. Chosen by Accept or `format`.",
            "content": _content(RESULTS_MEDIA_TYPES + GRAPH_MEDIA_TYPES, _JSON_SCHEMAS),
        }
    }


def sparql_get(*, description_without_query: bool = True) -> dict[str, Any]:
    """`GET /sparql` and `GET /query`: the query in the URL."""
    query = _query_parameter(
        "query",
        _STRING,
        "the SPARQL query" + ("; without it, the service description" if description_without_query else ""),
        example=EXAMPLE_QUERY,
    )
    return {"parameters": [query, *DATASET_PARAMETERS, FORMAT_PARAMETER, TIMEOUT_PARAMETER]}


def sparql_post(*, queries: bool = True, updates: bool = True) -> dict[str, Any]:
    """A POST to the protocol: form-encoded, or the text itself as the body."""
    form: dict[str, Any] = {}
    content: dict[str, Any] = {}
    if queries:
        form["query"] = {**_STRING, "description": "a SPARQL query"}
        form["default-graph-uri"] = _IRI_LIST
        form["named-graph-uri"] = _IRI_LIST
        form["format"] = {"type": "string", "enum": FORMAT_NAMES}
        form["timeout"] = _TIMEOUT
    if updates:
        form["update"] = {**_STRING, "description": "a SPARQL update (needs the write token)"}
        form["using-graph-uri"] = _IRI_LIST
        form["using-named-graph-uri"] = _IRI_LIST
    content["application/x-www-form-urlencoded"] = {
        "schema": {"type": "object", "properties": form},
        "example": {"query": EXAMPLE_QUERY} if queries else {"update": EXAMPLE_UPDATE},
    }
    if queries:
        content["application/sparql-query"] = {"schema": _STRING, "example": EXAMPLE_QUERY}
    if updates:
        content["application/sparql-update"] = {"schema": _STRING, "example": EXAMPLE_UPDATE}
    parameters = [*DATASET_PARAMETERS, FORMAT_PARAMETER, TIMEOUT_PARAMETER] if queries else []
    if updates:
        parameters += [
            _query_parameter(
                "using-graph-uri", _IRI_LIST, "an update's default graph for WHERE (repeatable)"
            ),
            _query_parameter("using-named-graph-uri", _IRI_LIST, "a graph an update's `GRAPH ?g` may match"),
        ]
    body = "UTF-8; a form (`query=` or `update=`) or the SPARQL text with its media type"
    return {
        "parameters": parameters,
        "requestBody": {"required": True, "description": body, "content": content},
    }


def graph_store_parameters() -> list[dict[str, Any]]:
    return [
        _query_parameter("graph", {"type": "string", "format": "iri"}, "the named graph (or give `default`)"),
        _query_parameter(
            "default",
            {"type": "string", "enum": [""]},
            "the default graph: the union of all graphs (read-only)",
            allowEmptyValue=True,
        ),
    ]


def graph_store_read() -> dict[str, Any]:
    return {"parameters": [*graph_store_parameters(), {**FORMAT_PARAMETER, "name": "format"}]}


def graph_store_write() -> dict[str, Any]:
    graph_types = [f.media_type.split(";")[0] for f in GRAPH_FORMATS if not f.supports_datasets]
    graph_types.append("application/ld+json")
    return {
        "parameters": graph_store_parameters(),
        "requestBody": {
            "required": True,
            "description": "the graph, in one of these RDF formats",
            "content": {mt: {"schema": _STRING} for mt in dict.fromkeys(graph_types)},
        },
    }


def graph_responses() -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": "the graph, in the format asked for (Turtle by default)",
            "content": _content(GRAPH_MEDIA_TYPES, _JSON_SCHEMAS),
        }
    }


_SYSTEM_PARAMETERS = [
    _query_parameter(
        "_format", {"type": "string", "enum": FORMAT_NAMES}, "the answer's format (overrides Accept)"
    ),
    _query_parameter("_timeout", _TIMEOUT, "seconds; lowers the query time limit"),
]
_PAGE_PARAMETERS = [
    _query_parameter("_size", {"type": "integer", "minimum": 1}, "the page size"),
    _query_parameter("_page", {"type": "integer", "minimum": 1}, "the page, from 1"),
    _query_parameter(
        "_start",
        {"type": "string", "pattern": "^[0-9]{1,18}:[0-9]{1,9}$"},
        "a list paged by rows (`people`, `page.by` = rows in `GET /queries`): where the page begins, "
        "as the previous page's next link gives it (no `_page` there)",
    ),
]


def canned_responses() -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": "SPARQL results (JSON by default; `_format` or Accept for XML, CSV, TSV), or RDF "
            "for the queries that answer a graph",
            "content": _content(RESULTS_MEDIA_TYPES + GRAPH_MEDIA_TYPES, _JSON_SCHEMAS),
        }
    }


def canned_query() -> dict[str, Any]:
    """`/queries/{name}` (its `name` FastAPI declares): any canned query; each query's own
    parameters are listed by `GET /queries` and declared on its own path (`canned_paths`)."""
    return {"parameters": [*_SYSTEM_PARAMETERS, *_PAGE_PARAMETERS]}


def canned_paths(catalogue: Mapping[str, CannedQuery], template: dict[str, Any]) -> dict[str, Any]:
    """One path per canned query, `/queries/<name>`, declaring its own parameters, so that "Try
    it out" can fill them in. `template` is the generic route's operation (its responses)."""
    paths: dict[str, Any] = {}
    for name, query in sorted(catalogue.items()):
        parameters = [
            _query_parameter(
                p.name,
                {"type": "string", "enum": p.choices} if p.choices else _STRING,
                p.description or p.type,
                required=p.required,
                **({"example": p.example} if p.example is not None else {}),
            )
            for p in query.parameters
        ]
        parameters += _SYSTEM_PARAMETERS + (_PAGE_PARAMETERS if query.paging is not None else [])
        paths[f"/queries/{name}"] = {
            "get": {
                **{k: v for k, v in template.items() if k in ("responses", "tags")},
                "summary": query.title,
                "description": query.description,
                "operationId": f"canned_{name.replace('-', '_')}",
                "parameters": parameters,
            }
        }
    return paths
