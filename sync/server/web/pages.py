"""The office web app's pages: sign in and out, the learners the signed-in user may see, and a learner's page.

Every page asks for its caller through the one role check the API uses (api/deps.require_role, by the session
cookie), and every POST checks its CSRF token (csrf.py). The sign-in form goes through the API sign-in's own guards
(rate limits, lockout: api/routes/auth.guarded). Jinja2 escapes everything a page shows.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from reviewapp.core.dates import format_date, format_datetime

from ..accounts import AuthFailure, check_credentials
from ..api.deps import AddressDep, AuthRefused, LimiterDep, PageCallerDep, SessionDep
from ..api.routes.auth import guarded
from .caseload import visible_learners
from .conflict_lines import open_conflict_count
from .csrf import FIELD, SIGN_IN_COOKIE, check_csrf, remember_sign_in_token, sign_in_token
from .learner_record import RAG_SCORES, learner_record
from .sessions import COOKIE_NAME, end_session, start_session

templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))
templates.env.filters["date"] = lambda day: format_date(day) or "—"
templates.env.filters["datetime"] = lambda when: format_datetime(when) or "—"
router = APIRouter(include_in_schema=False)
#: Shown for another caseload's learner and for an unknown id alike: the answer reveals nothing.
NOT_YOURS = "There is no learner here that you may see."


def _secure(request: Request) -> bool:
    """Whether the browser reached us over TLS (behind a proxy, uvicorn's proxy_headers make the scheme its)."""
    return request.url.scheme == "https"


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a page; `csrf_token` is the signed-in session's, for the forms in it (sign-out on every page)."""
    context.setdefault("csrf_token", getattr(request.state, "csrf_token", ""))
    context.setdefault("caller", getattr(request.state, "caller", None))
    context.setdefault("csrf_field", FIELD)
    return templates.TemplateResponse(request, name, context, status_code=status)


#: Roles whose work is cases, not caseloads: their home is the case list.
CASE_HOME_ROLES = ("safeguarding_lead", "safeguarding_deputy", "learning_support")


@router.get("/")
def home(caller: PageCallerDep) -> RedirectResponse:
    return RedirectResponse("/cases" if caller.role in CASE_HOME_ROLES else "/learners", status_code=303)


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request) -> HTMLResponse:
    token = sign_in_token(request)
    response = page(request, "sign_in.html", username="", error="", csrf_token=token,
                    next_page=request.query_params.get("next", ""))
    remember_sign_in_token(response, token, _secure(request))
    return response


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(
    request: Request, session: SessionDep, limiter: LimiterDep, address: AddressDep,
    username: Annotated[str, Form(max_length=150)] = "", password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    check_csrf(csrf_token, request.cookies.get(SIGN_IN_COOKIE))
    settings = request.app.state.settings

    def attempt(s: Any) -> tuple[str, str]:
        user = check_credentials(s, username, password, settings.lockout)
        if user.must_change_password:
            raise AuthFailure("password_change_required")
        return start_session(s, user, settings.web_idle)

    try:
        token, _ = guarded(session, limiter, address, username, attempt)  # as the API's sign-in: no trimming
    except AuthRefused as refused:
        response = page(request, "sign_in.html", status=refused.status_code, username=username,
                        error=str(refused.detail), csrf_token=csrf_token,
                        next_page=request.query_params.get("next", ""))
        if "Retry-After" in (refused.headers or {}):
            response.headers["Retry-After"] = refused.headers["Retry-After"]
        return response
    target = request.query_params.get("next", "")
    response = RedirectResponse(target if target.startswith("/") and not target.startswith("//") else "/learners",
                                status_code=303)
    response.set_cookie(COOKIE_NAME, token, httponly=True, samesite="lax", secure=_secure(request), path="/")
    response.delete_cookie(SIGN_IN_COOKIE, path="/sign-in")
    return response


@router.post("/sign-out")
def sign_out(
    request: Request, caller: PageCallerDep, session: SessionDep,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> RedirectResponse:
    check_csrf(csrf_token, request.state.csrf_token)
    with session.begin():
        end_session(session, request.cookies.get(COOKIE_NAME))
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(COOKIE_NAME, path="/")
    return response


@router.get("/learners", response_class=HTMLResponse)
def learners(request: Request, caller: PageCallerDep, session: SessionDep) -> HTMLResponse:
    lines = visible_learners(session, caller, dt.date.today())
    return page(request, "learners.html", caller=caller, lines=lines,
                open_conflicts=open_conflict_count(session, caller))


@router.get("/learners/{learner_id}", response_class=HTMLResponse)
def learner(learner_id: str, request: Request, caller: PageCallerDep, session: SessionDep) -> HTMLResponse:
    found = visible_learners(session, caller, dt.date.today(), learner_id=learner_id) if len(learner_id) <= 36 else []
    if not found:
        raise HTTPException(status_code=403, detail=NOT_YOURS)
    line = found[0]
    record = learner_record(session, learner_id, line.data, dt.date.today())
    return page(request, "learner.html", caller=caller, line=line, record=record, rag_scores=RAG_SCORES)
