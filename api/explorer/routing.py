"""Pages at the same URLs as the data: a route that matches only requests asking for a page.

`/`, `/sparql` and `/ontology` already answer programs (a redirect, the SPARQL Protocol, RDF).
A browser asking for the same URL (`Accept: text/html…` first, or `format=html`) should get a
page instead, without the data routes learning anything about HTML. So the explorer's routes
use `PageRoute`: it matches a request only when `negotiation.prefers_html` says the request
wants a page (and, where given, the route's own condition holds); every other request falls
through to the data route registered after it, exactly as before.
"""

from collections.abc import Callable
from urllib.parse import parse_qsl

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.routing import Match
from starlette.types import Scope

from jalinan.api.negotiation import prefers_html

Condition = Callable[[dict[str, str]], bool]


def wants_page(scope: Scope) -> bool:
    """Whether an HTTP request (its ASGI scope) asks for HTML."""
    headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]}
    params = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
    return prefers_html(headers.get("accept"), params.get("format") or params.get("_format"))


def page_router(condition: Condition | None = None) -> APIRouter:
    """A router whose GET routes answer only browsers (and `condition(query parameters)`)."""

    class PageRoute(APIRoute):
        def matches(self, scope: Scope) -> tuple[Match, Scope]:
            match, child = super().matches(scope)
            if match is not Match.FULL or not wants_page(scope):
                return Match.NONE, {}
            if condition is not None:
                query = scope.get("query_string", b"").decode("latin-1")
                if not condition(dict(parse_qsl(query, keep_blank_values=True))):
                    return Match.NONE, {}
            return match, child

    return APIRouter(route_class=PageRoute, include_in_schema=False)
