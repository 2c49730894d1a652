"""Need to know: who may read a case, who may work it, and what managers see instead (counts and ages, never content).

A case's content is read only by the roles that work its route (the designated safeguarding lead and deputies for
safeguarding, the learning support officer for learning support) and by the assessor who raised it. Anyone else,
a manager, a quality lead or an admin included, meets a case's URL as if it did not exist (the same 403 as an
unknown id). Managers see, per team they manage, how many cases are open and how old the oldest is; quality leads
and admins see the same for every team. All of it is SQL over the case table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.orm import Session

from ..models import Assignment, Case, Learner, Team, TeamMember, as_utc, utcnow
from ..scope import SEES_ALL_ROLES, Caller
from . import ROUTE_ROLES

#: The one answer for a case the caller may not read and for an unknown id alike.
NOT_YOURS = "There is no case here that you may see."
#: Roles that see counts and ages per team instead of cases.
COUNT_ROLES = ("manager", *SEES_ALL_ROLES)


def worked_routes(caller: Caller) -> tuple[str, ...]:
    """The routes whose cases the caller works (reads and records on)."""
    return tuple(route for route, roles in ROUTE_ROLES.items() if caller.role in roles)


def readable(caller: Caller) -> ColumnElement[bool]:
    """The condition a case must meet for the caller to read its content."""
    routes = worked_routes(caller)
    if routes:
        return Case.route.in_(routes)
    if caller.role == "assessor":
        return Case.raised_by_id == caller.user_id
    return false()


def load_readable(session: Session, caller: Caller, case_id: str) -> Case | None:
    """The case if the caller may read it; None for one they may not and for an unknown id alike."""
    return session.scalars(select(Case).where(Case.id == case_id, readable(caller))).first()


def works(caller: Caller, case: Case) -> bool:
    return case.route in worked_routes(caller)


@dataclass(frozen=True)
class CaseLine:
    id: str
    urgency: str
    route: str
    state: str
    learner_name: str
    received_at: dt.datetime
    raised_by: str

    @property
    def age(self) -> dt.timedelta:
        return utcnow() - (as_utc(self.received_at) or utcnow())


#: Most urgent first, then the oldest: the order a safeguarding lead works them in.
_URGENCY_ORDER = func.coalesce(func.nullif(Case.urgency, "urgent"), "")


def readable_cases(session: Session, caller: Caller, include_closed: bool = False) -> list[CaseLine]:
    """The cases the caller may read, open ones first, urgent before routine, oldest first."""
    query = (select(Case, Learner.data).join(Learner, Learner.id == Case.learner_id, isouter=True)
             .where(readable(caller)))
    if not include_closed:
        query = query.where(Case.state != "closed")
    query = query.order_by(_URGENCY_ORDER, Case.received_at)
    lines = []
    for case, learner in session.execute(query):
        name = " ".join(filter(None, ((learner or {}).get("first_name"), (learner or {}).get("last_name")))) or "—"
        lines.append(CaseLine(case.id, case.urgency, case.route, case.state, name, case.received_at, case.raised_by))
    return lines


@dataclass(frozen=True)
class TeamCounts:
    team: str
    route: str
    open_cases: int
    oldest: dt.datetime | None

    @property
    def oldest_age(self) -> dt.timedelta | None:
        return utcnow() - as_utc(self.oldest) if self.oldest is not None else None  # type: ignore[operator]


def team_counts(session: Session, caller: Caller) -> list[TeamCounts]:
    """Per team (those a manager manages; every team for a quality lead or admin) and route: how many cases are not
    closed and when the oldest was received. Counts only: no learner, no content."""
    if caller.role not in COUNT_ROLES:
        return []
    query = (
        select(Team.name, Case.route, func.count(Case.id), func.min(Case.received_at))
        .select_from(Case)
        .join(Assignment, Assignment.learner_id == Case.learner_id)
        .join(TeamMember, TeamMember.user_id == Assignment.assessor_id)
        .join(Team, Team.id == TeamMember.team_id)
        .where(Case.state != "closed")
        .group_by(Team.name, Case.route)
        .order_by(Team.name, Case.route)
    )
    if caller.role == "manager":
        query = query.where(Team.id.in_(select(TeamMember.team_id).where(TeamMember.user_id == caller.user_id)))
    return [TeamCounts(team, route, count, oldest) for team, route, count, oldest in session.execute(query)]


def unassigned_open(session: Session) -> int:
    """Open cases whose learner is in no team's caseload (for those who see every team)."""
    in_team = select(Assignment.learner_id).join(TeamMember, TeamMember.user_id == Assignment.assessor_id)
    return session.scalar(select(func.count()).select_from(Case).where(
        Case.state != "closed", or_(Case.learner_id.not_in(in_team)))) or 0
