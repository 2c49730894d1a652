"""`POST /api/v1/auth/token`: sign in from a device and receive a bearer token for it."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from sync.protocol import ErrorResponse, TokenRequest, TokenResponse

from ...accounts import issue_token, user_info
from ..deps import ServerIdDep, SessionDep

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])

BAD_CREDENTIALS = "The username or password is not right. Check them and try again."


@router.post("/token", response_model=TokenResponse, responses={401: {"model": ErrorResponse}})
def create_token(body: TokenRequest, request: Request, session: SessionDep, server: ServerIdDep) -> TokenResponse:
    with session.begin():
        issued = issue_token(
            session, body.username, body.password, body.device_name, request.app.state.settings.token_lifetime
        )
        if issued is None:
            raise HTTPException(status_code=401, detail=BAD_CREDENTIALS)
        return TokenResponse(
            server_id=server,
            token=issued.token,
            expires_at=issued.expires_at,
            user=user_info(issued.user),
            device_id=issued.device.id,
        )
