"""Building the FastAPI application for a database URL: for `serve`, its workers, and the embedded demo server.

`create_app(url)` is the importable entry point the desktop app uses to run an in-process server.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI

from sync.protocol import MAX_BODY_BYTES, PROTOCOL_VERSION

from .api.errors import install_error_handlers
from .api.protocol_check import check_client_protocol
from .api.routes import admin, admin_settings, auth, health, provider_settings, sync
from .api.sign_in_limits import SignInLimiter
from .body_limit import BodyLimit
from .core.config import Settings
from .db import make_engine, make_session_factory
from .mail.jobs import install_nudge
from .migrate import upgrade_database
from .web import mount_web_app


def create_app(database_url: str | None = None, *, migrate: bool = True, settings: Settings | None = None) -> FastAPI:
    """The server app on `database_url` (or the configured default), migrating the schema first unless told not to."""
    settings = settings or Settings.from_env(database_url)
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade_database(engine)
    app = FastAPI(
        title="ReviewApp sync server",
        version=str(PROTOCOL_VERSION),
        description="Accounts, caseloads and the ReviewApp sync protocol (see DESIGN.md).",
        dependencies=[Depends(check_client_protocol)],  # an old laptop is told to update, on any request
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    install_nudge(engine)  # PostgreSQL: a commit that queues mail asks a worker to send at once
    app.state.sign_in_limiter = SignInLimiter(settings)
    install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)  # 413 before an oversized body is read
    app.include_router(auth.router)
    app.include_router(sync.router)
    app.include_router(health.router)
    app.include_router(admin.router)
    app.include_router(provider_settings.router)
    app.include_router(admin_settings.router)
    mount_web_app(app)  # the office's pages at /, beside the API at /api/v1
    return app


def app_from_env() -> FastAPI:
    """Factory for uvicorn workers: the URL comes from REVIEWAPP_DATABASE_URL; `serve` has already migrated."""
    return create_app(migrate=False)
