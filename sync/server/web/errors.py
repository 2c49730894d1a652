"""What a browser is shown when a page cannot be: the sign-in form when not signed in, else a page saying why."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

TITLES = {403: "You cannot see this page", 404: "Page not found", 405: "Page not found",
          429: "Too many attempts", 422: "Something was not right"}


def error_page(request: Request, exc: HTTPException) -> Response:
    if request.url.path == "/portal" or request.url.path.startswith("/portal/"):
        from .portal import portal_error

        return portal_error(request, exc, TITLES.get(exc.status_code, "Sorry"))
    if exc.status_code == 401 and request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/sign-in?next={quote(target, safe='')}", status_code=303)
    if exc.status_code == 401:
        return RedirectResponse("/sign-in", status_code=303)
    from .pages import page

    detail = str(exc.detail) if exc.status_code != 404 else "There is no page at this address."
    return page(request, "error.html", status=exc.status_code, title=TITLES.get(exc.status_code, "Sorry"),
                detail=detail)
