"""HEAD wherever GET works (RFC 9110 §9.3.2): the GET's status and headers, without its body.

FastAPI's routes answer only the methods they declare, so without this every HEAD was a 405.
This small ASGI middleware runs a HEAD as the GET it mirrors and drops the body on the way
out, so the headers (Content-Length, ETag, Link, caching) are exactly those the GET would send
and no route needs to know. A route without GET still answers 405.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)
