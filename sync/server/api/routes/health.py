"""`GET /api/v1/health`: for load balancers and for the client to learn the server id without signing in."""

from __future__ import annotations

from fastapi import APIRouter

from sync.protocol import HealthResponse

from ..deps import ServerIdDep, SessionDep

router = APIRouter(prefix="/api/v1", tags=["health"])


@router.get("/health", response_model=HealthResponse)
def health(session: SessionDep, server: ServerIdDep) -> HealthResponse:
    with session.begin():
        from ...db import last_rev

        last_rev(session)  # proves the database answers
    return HealthResponse(server_id=server, database=session.get_bind().dialect.name)
