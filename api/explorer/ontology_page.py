"""`/ontology` for browsers: the ontology's documentation as a page (`ontology_doc.py`).

Programs asking for `/ontology` get Turtle or RDF/XML from the data route, as before.
"""

from fastapi import Request, Response

from jalinan.api.explorer.ontology_doc import documentation
from jalinan.api.explorer.routing import page_router
from jalinan.api.explorer.templating import render

router = page_router()


@router.get("/ontology")
def ontology(request: Request) -> Response:
    return render(
        request,
        "ontology.html",
        {"doc": documentation()},
        headers={"Link": '</ontology?_format=ttl>; rel="alternate"; type="text/turtle"'},
    )
