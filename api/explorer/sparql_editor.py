"""`/sparql` for browsers: a query editor, and results as an HTML table.

A browser's `GET /sparql` without a query gets the editor page: YASGUI (vendored) with the
endpoint preset to this server, its outside-host autocompleters off, the canned queries as
examples; and, for readers without JavaScript, a plain form. The form (and each example's
link) sends `format=html`, which programs never send (it was a 406): the query then runs
through the SPARQL Protocol route itself (`protocol.answer_query`, so its length limit, time
limit, SERVICE guard, log and cache all apply) asking for SPARQL JSON or Turtle, and the answer
is shown as a table (or as Turtle text for CONSTRUCT and DESCRIBE). Every other request to
`/sparql` reaches the protocol route unchanged.
"""

from urllib.parse import urlencode

from fastapi import Request, Response
from pyoxigraph import QueryBoolean, QueryResultsFormat, parse_query_results

from jalinan.api import protocol
from jalinan.api.dependencies import CatalogueDep, SettingsDep, StoreDep
from jalinan.api.explorer.assets import vendor_url
from jalinan.api.explorer.ontology_doc import PREFIXES
from jalinan.api.explorer.routing import page_router
from jalinan.api.explorer.templating import render
from jalinan.api.pages import local_href

DEFAULT_QUERY = """PREFIX jl: <https://w3id.org/jalinan/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
# Every ministry, with its English name
SELECT ?ministry ?name WHERE {
  ?ministry a jl:Ministry ;
            rdfs:label ?name .
  FILTER (LANG(?name) = "en")
}
ORDER BY ?name
LIMIT 100"""
ASKED_FOR_TABLE = "application/sparql-results+json, text/turtle;q=0.9"


def _is_page_request(params: dict[str, str]) -> bool:
    """The editor (no query, no update) or a query whose answer should be an HTML table."""
    if "update" in params:
        return False
    return "query" not in params or params.get("format") == "html"


router = page_router(_is_page_request)


def _examples(catalogue: CatalogueDep) -> list[dict[str, str]]:
    return [
        {"name": q.name, "title": q.title, "sparql": q.text}
        for q in catalogue.values()
        if not q.name.startswith("stats-")
    ]


def _cell(term: object) -> dict[str, str | None]:
    """One result cell: its text, and a link when it is an IRI."""
    if term is None:
        return {"text": "", "href": None}
    value = term.value  # type: ignore[attr-defined]
    if type(term).__name__ == "NamedNode":
        return {"text": value, "href": local_href(value)}
    return {"text": value, "href": None}


async def _results(request: Request, store: StoreDep, settings: SettingsDep) -> dict[str, object]:
    """Run the form's query through the protocol route and read its answer for the table."""
    headers = [(k, v) for k, v in request.scope["headers"] if k.lower() not in (b"accept", b"if-none-match")]
    headers.append((b"accept", ASKED_FOR_TABLE.encode()))
    inner = Request({**request.scope, "headers": headers}, request.receive)
    parsed = await protocol.parse_request(inner)
    parsed.format = None
    answer = await protocol.answer_query(inner, parsed, store, settings)
    body = bytes(answer.body)
    if answer.media_type and answer.media_type.startswith("text/turtle"):
        return {"graph": body.decode("utf-8")}
    solutions = parse_query_results(body, QueryResultsFormat.JSON)
    if isinstance(solutions, QueryBoolean):
        return {"boolean": bool(solutions)}
    variables = [v.value for v in solutions.variables]
    rows = []
    for solution in solutions:
        if len(rows) == settings.max_rows:  # the table shows a page's worth; the downloads hold all
            return {"variables": variables, "rows": rows, "truncated": settings.max_rows}
        rows.append([_cell(solution[v]) for v in variables])
    return {"variables": variables, "rows": rows, "truncated": None}


@router.get("/sparql")
async def editor(
    request: Request, store: StoreDep, settings: SettingsDep, catalogue: CatalogueDep
) -> Response:
    query = request.query_params.get("query")
    context: dict[str, object] = {
        "endpoint": str(request.base_url).rstrip("/") + "/sparql",
        "query": query if query is not None else DEFAULT_QUERY,
        "examples": _examples(catalogue),
        "prefixes": {prefix: ns for ns, prefix in PREFIXES.items()},
        "yasgui_js": vendor_url("yasgui", "yasgui.min.js"),
        "yasgui_css": vendor_url("yasgui", "yasgui.min.css"),
        "results": None,
    }
    if query is not None:
        context["results"] = await _results(request, store, settings)
        context["downloads"] = [
            (name, "/sparql?" + urlencode({"query": query, "format": fmt}))
            for name, fmt in (("CSV", "csv"), ("JSON", "json"), ("XML", "xml"), ("Turtle", "ttl"))
        ]
    return render(request, "sparql.html", context)
