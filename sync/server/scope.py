"""Who may see what: the caller's scope, as SQL conditions every query of records goes through.

An assessor sees the learners assigned to them, everything hanging off those learners, and their employers.
Managers and admins see everything. A record outside the scope is treated everywhere as if it did not exist, so
an answer never tells an assessor that another assessor's learner is there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, select, true
from sqlalchemy.orm import Session

from .models import Assignment, Employer, Learner


@dataclass(frozen=True)
class Caller:
    user_id: str
    username: str
    role: str
    device_id: str

    @property
    def sees_everything(self) -> bool:
        return self.role in ("manager", "admin")

    def caseload(self) -> Select[tuple[str]]:
        """Ids of the learners assigned to the caller."""
        return select(Assignment.learner_id).where(Assignment.assessor_id == self.user_id)

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
