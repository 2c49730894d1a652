"""The alerts pages (issue 16 item 5): `/alerts`, the caller's alerts by the laptop's rules (sync/server/alerts.py),
filtered by kind; `/alerts/dismiss`, dismissing one with a reason; `/alerts/dismissed`, the log of dismissals.
Scoped by the shared caller (assessor: own caseload; manager: their teams; quality lead and admin: all)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from reviewapp.core.alerts import AlertKind
from reviewapp.core.dates import london_today

from ..alerts import DismissError, assessor_names, current_alerts, dismiss, dismissal_log
from ..api.deps import PageCallerDep, SessionDep
from ..models import User
from ..scope import Caller
from .csrf import FIELD, check_csrf
from .pages import page

router = APIRouter(include_in_schema=False)
#: Shown for another caseload's alert, an unknown one and one dismissed already alike.
NOT_YOURS = "There is no alert here that you may dismiss."
KINDS = [(kind.value, kind.label) for kind in AlertKind]
#: Alerts on one page of the list (a quality lead's may run to thousands).
PER_PAGE = 100


def _kind(value: str | None) -> AlertKind | None:
    try:
        return AlertKind(value) if value else None
    except ValueError:
        raise HTTPException(status_code=400, detail="There is no such kind of alert.") from None


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, caller: PageCallerDep, session: SessionDep, kind: str | None = None,
                page_number: Annotated[int, Query(alias="page", ge=1, le=1_000_000)] = 1) -> HTMLResponse:
    chosen = _kind(kind)
    with session.begin():
        every = current_alerts(session, caller, london_today(), chosen)
        pages = max(1, -(-len(every) // PER_PAGE))
        number = min(page_number, pages)
        alerts = every[(number - 1) * PER_PAGE:number * PER_PAGE]
        assessors = assessor_names(session, [a.learner_id for a in alerts]) if caller.role != "assessor" else {}
    here = {"kind": chosen.value} if chosen else {}
    return page(request, "alerts.html", alerts=alerts, total=len(every), kinds=KINDS,
                kind=chosen.value if chosen else "", assessors=assessors,
                dismissed=request.query_params.get("dismissed") == "1", page_number=number, pages=pages,
                first=(number - 1) * PER_PAGE + 1, previous_href=f"/alerts?{urlencode({**here, 'page': number - 1})}",
                next_href=f"/alerts?{urlencode({**here, 'page': number + 1})}")


def _find(session, caller: Caller, learner_id: str, key: str):  # type: ignore[no-untyped-def]
    found = next((a for a in current_alerts(session, caller, london_today(), learner_ids=[learner_id])
                  if a.key == key), None)
    if found is None:
        raise HTTPException(status_code=403, detail=NOT_YOURS)
    return found


@router.get("/alerts/dismiss", response_class=HTMLResponse)
def dismiss_form(request: Request, caller: PageCallerDep, session: SessionDep, learner: str = "", key: str = ""
                 ) -> HTMLResponse:
    with session.begin():
        alert = _find(session, caller, learner[:36], key[:200])
    return page(request, "alert_dismiss.html", alert=alert, reason="", errors=[])


@router.post("/alerts/dismiss", response_class=HTMLResponse)
async def dismiss_alert(request: Request, caller: PageCallerDep, session: SessionDep) -> Response:
    form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    check_csrf(form.get(FIELD), request.state.csrf_token)
    learner, key, reason = form.get("learner", "")[:36], form.get("key", "")[:200], form.get("reason", "")
    with session.begin():
        alert = _find(session, caller, learner, key)
        user = session.get(User, caller.user_id)
        try:
            dismiss(session, caller, london_today(), learner, key, reason,
                    (user.display_name if user else "") or caller.username)
        except DismissError:
            raise HTTPException(status_code=403, detail=NOT_YOURS) from None
        except ValueError as error:
            return page(request, "alert_dismiss.html", status=400, alert=alert, reason=reason,
                        errors=[("reason", str(error))])
    return RedirectResponse("/alerts?dismissed=1", status_code=303)


@router.get("/alerts/dismissed", response_class=HTMLResponse)
def dismissed_page(request: Request, caller: PageCallerDep, session: SessionDep) -> HTMLResponse:
    with session.begin():
        lines = dismissal_log(session, caller)
    return page(request, "alerts_dismissed.html", lines=lines)
