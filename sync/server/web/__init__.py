"""The office web app: server-rendered pages (Jinja2, GOV.UK Frontend and htmx vendored under static/vendor),
served by the same process as the sync API, at `/`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).with_name("static")
#: Pages load only what this server serves, run no inline script and cannot be framed: an injected tag that escaped
#: the templates' escaping would still run nothing, and the pages' own scripts come from static/ alone.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def mount_web_app(app: FastAPI) -> None:
    from .admin import router as admin_router
    from .alerts import router as alerts_router
    from .archived_copies import router as archived_router
    from .cases import router as cases_router
    from .conflicts import router as conflicts_router
    from .copy_links import router as copy_links_router
    from .dashboard import router as dashboard_router
    from .file_uploads import router as files_router
    from .mail_admin import router as mail_router
    from .pages import router
    from .portal import router as portal_router
    from .review_pages import router as review_router
    from .sampling import router as sampling_router
    from .settings import router as settings_router
    from .verify import router as verify_router

    app.include_router(review_router)
    app.include_router(copy_links_router)
    app.include_router(archived_router)
    app.include_router(router)
    app.include_router(sampling_router)
    app.include_router(dashboard_router)
    app.include_router(admin_router)
    app.include_router(settings_router)
    app.include_router(files_router)
    app.include_router(verify_router)  # public: no sign-in (issue 17 item 4)
    app.include_router(mail_router)
    app.include_router(alerts_router)
    app.include_router(cases_router)
    app.include_router(conflicts_router)
    app.include_router(portal_router)  # learners and employers: their own sign-in (issue 17 item 2)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        if not request.url.path.startswith("/api/"):
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
        return response
