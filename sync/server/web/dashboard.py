"""The office dashboard (`/dashboard`, issue 15 item 4) and the list behind each figure (`/figures/<key>`, item 5).

Managers, quality leads and admins choose a period and a team; an assessor sees their own caseload's figures. Each
figure is a number, its trend over the last 6 months as a chart (Chart.js, vendored, started by static/app/charts.js)
and as a table for screen readers, and a link to the list of records behind it, which exports as CSV.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewapp.core.dates import format_date

from ..api.deps import PageCallerDep, SessionDep
from ..models import Team, TeamMember
from ..office_figures import (
    BY_KEY,
    Figure,
    Period,
    Scope,
    Value,
    assessors_in_scope,
    dashboard_figures,
    rows_query,
)
from ..sampling import sampled_shares
from ..scope import Caller
from .listing import LEARNER_COLUMNS, STATUSES, Column, ListRequest, csv_lines, page_of, shown

router = APIRouter(include_in_schema=False)

#: A list sorted otherwise than by learner until the user chooses: the longest overdue first.
DEFAULT_SORT = {"overdue-now": "next_review_due", "copies-shared": "copies_shared", "plans-amended": "plan_amended"}
#: The columns each figure's list shows after the learner's own.
FIGURE_COLUMNS: dict[str, list[Column]] = {
    "reviews-on-time": [Column("visit_date", "Review held", "date"), Column("due_by", "Was due by", "date"),
                        Column("on_time", "On time", "yes_no")],
    "overdue-now": [Column("next_review_due", "Review was due", "date")],
    "targets-followed-up": [Column("followed_up_by", "Next review", "date"),
                            Column("followed_up", "Outcome recorded", "yes_no")],
    "targets-past-due": [Column("due_date", "Target due", "date"),
                         Column("target_status", "Target status", "target_status")],
    "employer-at-review": [Column("visit_date", "Review held", "date"),
                           Column("employer_present", "Employer signed", "yes_no")],
    "learners-at-risk": [Column("visit_date", "Last review", "date"), Column("welfare_rag", "Welfare", "rag"),
                         Column("progress_rag", "Progress", "rag")],
    "days-between-reviews": [Column("previous_visit", "Review before", "date"),
                             Column("visit_date", "Review held", "date"), Column("days", "Days between", "number")],
    "reviews-per-assessor": [Column("visit_date", "Review held", "date")],
    "copies-shared": [Column("visit_date", "Review held", "date"), Column("copies_handed_over", "Copies handed over"),
                      Column("copies_shared", "Both shared", "yes_no")],
    "plans-amended": [Column("visit_date", "Review held", "date"), Column("plan_amended", "Plan amended", "yes_no")],
}


def _day(text: str | None, default: dt.date, name: str) -> dt.date:
    """A date as typed (DD/MM/YYYY) or as the page's own links write it (YYYY-MM-DD)."""
    if not text or not text.strip():
        return default
    text = text.strip()[:10]
    try:
        if "/" in text:
            return dt.datetime.strptime(text, "%d/%m/%Y").date()
        return dt.date.fromisoformat(text)
    except ValueError:
        raise HTTPException(status_code=422, detail=f"The {name} date must be a real date, like 01/11/2025.") from None


def _period(request: Request) -> Period:
    today = dt.date.today()
    start = _day(request.query_params.get("start"), today.replace(day=1), "start")
    end = _day(request.query_params.get("end"), today, "end")
    if end < start:
        raise HTTPException(status_code=422, detail="The period cannot end before it starts.")
    if (end - start).days > 3660:
        raise HTTPException(status_code=422, detail="The period is at most ten years.")
    return Period(start, end)


def _teams(session: Session, caller: Caller) -> list[tuple[str, str]]:
    """The teams the caller may choose: a manager's own, everyone's for quality leads and admins, none otherwise."""
    if caller.role == "assessor":
        return []
    query = select(Team.id, Team.name).order_by(Team.name)
    if caller.role == "manager":
        query = query.where(Team.id.in_(select(TeamMember.team_id).where(TeamMember.user_id == caller.user_id)))
    return [(tid, name) for tid, name in session.execute(query)]


def _scope(request: Request, session: Session, caller: Caller) -> tuple[Scope, list[tuple[str, str]]]:
    teams = _teams(session, caller)
    team = request.query_params.get("team", "") or None
    if team is not None and team not in {tid for tid, _ in teams}:
        raise HTTPException(status_code=403, detail="There is no team here that you may see.")
    return Scope(caller, team_id=team), teams


def _keep(period: Period, scope: Scope) -> dict[str, str]:
    keep = {"start": period.start.isoformat(), "end": period.end.isoformat()}
    if scope.team_id:
        keep["team"] = scope.team_id
    return keep


def _words(figure: Figure, value: Value) -> str:
    if value.value is None:
        return "No data"
    if figure.kind == "share":
        return f"{value.value:g}%"
    if figure.kind == "days":
        return f"{value.value:g} days"
    return f"{value.value:g}"


def _detail(figure: Figure, value: Value) -> str:
    if figure.kind == "share":
        return f"{value.count} of {value.total}"
    if figure.kind == "days":
        return f"worst {value.total} days, over {value.count} gaps" if value.count else ""
    if figure.key == "reviews-per-assessor":
        return f"{value.count} reviews, {value.total} assessors"
    return ""


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, caller: PageCallerDep, session: SessionDep) -> HTMLResponse:
    from .pages import page

    period = _period(request)
    scope, teams = _scope(request, session, caller)
    keep = _keep(period, scope)
    cards = []
    for figure, value, months in dashboard_figures(session, scope, period):
        cards.append({
            "figure": figure, "words": _words(figure, value), "detail": _detail(figure, value),
            "href": f"/figures/{figure.key}?{urlencode(keep)}",
            "months": [(month.label, _words(figure, v), v.value if v.value is not None else "") for month, v in months],
        })
    return page(request, "dashboard.html", caller=caller, cards=cards, period=period, teams=teams,
                start_words=format_date(period.start), end_words=format_date(period.end),
                team=scope.team_id or "", section="dashboard",
                sampled=sampled_shares(session, caller, period.start, period.end, scope.team_id),
                period_words=f"{format_date(period.start)} to {format_date(period.end)}")


def _figure(key: str) -> Figure:
    figure = BY_KEY.get(key)
    if figure is None:
        raise HTTPException(status_code=404, detail="There is no such figure.")
    return figure


def _listing(request: Request, session: Session, caller: Caller, key: str) -> dict[str, Any]:
    figure = _figure(key)
    period = _period(request)
    scope, teams = _scope(request, session, caller)
    columns = LEARNER_COLUMNS + FIGURE_COLUMNS[key]
    list_request = ListRequest.from_query(request.query_params, columns, DEFAULT_SORT.get(key, "learner"))
    rows = rows_query(session, key, scope, period)
    return {"figure": figure, "period": period, "scope": scope, "teams": teams, "columns": columns,
            "list_request": list_request, "rows": rows, "keep": _keep(period, scope)}


@router.get("/figures/{key}.csv")
def figure_csv(key: str, request: Request, caller: PageCallerDep, session: SessionDep) -> StreamingResponse:
    found = _listing(request, session, caller, key)
    name = f"{key}-{found['period'].start.isoformat()}-to-{found['period'].end.isoformat()}.csv"
    lines = csv_lines(session, found["rows"], found["list_request"], found["columns"])
    return StreamingResponse(lines, media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/figures/{key}", response_class=HTMLResponse)
def figure_list(key: str, request: Request, caller: PageCallerDep, session: SessionDep) -> HTMLResponse:
    from .pages import page

    found = _listing(request, session, caller, key)
    list_request: ListRequest = found["list_request"]
    result = page_of(session, found["rows"], list_request)
    columns: list[Column] = found["columns"]
    base = f"/figures/{key}"
    table = [(row.learner_id, [(shown(row._mapping[column.key], column.kind), column) for column in columns])
             for row in result.rows]
    sort_links = {c.key: list_request.address(base, found["keep"], sort=c.key, page=1,
                                              order="desc" if list_request.sort == c.key and not
                                              list_request.descending else "asc") for c in columns}
    return page(request, "figure_list.html", caller=caller, section="dashboard", result=result, table=table,
                columns=columns, sort_links=sort_links, list_request=list_request, base=base,
                csv_href=list_request.address(f"{base}.csv", found["keep"]), keep=found["keep"],
                previous_href=list_request.address(base, found["keep"], page=result.page - 1),
                next_href=list_request.address(base, found["keep"], page=result.page + 1),
                assessors=assessors_in_scope(session, found["scope"]), statuses=STATUSES, teams=found["teams"],
                figure=found["figure"],
                period_words=f"{format_date(found['period'].start)} to {format_date(found['period'].end)}")
