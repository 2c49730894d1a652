"""What the assessor sees of their caseload: plain rows and details, derived by the scheduling rules.

These are the values the UI shows; the store builds them from the database, and nothing here knows about SQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reviewapp.core.dates import format_date
from reviewapp.core.learning_gain import LearningGain, learning_gain
from reviewapp.core.otj import OtjLogEntry, planned_hours_to_date, shortfall
from reviewapp.core.review_frequency import AgreedFrequency
from reviewapp.core.scheduling import (
    DEFAULT_RULES,
    Interval,
    ReviewTiming,
    ScheduleRules,
    next_review_due,
    review_timing,
)

if TYPE_CHECKING:
    from sync.protocol import DeliveryData, ReviewSampleData

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
    #: The off-the-job plan and log, for the hours behind plan; defaults leave the figure unknown.
    planned_end_date: dt.date | None = None
    planned_otj_hours: float = 0.0
    otj_hours_logged: float = 0.0
    #: The learner's own review frequency agreed with the employer, or None for the provider's schedule.
    review_interval: Interval | None = None


@dataclass(frozen=True)
class RiskReason:
    """One reason a learner is at risk, in words: short for the caseload's column, in full for its tooltip."""

    short: str
    full: str


#: The rule below in words, for the screen's key and the column's header: kept beside the rule it describes.
AT_RISK_RULE_WORDS = "welfare or progress rated Red or Amber at the last review, or the review overdue"


def risk_reasons(facts: CaseloadFacts, timing: ReviewTiming, days_overdue: int,
                 due: dt.date | None) -> tuple[RiskReason, ...]:
    """THE rule that decides "at risk": red or amber on welfare or progress at the last review, or overdue.

    It gives its reasons rather than a yes or no, so the screen can say why, and the column of reasons, the flag
    and the "At risk" filter can never disagree (an assessor saw learners shown OK and Green listed as at risk,
    because the progress rating that put them there was nowhere on the screen).
    """
    reasons = []
    last = format_date(facts.last_review_date)
    for topic, rag in (("Welfare", facts.welfare_rag), ("Progress", facts.progress_rag)):
        if rag in ("red", "amber"):
            word = RAG_WORDS[rag]
            reasons.append(RiskReason(f"{topic} {word}",
                                      f"{topic} was rated {word} at the last review ({last})"))
    if timing is ReviewTiming.OVERDUE:
        days = f"{days_overdue} day{'s' if days_overdue != 1 else ''}"
        reasons.append(RiskReason(f"Overdue {days}",
                                  f"The review is {days} overdue (it was due on {format_date(due)})"))
    return tuple(reasons)


@dataclass(frozen=True)
class CaseloadRow:
    """One line of the caseload table."""

    facts: CaseloadFacts
    next_review_due: dt.date | None
    timing: ReviewTiming
    #: Whole days since the review fell due; nought unless overdue.
    days_overdue: int = 0
    #: Off-the-job hours behind the plan spread evenly to today (nought when on or ahead of it); None when the plan
    #: has no hours or no planned end, so nothing can be said.
    otj_hours_behind: float | None = None

    @property
    def risk_reasons(self) -> tuple[RiskReason, ...]:
        """Why this learner is at risk; empty when they are not (see `risk_reasons`)."""
        return risk_reasons(self.facts, self.timing, self.days_overdue, self.next_review_due)

    @property
    def at_risk(self) -> bool:
        """At risk exactly when the rule gives a reason."""
        return bool(self.risk_reasons)


def caseload_rows(
    facts: list[CaseloadFacts], today: dt.date, rules: ScheduleRules = DEFAULT_RULES
) -> list[CaseloadRow]:
    """Derive each learner's next review due date and timing from the rules, as of `today`, with the days overdue
    and the off-the-job hours behind plan."""
    rows = []
    for f in facts:
        due = None
        if f.learner_status == "active":
            due = next_review_due(f.start_date, f.last_review_date, f.agreed_next_review_date, rules,
                                  learner_interval=f.review_interval)
        timing = review_timing(due, today, learner_status=f.learner_status, rules=rules)
        days_overdue = (today - due).days if timing is ReviewTiming.OVERDUE and due is not None else 0
        planned = planned_hours_to_date(f.planned_otj_hours, f.start_date, f.planned_end_date, today)
        rows.append(CaseloadRow(f, due, timing, days_overdue, shortfall(planned, f.otj_hours_logged)))
    return rows


@dataclass(frozen=True)
class PlanProgress:
    kind: str
    code: str
    title: str
    progress: int
    planned_date: dt.date | None = None
    #: The initial assessment (a percentage), None when none was recorded.
    starting_value: int | None = None
    starting_note: str = ""

    @property
    def gain(self) -> LearningGain:
        return learning_gain(self.starting_value, self.progress)


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
    #: The office's quality samples of this review, oldest first (read-only here).
    samples: tuple[ReviewSampleData, ...] = ()
    #: Its copies handed over (printed, saved, e-mailed), oldest first.
    deliveries: tuple[DeliveryData, ...] = ()


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
    #: The off-the-job log, newest first.
    otj_log: list[OtjLogEntry] = field(default_factory=list)
    #: English and maths levels at the start (the initial assessment), "" when not recorded.
    english_level_at_start: str = ""
    maths_level_at_start: str = ""
    #: Where each case raised about the learner stands, in words (reviewapp.store.concerns.case_states).
    case_states: tuple[str, ...] = ()
    #: Whether the learner, and the employer's contact, agreed to be e-mailed their copies (None: not asked).
    email_consent: bool | None = None
    employer_email_consent: bool | None = None
