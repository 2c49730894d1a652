"""One caseload built so every alert rule's answer is known (tests/core/test_alerts.py, and the laptop-against-server
comparison in tests/server/test_alerts_server.py builds the same learners as records on both sides).

Today is Tuesday 01/12/2026; the provider's schedule and alert settings are the defaults (first review 8 weeks after
the start, then every 8 weeks; due within 14 days; 10% behind on off-the-job hours; drafts 7 days old)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

TODAY = dt.date(2026, 12, 1)
D = dt.date.fromisoformat


@dataclass(frozen=True)
class Case:
    first_name: str
    last_name: str
    start: dt.date = dt.date(2025, 1, 6)
    status: str = "active"
    #: Finalised reviews: (visit date, welfare, progress, agreed next review date).
    reviews: tuple[tuple[dt.date, str, str, dt.date | None], ...] = ()
    #: Targets: (text, due date, status).
    targets: tuple[tuple[str, dt.date | None, str], ...] = ()
    #: Draft reviews' visit dates.
    drafts: tuple[dt.date, ...] = ()
    planned_end: dt.date | None = None
    planned_hours: float = 0.0
    logged_hours: float = 0.0
    #: The alerts the rules must give: (kind, key suffix) — key suffixes of targets and drafts are their position.
    expected: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


CASES: tuple[Case, ...] = (
    Case("Olu", "Overdue", reviews=((D("2026-09-01"), "green", "green", None),), expected=("review_overdue",)),
    Case("Sam", "Soon", reviews=((D("2026-10-13"), "green", "green", None),), expected=("review_not_booked",)),
    Case("Bea", "Booked", reviews=((D("2026-10-13"), "green", "green", D("2026-12-08")),)),
    Case("Nia", "New", start=D("2026-09-01"), expected=("review_overdue", "first_review_missing")),
    Case("Ray", "Red", reviews=((D("2026-11-10"), "red", "green", None),), expected=("rating",)),
    Case("Amy", "Amber", reviews=((D("2026-10-20"), "amber", "amber", None), (D("2026-11-17"), "green", "amber", None))
         , expected=("rating",)),
    Case("Gus", "Green", reviews=((D("2026-10-20"), "red", "red", None), (D("2026-11-17"), "green", "green", None)))
    ,
    Case("Tia", "Target", reviews=((D("2026-11-10"), "green", "green", None),),
         targets=(("Finish the food safety unit", D("2026-11-20"), "open"),
                  ("Shadow the head chef", D("2026-11-20"), "met"),
                  ("Complete the allergen log", D("2026-11-25"), "partly_met"),
                  ("Write up the stock check", D("2026-12-20"), "open"),
                  ("Old idea", D("2026-10-01"), "no_longer_relevant")),
         expected=("target_past_due", "target_past_due")),
    Case("Hal", "Hours", start=D("2026-06-01"), reviews=((D("2026-11-10"), "green", "green", None),),
         planned_end=D("2027-06-01"), planned_hours=365.0, logged_hours=100.0, expected=("otj_behind",)),
    Case("Oli", "Ontrack", start=D("2026-06-01"), reviews=((D("2026-11-10"), "green", "green", None),),
         planned_end=D("2027-06-01"), planned_hours=365.0, logged_hours=180.0),
    Case("Dee", "Draft", reviews=((D("2026-11-10"), "green", "green", None),),
         drafts=(D("2026-11-20"), D("2026-11-28")), expected=("draft_unfinished",)),
    Case("Will", "Withdrawn", status="withdrawn", reviews=((D("2026-01-10"), "red", "red", None),),
         targets=(("Old target", D("2026-02-01"), "open"),)),
)


def expected_alerts() -> list[tuple[str, str]]:
    """(learner name, kind) of every alert the rules must give, sorted."""
    return sorted((case.name, kind) for case in CASES for kind in case.expected)
