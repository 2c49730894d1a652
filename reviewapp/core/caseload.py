"""What the assessor sees of their caseload: plain rows and details, derived by the scheduling rules.

These are the values the UI shows; the store builds them from the database, and nothing here knows about SQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from reviewapp.core.review_frequency import AgreedFrequency
from reviewapp.core.scheduling import (
    DEFAULT_RULES,
    Interval,
    ReviewTiming,
    ScheduleRules,
    next_review_due,
    review_timing,
)

RAG_WORDS = {"red": "Red", "amber": "Amber", "green": "Green"}

LEARNER_STATUS_WORDS = {
    "active": "In learning",
    "break_in_learning": "Break in learning",
    "withdrawn": "Withdrawn",
    "completed": "Completed",
}


@dataclass(frozen=True)
class CaseloadFacts:
    """What the store knows of one learner, before the rules derive their review timing."""

    learner_id: str
    name: str
    uln: str
    employer: str
    programme: str
    level: int | None
    start_date: dt.date
    learner_status: str
    has_support_needs: bool
    last_review_date: dt.date | None
    agreed_next_review_date: dt.date | None
    welfare_rag: str | None
    progress_rag: str | None
    has_draft: bool = False
    #: The learner's own review frequency agreed with the employer, or None for the provider's schedule.
    review_interval: Interval | None = None


@dataclass(frozen=True)
class CaseloadRow:
    """One line of the caseload table."""

    facts: CaseloadFacts
    next_review_due: dt.date | None
    timing: ReviewTiming

    @property
    def at_risk(self) -> bool:
        """Red or amber on welfare or progress at the last review, or overdue."""
        return (
            self.facts.welfare_rag in ("red", "amber")
            or self.facts.progress_rag in ("red", "amber")
            or self.timing is ReviewTiming.OVERDUE
        )


def caseload_rows(
    facts: list[CaseloadFacts], today: dt.date, rules: ScheduleRules = DEFAULT_RULES
) -> list[CaseloadRow]:
    """Derive each learner's next review due date and timing from the rules, as of `today`."""
    rows = []
    for f in facts:
        due = None
        if f.learner_status == "active":
            due = next_review_due(f.start_date, f.last_review_date, f.agreed_next_review_date, rules,
                                  learner_interval=f.review_interval)
        rows.append(CaseloadRow(f, due, review_timing(due, today, learner_status=f.learner_status, rules=rules)))
    return rows


@dataclass(frozen=True)
class PlanProgress:
    kind: str
    code: str
    title: str
    progress: int


@dataclass(frozen=True)
class TargetSummary:
    id: str
    text: str
    due_date: dt.date | None
    status: str
    actions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReviewSummary:
    id: str
    visit_date: dt.date | None
    status: str
    progress_rag: str | None
    welfare_rag: str | None
    next_review_date: dt.date | None
    #: A correction to an earlier review rather than a progress review of its own.
    is_addendum: bool = False


@dataclass(frozen=True)
class LearnerDetail:
    """Everything the learner panel shows."""

    learner_id: str
    name: str
    uln: str
    email: str
    phone: str
    programme: str
    level: int | None
    start_date: dt.date
    planned_end_date: dt.date | None
    status: str
    support_needs: str
    planned_otj_hours: float
    otj_hours_logged: float
    employer_name: str
    employer_contact: str
    employer_email: str
    employer_phone: str
    employer_address: str
    plan: list[PlanProgress]
    open_targets: list[TargetSummary]
    reviews: list[ReviewSummary]
    #: The learner's own review frequency agreed with the employer, or None for the provider's schedule.
    review_frequency: AgreedFrequency | None = None
