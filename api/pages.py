"""Small HTML helpers: links to entities (the pages themselves are the explorer's, Jinja2).

Entity IRIs are rewritten to this server's `/id/…` paths so a reader can follow links. Only
`http(s)` IRIs become links: anyone with the write token can store `javascript:alert(1)` as an
IRI, and a browser would run it from an `href`, so any other scheme is shown as (escaped) text.
"""

from urllib.parse import quote, urlencode

from jalinan.graph.namespaces import ID, ONTOLOGY

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


def evidence_query_href(entity_id: str) -> str:
    return "/queries/evidence?" + urlencode({"id": entity_id})
