"""`/api/v1/admin/settings` and `/api/v1/admin/templates`: the `reviewapp-server settings` commands over HTTP.

The same checks as the command line (`provider_settings`), in one transaction per request: a refused setting is a
422 with the reason, and nothing in the request is changed.
"""

from __future__ import annotations

import base64
import binascii

from fastapi import APIRouter, HTTPException

from sync.protocol import ErrorResponse, ProviderSettingsChange, ProviderSettingsResponse, TemplateAddRequest

from ...provider_settings import (
    SettingsError,
    add_template,
    current_settings,
    set_logo,
    set_provider_name,
    set_schedule,
)
from ..deps import AdminDep, ServerIdDep, SessionDep

router = APIRouter(
    prefix="/api/v1/admin",
    tags=["admin"],
    responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}, 422: {"model": ErrorResponse}},
)


@router.put("/settings", response_model=ProviderSettingsResponse)
def change_settings(body: ProviderSettingsChange, caller: AdminDep, session: SessionDep,
                    server: ServerIdDep) -> ProviderSettingsResponse:
    """Set the provider name, logo or schedule (those given); laptops take them at their next sync."""
    if body.provider_name is None and body.logo is None and body.schedule is None:
        raise HTTPException(status_code=422, detail="Give at least one of provider_name, logo and schedule.")
    with session.begin():
        try:
            if body.provider_name is not None:
                set_provider_name(session, body.provider_name, caller.username)
            if body.logo is not None:
                try:
                    data = base64.b64decode(body.logo.data, validate=True)
                except (binascii.Error, ValueError):
                    raise SettingsError("The logo's data is not base64.") from None
                set_logo(session, data, caller.username)
            if body.schedule is not None:
                set_schedule(session, body.schedule, caller.username)
        except SettingsError as error:
            raise HTTPException(status_code=422, detail=f"{error} Nothing was changed.") from None
        return current_settings(session, server)


@router.post("/templates", response_model=ProviderSettingsResponse)
def add_review_template(body: TemplateAddRequest, caller: AdminDep, session: SessionDep,
                        server: ServerIdDep) -> ProviderSettingsResponse:
    """Add a new version of a review template; an existing version is never replaced."""
    with session.begin():
        try:
            add_template(session, body.template, caller.username)
        except SettingsError as error:
            raise HTTPException(status_code=422, detail=f"{error} Nothing was changed.") from None
        return current_settings(session, server)
