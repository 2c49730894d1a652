"""Who may see what: the caller's scope, as SQL conditions every query of records goes through.

An assessor sees the learners assigned to them, everything hanging off those learners, and their employers. A
manager in the office web app sees the caseloads of the assessors in the teams they manage; quality leads and admins
see everything. A record outside the scope is treated everywhere as if it did not exist, so an answer never tells
an assessor that another assessor's learner is there.

The sync API still lets a manager's laptop see everything (`by_team` False): the office's own laptop edits every
learner through it, and narrowing that is a change to the sync protocol's meaning, left for its own decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select, true
from sqlalchemy.orm import Session

from .models import Assignment, Employer, Learner, TeamMember

#: Roles that see every learner, wherever they sign in.
SEES_ALL_ROLES = ("quality_lead", "admin")


def team_mates(user_id: str) -> Select[tuple[str]]:
    """Ids of everyone in the teams `user_id` is in (themselves included): a manager's assessors, or an
    assessor's team."""
    teams = select(TeamMember.team_id).where(TeamMember.user_id == user_id)
    return select(TeamMember.user_id).where(TeamMember.team_id.in_(teams))


@dataclass(frozen=True)
class Caller:
    user_id: str
    username: str
    role: str
    #: The laptop the bearer token belongs to; None for a browser session.
    device_id: str | None
    #: Whether a manager sees only their teams' caseloads (the web app) rather than everything (the sync API).
    by_team: bool = False

    @property
    def sees_everything(self) -> bool:
        return self.role in SEES_ALL_ROLES or (self.role == "manager" and not self.by_team)

    def caseload(self) -> Select[tuple[str]]:
        """Ids of the learners in the caller's caseload: their own, or for a manager their teams' assessors'."""
        if self.role == "manager":
            return select(Assignment.learner_id).where(Assignment.assessor_id.in_(team_mates(self.user_id)))
        return select(Assignment.learner_id).where(Assignment.assessor_id == self.user_id)

    def sees_user(self, user_id: Any) -> ColumnElement[bool]:
        """Whether the caller may see a user's page: their own, their teams' for a manager, everyone's for those
        who see everything."""
        if self.sees_everything:
            return true()
        if self.role == "manager":
            return or_(user_id == self.user_id, user_id.in_(team_mates(self.user_id)))
        return user_id == self.user_id

    def visible(self, model: Any) -> ColumnElement[bool]:
        """The condition a row of `model` must meet for the caller to see it."""
        if self.sees_everything:
            return true()
        if model is Learner:
            return Learner.id.in_(self.caseload())
        if model is Employer:
            return Employer.id.in_(
                select(Learner.employer_id).where(Learner.id.in_(self.caseload()), Learner.employer_id.is_not(None))
            )
        return model.learner_id.in_(self.caseload())

    def load(self, session: Session, model: Any, record_id: str) -> Any | None:
        """The record if it exists and the caller may see it; None otherwise (the two are never told apart)."""
        return session.execute(
            select(model).where(model.id == record_id, self.visible(model))
        ).scalar_one_or_none()

    def has_learner(self, session: Session, learner_id: Any) -> bool:
        return isinstance(learner_id, str) and self.load(session, Learner, learner_id) is not None
