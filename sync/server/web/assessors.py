"""An assessor's page in the office: their caseload, and a few figures beside their team's.

Who may open it is the scope's rule (`scope.Caller.sees_user`): an assessor their own, a manager their teams'
assessors, quality leads and admins anyone; anyone else, and an unknown name, get the same 403. The caseload listed
is the one `caseload.visible_learners` gives the caller, so no learner appears that the caller may not see. The
team's figures are counts only, naming no one, over the learners of everyone in the assessor's teams.

"Overdue" and "at risk" are reviewapp.core's rules (`caseload_rows`, `CaseloadRow.at_risk`: the same as the
learners list and the laptop's caseload); the reviews finalised this month are counted in SQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from reviewapp.core.caseload import ReviewTiming

from ..models import Assignment, Learner, Review, Team, TeamMember, User
from ..scope import Caller, team_mates
from .caseload import LearnerLine, learner_lines, visible_learners

NOT_YOURS = "There is no assessor here whose page you may see."


@dataclass(frozen=True)
class Figures:
    learners: int
    overdue: int
    at_risk: int
    reviews_this_month: int


@dataclass(frozen=True)
class AssessorPage:
    username: str
    name: str
    teams: tuple[str, ...]
    caseload: list[LearnerLine]
    own: Figures
    team: Figures | None


def _month_start(today: dt.date) -> dt.date:
    return today.replace(day=1)


def reviews_finalised(session: Session, learners: Select[tuple[str]], since: dt.date, until: dt.date) -> int:
    """Finalised reviews (addenda included: each is a visit's record) of `learners` with a visit in the period,
    counted in SQL from the stored documents."""
    visit = Review.data["visit_date"].as_string()
    return session.scalar(
        select(func.count()).select_from(Review).where(
            Review.deleted.is_(False), Review.learner_id.in_(learners),
            Review.data["status"].as_string() == "finalised",
            visit >= since.isoformat(), visit <= until.isoformat(),
        )
    ) or 0


def _figures(session: Session, lines: Sequence[LearnerLine], learners: Select[tuple[str]], today: dt.date) -> Figures:
    return Figures(
        learners=len(lines),
        overdue=sum(1 for line in lines if line.caseload.timing is ReviewTiming.OVERDUE),
        at_risk=sum(1 for line in lines if line.caseload.at_risk),
        reviews_this_month=reviews_finalised(session, learners, _month_start(today), today),
    )


def assessor_page(session: Session, caller: Caller, username: str, today: dt.date) -> AssessorPage | None:
    """The page for `username` if the caller may see it; None otherwise (unknown and not yours alike)."""
    if len(username) > 150:
        return None
    user = session.execute(
        select(User).where(User.username == username, User.role == "assessor", caller.sees_user(User.id))
    ).scalar_one_or_none()
    if user is None:
        return None
    theirs = select(Assignment.learner_id).where(Assignment.assessor_id == user.id)
    caseload = visible_learners(session, caller, today, among=theirs)
    teams = tuple(session.scalars(
        select(Team.name).join(TeamMember, TeamMember.team_id == Team.id).where(TeamMember.user_id == user.id)
        .order_by(Team.name)))
    team = None
    if teams:
        team_learners = select(Assignment.learner_id).where(
            Assignment.assessor_id.in_(team_mates(user.id)),
            Assignment.assessor_id.in_(select(User.id).where(User.role == "assessor")))
        team_lines = learner_lines(session, Learner.id.in_(team_learners), today)
        team = _figures(session, team_lines, team_learners, today)
    # Whoever may open the page sees the whole of this caseload (scope.py), so its figures are the list's.
    return AssessorPage(username=user.username, name=user.display_name or user.username, teams=teams,
                        caseload=caseload, own=_figures(session, caseload, theirs, today), team=team)
