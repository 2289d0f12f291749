"""One data version per answer on a read replica: every query of a request reads one snapshot.

A read replica (`graph/replica.py`) switches to a newer published snapshot while requests run.
An answer built from several queries (a list page, then its details; an entity page and its
names) must not mix two snapshots, and its ETag must name the snapshot it was read from. So this
middleware pins the replica's current snapshot for the whole request (`ReplicaStore.pinned`):
the queries it runs, in threads or on the event loop, and the `version` it reads, all see that
snapshot, even if a newer one is taken meanwhile. Other stores have no `pinned` and pass through.
"""

from starlette.types import ASGIApp, Receive, Scope, Send


class PinSnapshot:
    """Pure ASGI (no task of its own), so the pin's context is the request's context."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        pinned = None
        if scope["type"] == "http":
            pinned = getattr(getattr(scope["app"].state, "store", None), "pinned", None)
        if pinned is None:
            await self.app(scope, receive, send)
            return
        with pinned():
            await self.app(scope, receive, send)
