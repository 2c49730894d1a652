"""Error bodies: every error carries the server id and one readable `detail` (401s also a `code`), and nothing
becomes a 500 page.

Validation errors keep FastAPI's list under `errors` for programs, and gain a sentence for people.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from .deps import get_server_id

log = logging.getLogger(__name__)


def _safe_server_id(request: Request) -> str:
    try:
        return get_server_id(request)
    except Exception:  # the database itself may be the problem
        return ""


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if not request.url.path.startswith("/api/"):  # a page: people get a page, not JSON
            from ..web.errors import error_page

            return error_page(request, exc)
        body = {"server_id": _safe_server_id(request), "detail": str(exc.detail)}
        code = getattr(exc, "code", None)  # 401s say why, for programs (sync.protocol.AuthErrorCode)
        if code:
            body["code"] = code
        return JSONResponse(
            body,
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if not request.url.path.startswith("/api/"):  # a form field too long, say: a page saying so
            from ..web.errors import error_page

            return error_page(request, StarletteHTTPException(422, "Something in the form was not right (too long, "
                                                                   "perhaps): go back and check it."))
        errors = []
        for item in exc.errors():
            where = ".".join(str(p) for p in item.get("loc", ()))
            errors.append({"loc": where, "msg": str(item.get("msg", "invalid")), "type": str(item.get("type", ""))})
        summary = "; ".join(f"{e['loc']}: {e['msg']}" for e in errors[:5]) or "the request is not valid"
        return JSONResponse(
            {
                "server_id": _safe_server_id(request),
                "detail": f"The request was not valid: {summary}.",
                "errors": errors,
            },
            status_code=422,
        )

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
        log.exception("Unexpected error handling %s %s", request.method, request.url.path)
        return JSONResponse(
            {"server_id": _safe_server_id(request), "detail": "The server met an unexpected problem; try again later."},
            status_code=500,
        )
