"""`GET /api/v1/settings`: the provider settings the office set, fetched by every laptop at each sync (protocol 3).

Any signed-in user may read them (they hold no learner's data: a name, a logo, the schedule and the templates); only
the admin CLI changes them. A laptop sends the version it holds, so an unchanged set costs one small answer.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse

from sync.protocol import ErrorResponse, ProviderSettingsResponse

from ...provider_settings import current_settings
from ..deps import CallerDep, ServerIdDep, SessionDep

router = APIRouter(prefix="/api/v1", tags=["settings"], responses={401: {"model": ErrorResponse}})


@router.get("/settings", response_model=ProviderSettingsResponse)
def provider_settings(
    caller: CallerDep,
    session: SessionDep,
    server: ServerIdDep,
    have: Annotated[int | None, Query(ge=0, le=2**62, description="the settings version the laptop holds")] = None,
    x_reviewapp_protocol: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> ProviderSettingsResponse | JSONResponse:
    with session.begin():
        settings = current_settings(session, server, have)
    if int((x_reviewapp_protocol or "1").strip()) < 4:  # an older laptop's model has no `alerts` and would refuse it
        return JSONResponse(settings.model_dump(mode="json", exclude={"alerts"}))
    return settings
