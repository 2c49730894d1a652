"""The office web app: server-rendered pages (Jinja2, GOV.UK Frontend and htmx vendored under static/vendor),
served by the same process as the sync API, at `/`."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).with_name("static")


def mount_web_app(app: FastAPI) -> None:
    from .pages import router

    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
