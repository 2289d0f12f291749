"""Shared things a route needs, as named dependencies (StoreDep, SettingsDep, CatalogueDep).

The store and settings live on `app.state`, put there by `create_app` (from the lifespan, or
handed in by a test), never at import time. The getters are `async` only so that FastAPI calls
them on the event loop: a plain `def` dependency is run in a thread, two thread hand-offs per
request for reading an attribute.
"""

import hmac
from typing import Annotated

from fastapi import Depends, Request

from jalinan.api.errors import forbidden, unauthorised
from jalinan.api.settings import Settings
from jalinan.graph import GraphStore
from jalinan.queries.catalogue import CannedQuery


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_store(request: Request) -> GraphStore:
    return request.app.state.store


async def get_catalogue(request: Request) -> dict[str, CannedQuery]:
    return request.app.state.catalogue


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[GraphStore, Depends(get_store)]
CatalogueDep = Annotated[dict[str, CannedQuery], Depends(get_catalogue)]


READ_ONLY_REASON = (
    "this server is a read replica (`jalinan serve --read-only`): it serves published snapshots "
    "and writes nothing; send writes to the writer"
)


def check_write_access(request: Request, settings: Settings) -> None:
    """Writes need the server's token: 403 when writes are off or the token is wrong, 401 without one;
    403 on a read replica whatever the token (it has no store to write)."""
    if settings.read_only:
        raise forbidden(READ_ONLY_REASON)
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if not settings.write_token:
        raise forbidden("writes are disabled: start the server with --write-token or $JALINAN_WRITE_TOKEN")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorised()
    if not hmac.compare_digest(token.strip().encode(), settings.write_token.encode()):
        raise forbidden("the bearer token is not the server's write token")


async def require_write_access(request: Request, settings: SettingsDep) -> None:
    check_write_access(request, settings)


WriteAccess = Depends(require_write_access)
