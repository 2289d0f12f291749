"""Small HTML pages for browsers: the canned-query list and entity pages.

Plain string templates with `html.escape` on every value (Jinja2 is not a runtime dependency).
Entity IRIs are rewritten to this server's `/id/…` paths so a reader can follow links. Only
`http(s)` IRIs become links: anyone with the write token can store `javascript:alert(1)` as an
IRI, and a browser would run it from an `href`, so any other scheme is shown as (escaped) text.
"""

from html import escape
from urllib.parse import quote, urlencode

from jalinan.graph.namespaces import ID, ONTOLOGY
from jalinan.graph.results import SelectResult

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


def link(iri: str, text: str, css_class: str | None = None) -> str:
    """`text` linking to `iri` (see `local_href`), or just `text` where the IRI is no web link."""
    href = local_href(iri)
    if href is None:
        return escape(text)
    attributes = f' class="{escape(css_class)}"' if css_class else ""
    return f'<a{attributes} href="{escape(href)}">{escape(text)}</a>'


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


def _value_html(row: dict, value_key: str, label_key: str) -> str:
    value = row.get(value_key)
    if value is None:
        return ""
    label = row.get(label_key)
    if hasattr(value, "value") and type(value).__name__ == "NamedNode":
        text = label.value if label is not None else short(value.value)
        return link(value.value, text)
    return escape(value.value)


def entity_page(
    iri: str, rows: SelectResult, evidence_href: str, *, number: int = 1, next_href: str | None = None
) -> str:
    """One page of an entity's statements (out and in) with their sources and quotes.

    The title is the entity's English (or plain) label (`entityLabel`, on every row of every page); the
    classes are shown where this page holds them (outgoing statements come first)."""
    names = sorted({r["entityLabel"].value for r in rows.rows if r.get("entityLabel") is not None})
    types = sorted(
        {
            r["valueLabel"].value if r.get("valueLabel") else short(r["value"].value)
            for r in rows.rows
            if r["direction"].value == "out" and r["property"].value.endswith("#type")
        }
    )
    title = (names or [short(iri)])[0]
    network_html = ""  # the entity's network of ties (api/network/), when it is one of ours
    if iri.startswith(ID):
        network = f"{local_href(iri)}/network"
        network_html = f'<p><a href="{escape(network)}">Network</a>: who it is tied to, drawn and listed</p>'
    sections = []
    for direction, heading in (("out", "Statements"), ("in", "Referred to by")):
        body_rows = []
        for row in rows.rows:
            if row["direction"].value != direction:
                continue
            prop = row["property"].value
            prop_text = row["propertyLabel"].value if row.get("propertyLabel") else short(prop)
            source = row.get("source")
            source_html = ""
            if source is not None:
                source_html = f"<blockquote>“{escape(row['quote'].value)}”</blockquote>" + link(
                    source.value, f"source: {short(source.value)}", "muted"
                )
            body_rows.append(
                f"<tr><td>{escape(prop_text)}</td><td>{_value_html(row, 'value', 'valueLabel')}</td>"
                f"<td>{source_html}</td></tr>"
            )
        if body_rows:
            sections.append(
                f"<h2>{heading}</h2><table><tr><th>Property</th><th>Value</th><th>Source</th></tr>"
                + "".join(body_rows)
                + "</table>"
            )
    if not sections:
        sections.append("<p>No more statements: this page is past the last one.</p>")
    links = []
    if number > 1:
        links.append('<a href="?_page=1">first page</a>')
    if next_href:
        links.append(f'<a rel="next" href="{escape(next_href)}">next page</a>')
    navigation = f'<p class="muted">page {number} · {" · ".join(links)}</p>' if links else ""
    body = (
        f"<h1>{escape(title)}</h1>"
        f'<p class="muted"><code>{escape(iri)}</code>{" · " if types else ""}{escape(", ".join(types))}</p>'
        f'<p>As data: <a href="?_format=ttl">Turtle</a> · <a href="?_format=jsonld">JSON-LD</a> · '
        f'<a href="{escape(evidence_href)}">evidence (JSON)</a></p>'
        + network_html
        + "".join(sections)
        + navigation
    )
    return page(title, body, [(evidence_href, "application/json"), ("?_format=ttl", "text/turtle")])


def evidence_query_href(entity_id: str) -> str:
    return "/queries/evidence?" + urlencode({"id": entity_id})
