"""Case pages: `/cases` (the cases the caller may read, or for managers, quality leads and admins the counts and
ages per team) and `/cases/{id}` (what was recorded, the log, the forms to work the case, and the log of who
opened the page). Need to know is cases/access.py's; this module only reads forms and renders."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from reviewapp.core.concerns import ROUTE_NAMES, ROUTE_OWNERS, case_state_words
from sync.protocol import CaseStatusData

from ..api.deps import PageCallerDep, SessionDep
from ..cases import LOG_WORDS, MAX_ENTRY_CHARS, STATE_WORDS, URGENCY_WORDS, WORK_KINDS, log_view, record_entry
from ..cases.access import COUNT_ROLES, NOT_YOURS, load_readable, readable_cases, team_counts, unassigned_open, works
from ..models import Case, CaseLogEntry, CaseView, Learner, as_utc, utcnow
from ..scope import Caller
from .csrf import FIELD, check_csrf
from .pages import page

router = APIRouter(include_in_schema=False)
#: The entries of the work form, as the radios offer them.
WORK_CHOICES = (("acknowledged", "Acknowledge the case"), ("action", "Record an action taken"),
                ("referred", "Refer on (to an outside agency or service)"), ("outcome", "Record the outcome"),
                ("closed", "Close the case"))
#: Tag colours: the tag's text says the same in words.
STATE_TAGS = {"open": "govuk-tag--red", "acknowledged": "govuk-tag--yellow", "referred": "govuk-tag--blue",
              "closed": "govuk-tag--grey"}
URGENCY_TAGS = {"urgent": "govuk-tag--red", "routine": "govuk-tag--grey"}


def age_words(age: dt.timedelta | None) -> str:
    """How long ago, in words: "under an hour", "5 hours", "3 days"."""
    if age is None:
        return "—"
    hours = int(age.total_seconds() // 3600)
    if hours < 1:
        return "under an hour"
    if hours < 48:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{age.days} days"


def _words() -> dict:
    return {"route_names": ROUTE_NAMES, "route_owners": ROUTE_OWNERS, "state_words": STATE_WORDS,
            "urgency_words": URGENCY_WORDS, "log_words": LOG_WORDS, "state_tags": STATE_TAGS,
            "urgency_tags": URGENCY_TAGS, "age_words": age_words}


@router.get("/cases", response_class=HTMLResponse)
def case_list(request: Request, caller: PageCallerDep, session: SessionDep) -> HTMLResponse:
    with session.begin():
        lines = readable_cases(session, caller)
        counts = team_counts(session, caller)
        outside = unassigned_open(session) if caller.role in COUNT_ROLES and caller.role != "manager" else 0
    return page(request, "cases.html", lines=lines, counts=counts, outside=outside,
                shows_counts=caller.role in COUNT_ROLES, **_words())


def _case_context(session, caller: Caller, case: Case) -> dict:  # type: ignore[no-untyped-def]
    learner = session.get(Learner, case.learner_id)
    data = learner.data if learner is not None else {}
    name = " ".join(filter(None, (data.get("first_name"), data.get("last_name")))) or "—"
    worker = works(caller, case)
    log = list(session.scalars(select(CaseLogEntry).where(CaseLogEntry.case_id == case.id)
                               .order_by(CaseLogEntry.at, CaseLogEntry.id)))
    views = list(session.scalars(select(CaseView).where(CaseView.case_id == case.id)
                                 .order_by(CaseView.at.desc()))) if worker else []
    status = CaseStatusData.model_validate(case.data)
    state_line = case_state_words(status.state, status.state_by, status.state_at)
    return {"case": case, "state_line": state_line, "learner_name": name, "uln": data.get("uln", ""),
            "works": worker, "log": log, "views": views, "choices": WORK_CHOICES, "max_entry": MAX_ENTRY_CHARS,
            "age": age_words(utcnow() - (as_utc(case.received_at) or utcnow())), **_words()}


def _readable(session, caller: Caller, case_id: str) -> Case:  # type: ignore[no-untyped-def]
    case = load_readable(session, caller, case_id)
    if case is None:
        raise HTTPException(status_code=403, detail=NOT_YOURS)
    return case


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(case_id: str, request: Request, caller: PageCallerDep, session: SessionDep) -> HTMLResponse:
    with session.begin():
        case = _readable(session, caller, case_id)
        log_view(session, caller, case)
        session.flush()
        context = _case_context(session, caller, case)
    return page(request, "case.html", values={}, errors=[], recorded=request.query_params.get("recorded", ""),
                **context)


@router.post("/cases/{case_id}/entries", response_class=HTMLResponse)
async def case_entry(case_id: str, request: Request, caller: PageCallerDep, session: SessionDep) -> Response:
    form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    check_csrf(form.get(FIELD), request.state.csrf_token)
    kind, words = form.get("kind", ""), form.get("text", "")
    with session.begin():
        case = _readable(session, caller, case_id)
        if not works(caller, case):
            raise HTTPException(status_code=403, detail="Only those who work this case can record on it.")
        try:
            record_entry(session, caller, case, kind, words)
        except ValueError as refused:
            field = "kind" if kind not in WORK_KINDS else "text"
            errors = [(field, str(refused))]
            context = _case_context(session, caller, case)
        else:
            errors = []
    if errors:
        return page(request, "case.html", status=400, values=form, errors=errors, recorded="", **context)
    return RedirectResponse(f"/cases/{case_id}?recorded={kind}", status_code=303)
