"""Refuse RDF/XML that declares a DTD, before the RDF/XML parser sees it.

pyoxigraph's RDF/XML parser expands the entities a document declares: seven nested
`<!ENTITY>` lines (a 600-byte body) become a 10 MB literal, and one more level 100 MB, in the
server process (the "billion laughs"). RDF/XML has no use for a DTD, so a document that
declares one (`<!DOCTYPE …>`, which is where entities are declared) is refused with 400 naming
the problem. The check reads only the prolog, up to the root element, with expat (Python's own
XML parser, which also reads UTF-16 and other encodings a hand-written scan would miss); it
stops before any entity is expanded.
"""

from xml.parsers import expat

from jalinan.api.errors import ApiError, bad_request


class _Prolog(Exception):
    """Raised from expat's handlers to stop reading: what the prolog held."""

    def __init__(self, doctype: str | None = None):
        self.doctype = doctype


def refuse_doctype(body: bytes) -> None:
    """400 if `body` declares a DTD (or cannot be read as XML up to its root element)."""
    parser = expat.ParserCreate()

    def on_doctype(name: str, *_: object) -> None:
        raise _Prolog(doctype=name)

    def on_root(*_: object) -> None:
        raise _Prolog()

    parser.StartDoctypeDeclHandler = on_doctype
    parser.EntityDeclHandler = lambda name, *_: on_doctype(name)
    parser.StartElementHandler = on_root
    try:
        parser.Parse(body, True)
    except _Prolog as found:
        if found.doctype is not None:
            raise _refusal() from None
        return
    except expat.ExpatError as exc:
        raise bad_request(f"the body is not well-formed XML: {exc}") from None


def _refusal() -> ApiError:
    return bad_request(
        "the RDF/XML body declares a DTD (<!DOCTYPE …>): entity declarations are refused, since "
        "they can expand a small body into gigabytes; expand them before sending"
    )
