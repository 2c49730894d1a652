"""`/conflicts` (issue 19 item 2): the open sync conflicts on the caller's reviews, and under "Resolved" the ones
settled already. Read-only: a conflict is resolved on the laptop, in the wizard. The lines are conflict_lines.py."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ..api.deps import PageCallerDep, SessionDep
from .conflict_lines import conflict_lines
from .pages import page

router = APIRouter(include_in_schema=False)


@router.get("/conflicts", response_class=HTMLResponse)
def conflicts_page(request: Request, caller: PageCallerDep, session: SessionDep) -> HTMLResponse:
    with session.begin():
        waiting = conflict_lines(session, caller, resolved=False)
        settled = conflict_lines(session, caller, resolved=True)
    return page(request, "conflicts.html", waiting=waiting, settled=settled)
