"""Refusing an oversized request body before it is read: an ASGI middleware in front of every route.

A body announced larger than the limit (Content-Length) is answered 413 at once, without reading any of it; a body
without a length (chunked) is counted as it streams and refused as soon as it passes the limit, so no request can
make the server hold more than the limit in memory. The 413 carries the server id and a reason like every other
error (api/errors.py). Starlette's own limiter is not used: it replaces the answer with a bare "Content Too Large".
"""

from __future__ import annotations

from fastapi import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync.protocol import MAX_BODY_BYTES

from .api.errors import _safe_server_id as safe_server_id


def too_large(max_bytes: int = MAX_BODY_BYTES) -> str:
    """The reason given with a 413."""
    return (f"The request is larger than this server accepts ({max_bytes / (1024 * 1024):g} MiB); "
            "send fewer changes in one push.")


class BodyTooLarge(HTTPException):
    """Raised from `receive` when a streamed body passes the limit; FastAPI's error handling answers it."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(status_code=413, detail=too_large(max_bytes))


class BodyLimit:
    """Refuse request bodies over `max_bytes` with a 413 (see the module docstring)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = _content_length(scope)
        if length is not None and length > self.max_bytes:
            body = {"server_id": safe_server_id(Request(scope)), "detail": too_large(self.max_bytes)}
            response = JSONResponse(body, status_code=413, headers={"Connection": "close"})
            await response(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, counted, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
