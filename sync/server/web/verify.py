"""`/verify/{review id}?h=<fingerprint>` (the page a copy's QR code opens) and `GET /api/v1/verify/{id}?hash=` (the
same answer as JSON): anyone holding a printed copy checks it against the provider's records, without signing in
(issue 17 item 4). The answer is `sync.server.verify.check_copy`'s; both are rate-limited per client address."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from ..api.deps import AddressDep, SessionDep, _wait
from ..api.sign_in_limits import TooManyAttempts
from ..models import ProviderSetting
from ..provider_settings import NAME
from ..verify import CopyCheck, VerifyLimiter, check_copy
from .pages import page

router = APIRouter()
_FINGERPRINT = re.compile(r"^[0-9a-fA-F]{64}$")
INCOMPLETE = ("This address is not complete: the part after “?h=” must be the copy's fingerprint, 64 letters and "
              "digits. Scan the QR code again, or type the address exactly as printed on the copy.")
TOO_MANY = "There have been too many checks from your address: wait {wait}, then try again."


def _limiter(request: Request) -> VerifyLimiter:
    limiter = getattr(request.app.state, "verify_limiter", None)
    if limiter is None:  # made on first use, from the app's settings, and then shared by every request
        limiter = request.app.state.verify_limiter = VerifyLimiter(request.app.state.settings)
    return limiter


def _checked(request: Request, session: SessionDep, address: str, review_id: str, fingerprint: str) -> CopyCheck:
    _limiter(request).hit(address)
    with session.begin():
        return check_copy(session, review_id, fingerprint.lower())


def _provider(session: SessionDep) -> str:
    """The provider's name as the office set it, for the page to say whose records it checked."""
    with session.begin():
        row = session.get(ProviderSetting, NAME)
    return str(row.value) if row is not None and row.value else "the training provider"


@router.get("/api/v1/verify/{review_id}", tags=["verify"], summary="Check a printed copy of a review")
def verify_api(
    review_id: str, request: Request, session: SessionDep, address: AddressDep,
    hash: Annotated[str, Query(pattern="^[0-9a-fA-F]{64}$", description="the copy's fingerprint (hex SHA-256)")],
) -> JSONResponse:
    """`{"status": "genuine" | "altered" | "unknown", "review_id", "message"}`, and for a genuine copy its
    `review_date`, `learner_initials` and `copy`. No sign-in; 429 with Retry-After past the rate limit."""
    try:
        answer = _checked(request, session, address, review_id, hash)
    except TooManyAttempts as wait:
        return JSONResponse({"detail": TOO_MANY.replace("{wait}", _wait(wait.retry_after))}, status_code=429,
                            headers={"Retry-After": str(wait.retry_after)})
    return JSONResponse(answer.as_json(), headers={"Cache-Control": "no-store"})


@router.get("/verify/{review_id}", response_class=HTMLResponse, include_in_schema=False)
def verify_page(review_id: str, request: Request, session: SessionDep, address: AddressDep,
                h: Annotated[str, Query(max_length=200)] = "") -> HTMLResponse:
    if not _FINGERPRINT.match(h):
        return page(request, "error.html", status=400, title="Check a copy of a review", detail=INCOMPLETE)
    try:
        answer = _checked(request, session, address, review_id, h)
    except TooManyAttempts as wait:
        response = page(request, "error.html", status=429, title="Too many checks",
                        detail=TOO_MANY.replace("{wait}", _wait(wait.retry_after)))
        response.headers["Retry-After"] = str(wait.retry_after)
        return response
    response = page(request, "verify.html", answer=answer, provider=_provider(session))
    response.headers["Cache-Control"] = "no-store"
    return response
