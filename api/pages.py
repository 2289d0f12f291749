"""Small HTML helpers: the canned-query list page, and links to entities.

The entity pages are the explorer's (`explorer/entity_page.py`, Jinja2).
Plain string templates with `html.escape` on every value (Jinja2 is not a runtime dependency).
Entity IRIs are rewritten to this server's `/id/…` paths so a reader can follow links. Only
`http(s)` IRIs become links: anyone with the write token can store `javascript:alert(1)` as an
IRI, and a browser would run it from an `href`, so any other scheme is shown as (escaped) text.
"""

from html import escape
from urllib.parse import quote, urlencode

from jalinan.graph.namespaces import ID, ONTOLOGY

_STYLE = """
body { font: 16px/1.45 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
table { border-collapse: collapse; width: 100%; }
td, th { text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid #ddd; }
blockquote { margin: .2rem 0; color: #555; font-style: italic; }
code { background: #f4f4f4; padding: 0 .2rem; } .muted { color: #777; font-size: .9em; }
"""


def page(title: str, body: str, alternates: list[tuple[str, str]] | None = None) -> str:
    links = "".join(
        f'<link rel="alternate" type="{escape(kind)}" href="{escape(href)}">'
        for href, kind in alternates or []
    )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} · Jalinan</title>'
        f"<style>{_STYLE}</style>{links}</head><body>"
        f'<p class="muted"><a href="/queries">Canned queries</a> · <a href="/sparql">SPARQL</a> · '
        f'<a href="/docs">API docs</a> · <a href="/ontology">Ontology</a></p>{body}</body></html>'
    )


_LINKED_SCHEMES = ("http://", "https://")


def local_href(iri: str) -> str | None:
    """Where a link should go: this server's /id/ path for Jalinan entities, the IRI itself for
    other http(s) IRIs, and None (no link) for any other scheme."""
    if iri.startswith(ID):
        return "/id/" + quote(iri.removeprefix(ID), safe="/-")
    if iri.startswith(ONTOLOGY):
        return "/ontology"
    return iri if iri.lower().startswith(_LINKED_SCHEMES) else None


def short(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[-1]
    return iri


def query_list(items: list[dict[str, object]]) -> str:
    rows = []
    for item in items:
        params = ", ".join(
            f"<code>{escape(str(p['name']))}</code>{'' if p['required'] else ' (optional)'}"
            for p in item["parameters"]  # type: ignore[union-attr]
        )
        example = str(item["example"])
        csv = example + ("&" if "?" in example else "?") + "_format=csv"
        rows.append(
            f'<tr><td><a href="{escape(example)}">{escape(str(item["name"]))}</a></td>'
            f"<td>{escape(str(item['title']))}"
            f'<div class="muted">{escape(str(item["description"]))}</div></td>'
            f'<td>{params}</td><td><a href="{escape(csv)}">CSV</a></td></tr>'
        )
    body = (
        "<h1>Canned queries</h1><p>Each is a SPARQL file that runs as-is in any client; here its "
        "parameters are bound safely. Answers are SPARQL JSON by default, "
        "or CSV with <code>_format=csv</code>. "
        'The same list as JSON: <a href="/queries?_format=json">/queries?_format=json</a>.</p>'
        "<table><tr><th>Query</th><th>What it answers</th><th>Parameters</th><th></th></tr>"
        + "".join(rows)
        + "</table>"
    )
    return page("Canned queries", body, [("/queries?_format=json", "application/json")])


def evidence_query_href(entity_id: str) -> str:
    return "/queries/evidence?" + urlencode({"id": entity_id})
