"""A network request's parameters, checked: each mistake is a 400 (or 404 for a name that
stands for nothing) naming the parameter, never a 500 or an empty network that reads as "no
ties". Shared by the JSON route and the page."""

import re
from dataclasses import dataclass

from pyoxigraph import NamedNode
from starlette.datastructures import QueryParams

from jalinan.api.errors import bad_request, not_found
from jalinan.api.network.neighbourhood import TIES, Filters
from jalinan.api.network.views import EXPORTS
from jalinan.api.reading import look_up
from jalinan.graph import GraphStore
from jalinan.queries.catalogue import Parameter, ParameterError

DEFAULT_LIMIT = 60
MAX_LIMIT = 500
STATUS_SCHEMES = ("agreement-status", "activity-status")
_YEAR = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class NetworkRequest:
    hops: int
    limit: int
    filters: Filters
    export: str | None  # a key of EXPORTS, or None for JSON / the page


def _one(params: QueryParams, name: str) -> str | None:
    value = params.get(name)
    return value.strip() if value is not None and value.strip() else None


def year_of(params: QueryParams) -> int | None:
    text = _one(params, "year")
    if text is None:
        return None
    if not _YEAR.match(text):
        raise bad_request(f"`year` must be a year such as 2025 (not {text!r})", parameter="year")
    return int(text)


def _concepts(
    store: GraphStore, name: str, text: str | None, schemes: tuple[str, ...]
) -> tuple[NamedNode, ...]:
    if text is None:
        return ()
    found: list[NamedNode] = []
    try:
        for scheme in schemes:
            parameter = Parameter(name, "concept", [name, f"{name}Key"], scheme=scheme)
            found += look_up(store, parameter, text)
    except ParameterError as exc:
        raise bad_request(str(exc), parameter=name) from exc
    if not found:
        raise not_found(f"`{name}`: no {' or '.join(schemes)} is called {text!r}", parameter=name)
    return tuple(dict.fromkeys(found))


def topics_of(store: GraphStore, params: QueryParams) -> tuple[NamedNode, ...]:
    return _concepts(store, "topic", _one(params, "topic"), ("topic",))


def export_of(params: QueryParams) -> str | None:
    """`_format`: json (default), html (the page) or an export format."""
    text = (_one(params, "_format") or _one(params, "format") or "json").lower()
    if text in ("json", "html"):
        return None
    if text not in EXPORTS:
        choices = ", ".join(["json", "html", *EXPORTS])
        raise bad_request(f"`_format` must be one of: {choices} (not {text!r})", parameter="_format")
    return text


def network_request(store: GraphStore, params: QueryParams) -> NetworkRequest:
    hops_text = _one(params, "hops") or "1"
    if hops_text not in ("1", "2"):
        raise bad_request(f"`hops` must be 1 or 2 (not {hops_text!r})", parameter="hops")
    limit_text = _one(params, "limit") or str(DEFAULT_LIMIT)
    if not limit_text.isdigit() or not 1 <= int(limit_text) <= MAX_LIMIT:
        raise bad_request(
            f"`limit` (nodes shown) must be a whole number from 1 to {MAX_LIMIT}", parameter="limit"
        )
    kinds = [k.strip() for value in params.getlist("ties") for k in value.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in TIES]
    if unknown:
        raise bad_request(
            f"`ties`: unknown kind {unknown[0]!r}; kinds are: {', '.join(TIES)}", parameter="ties"
        )
    filters = Filters(
        year=year_of(params),
        topics=topics_of(store, params),
        statuses=_concepts(store, "status", _one(params, "status"), STATUS_SCHEMES),
        ties=tuple(k for k in TIES if k in kinds) if kinds else tuple(TIES),
    )
    return NetworkRequest(int(hops_text), int(limit_text), filters, export_of(params))
