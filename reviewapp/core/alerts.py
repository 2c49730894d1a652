"""Alerts: the one set of rules that tells an assessor (and their manager) what needs acting on (issue 16 item 5).

Pure rules over the caseload's own values (`reviewapp.core.caseload`): the laptop builds them from its store, the
server from its tables, and both call `alerts_for`, so the two can never disagree. Each rule reuses the rule that
already decides its question: the review due date and timing (`caseload_rows`, core/scheduling.py), the red or
amber rating (`risk_reasons`), the off-the-job hours behind plan (core/otj.py).

An alert has a `key` naming its occurrence (the overdue review due on a date, one target, one draft): a dismissal
is of that key, so the same learner's next occurrence (the next review falling overdue) alerts again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from reviewapp.core.caseload import CaseloadRow, risk_reasons
from reviewapp.core.dates import format_date
from reviewapp.core.otj import planned_hours_to_date
from reviewapp.core.scheduling import Interval, ReviewTiming

#: A target past its due date is "not met" unless it was met or set aside (the dashboard's figure counts these too).
NOT_MET_STATUSES = ("open", "partly_met", "not_met")
#: The first review must be held within 8 weeks of the start (our procedure, issue 16).
FIRST_REVIEW_LIMIT = Interval.weeks(8)
MAX_REASON_CHARS = 1000


class AlertKind(StrEnum):
    REVIEW_OVERDUE = "review_overdue"
    REVIEW_NOT_BOOKED = "review_not_booked"
    FIRST_REVIEW_MISSING = "first_review_missing"
    TARGET_PAST_DUE = "target_past_due"
    RATING = "rating"
    OTJ_BEHIND = "otj_behind"
    DRAFT_UNFINISHED = "draft_unfinished"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    AlertKind.REVIEW_OVERDUE: "Review overdue",
    AlertKind.REVIEW_NOT_BOOKED: "Review due, not booked",
    AlertKind.FIRST_REVIEW_MISSING: "First review not held",
    AlertKind.TARGET_PAST_DUE: "Target past due",
    AlertKind.RATING: "Red or Amber rating",
    AlertKind.OTJ_BEHIND: "Off-the-job hours behind",
    AlertKind.DRAFT_UNFINISHED: "Draft unfinished",
}
#: The kinds a manager's daily e-mail carries (the weekly digest carries every kind).
URGENT_KINDS = frozenset({AlertKind.REVIEW_OVERDUE, AlertKind.FIRST_REVIEW_MISSING, AlertKind.RATING})


@dataclass(frozen=True)
class AlertSettings:
    """The provider's alert settings (set at the office, pulled by laptops with the other provider settings)."""

    #: "Review due within N days and not booked".
    due_within_days: int = 14
    #: "Off-the-job hours behind plan by more than X%".
    otj_behind_percent: float = 10.0
    #: "A draft left unfinished for N days".
    draft_days: int = 7

    def __post_init__(self) -> None:
        if not isinstance(self.due_within_days, int) or not 0 <= self.due_within_days <= 90:
            raise ValueError("due_within_days: a whole number of days from 0 to 90.")
        if isinstance(self.otj_behind_percent, bool) or not isinstance(self.otj_behind_percent, int | float) \
                or not 0 <= self.otj_behind_percent <= 100:
            raise ValueError("otj_behind_percent: a percentage from 0 to 100.")
        if not isinstance(self.draft_days, int) or not 1 <= self.draft_days <= 365:
            raise ValueError("draft_days: a whole number of days from 1 to 365.")


DEFAULT_ALERT_SETTINGS = AlertSettings()
ALERT_SETTING_KEYS = ("due_within_days", "otj_behind_percent", "draft_days")


def alert_settings_to_document(settings: AlertSettings) -> dict[str, Any]:
    return {"due_within_days": settings.due_within_days, "otj_behind_percent": settings.otj_behind_percent,
            "draft_days": settings.draft_days}


def alert_settings_from_document(document: object) -> AlertSettings:
    """Settings from JSON (`alert_settings_to_document`'s shape, a key left out keeps its default); ValueError
    naming the key at fault."""
    if document is None:
        return DEFAULT_ALERT_SETTINGS
    if not isinstance(document, Mapping):
        raise ValueError("Alert settings are a JSON object with due_within_days, otj_behind_percent and draft_days.")
    unknown = sorted(set(document) - set(ALERT_SETTING_KEYS))
    if unknown:
        raise ValueError(f"Unknown alert setting {', '.join(map(repr, unknown))}: use {', '.join(ALERT_SETTING_KEYS)}.")
    for name in ("due_within_days", "draft_days"):
        if name in document and (isinstance(document[name], bool) or not isinstance(document[name], int)):
            raise ValueError(f"{name}: a whole number of days, not {document[name]!r}.")
    return AlertSettings(**{key: document[key] for key in ALERT_SETTING_KEYS if key in document})


@dataclass(frozen=True)
class TargetFact:
    learner_id: str
    target_id: str
    text: str
    due_date: dt.date | None
    status: str


@dataclass(frozen=True)
class DraftFact:
    learner_id: str
    review_id: str
    visit_date: dt.date | None


@dataclass(frozen=True)
class Alert:
    kind: AlertKind
    learner_id: str
    learner_name: str
    #: Names this occurrence: what a dismissal dismisses.
    key: str
    #: What it is about, in words ("Due on 01/11/2026, 12 days overdue").
    detail: str
    #: The date the alert counts from (when the review fell due, the target's due date, the draft's visit).
    since: dt.date | None = None

    @property
    def urgent(self) -> bool:
        return self.kind in URGENT_KINDS

    @property
    def label(self) -> str:
        return self.kind.label

    @property
    def identity(self) -> tuple[str, str]:
        return (self.learner_id, self.key)


def _days(number: int) -> str:
    return f"{number} day{'' if number == 1 else 's'}"


def _booked(row: CaseloadRow, drafts: list[DraftFact], today: dt.date) -> bool:
    """Booked: a date for it was agreed at the last review and is still ahead, or a draft review is dated for it."""
    agreed = row.facts.agreed_next_review_date
    if agreed is not None and agreed >= today:
        return True
    return any(d.visit_date is not None and d.visit_date >= today for d in drafts)


def alerts_for(rows: Iterable[CaseloadRow], targets: Iterable[TargetFact], drafts: Iterable[DraftFact],
               today: dt.date, settings: AlertSettings = DEFAULT_ALERT_SETTINGS) -> list[Alert]:
    """Every alert over the learners in `rows` (from `caseload_rows`, as of `today`), with their targets and draft
    reviews. Only learners in active learning alert. Urgent ones first, then by learner name, kind and key."""
    by_learner_targets: dict[str, list[TargetFact]] = {}
    for target in targets:
        by_learner_targets.setdefault(target.learner_id, []).append(target)
    by_learner_drafts: dict[str, list[DraftFact]] = {}
    for draft in drafts:
        by_learner_drafts.setdefault(draft.learner_id, []).append(draft)
    found: list[Alert] = []
    for row in rows:
        facts = row.facts
        if facts.learner_status != "active":
            continue
        learner, name = facts.learner_id, facts.name
        own_drafts = by_learner_drafts.get(learner, [])
        due = row.next_review_due

        def add(kind: AlertKind, key: str, detail: str, since: dt.date | None, *, _l: str = learner,
                _n: str = name) -> None:
            found.append(Alert(kind, _l, _n, f"{kind.value}:{key}", detail, since))

        if row.timing is ReviewTiming.OVERDUE and due is not None:
            add(AlertKind.REVIEW_OVERDUE, due.isoformat(),
                f"Due on {format_date(due)}, {_days(row.days_overdue)} overdue", due)
        elif due is not None and 0 <= (due - today).days <= settings.due_within_days \
                and not _booked(row, own_drafts, today):
            add(AlertKind.REVIEW_NOT_BOOKED, due.isoformat(),
                f"Due on {format_date(due)}, in {_days((due - today).days)}, and no date booked", due)
        first_limit = FIRST_REVIEW_LIMIT.after(facts.start_date)
        if facts.last_review_date is None and today > first_limit:
            add(AlertKind.FIRST_REVIEW_MISSING, facts.start_date.isoformat(),
                f"Started on {format_date(facts.start_date)}; no review held by {format_date(first_limit)}",
                first_limit)
        for target in sorted(by_learner_targets.get(learner, []), key=lambda t: (t.due_date or today, t.target_id)):
            if target.due_date is not None and target.due_date < today and target.status in NOT_MET_STATUSES:
                add(AlertKind.TARGET_PAST_DUE, target.target_id,
                    f"“{_short(target.text)}” was due on {format_date(target.due_date)}", target.due_date)
        ratings = risk_reasons(facts, ReviewTiming.OK, 0, None)  # the at-risk rule's ratings, without overdue
        if ratings and facts.last_review_date is not None:
            add(AlertKind.RATING, facts.last_review_date.isoformat(),
                "; ".join(reason.full for reason in ratings), facts.last_review_date)
        planned = planned_hours_to_date(facts.planned_otj_hours, facts.start_date, facts.planned_end_date, today)
        behind = row.otj_hours_behind
        if planned and behind is not None and 100 * behind / planned > settings.otj_behind_percent:
            add(AlertKind.OTJ_BEHIND, "plan",
                f"{behind:g} hours behind the {planned:g} planned by now ({round(100 * behind / planned)}%)", None)
        for draft in sorted(own_drafts, key=lambda d: (d.visit_date or today, d.review_id)):
            if draft.visit_date is not None and (today - draft.visit_date).days >= settings.draft_days:
                add(AlertKind.DRAFT_UNFINISHED, draft.review_id,
                    f"A draft review dated {format_date(draft.visit_date)} is not finished "
                    f"({_days((today - draft.visit_date).days)})", draft.visit_date)
    return sorted(found, key=lambda a: (not a.urgent, a.learner_name.casefold(), a.learner_id,
                                        list(AlertKind).index(a.kind), a.key))


def _short(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def without_dismissed(alerts: Iterable[Alert], dismissed: Iterable[tuple[str, str]]) -> list[Alert]:
    """The alerts not dismissed: `dismissed` holds (learner id, alert key) pairs."""
    gone = set(dismissed)
    return [alert for alert in alerts if alert.identity not in gone]


def check_reason(reason: str) -> str:
    """A dismissal's reason, tidied; ValueError worded for the person dismissing when it is missing or too long."""
    cleaned = " ".join((reason or "").split())
    if not cleaned:
        raise ValueError("Enter why you are dismissing this alert")
    if len(cleaned) > MAX_REASON_CHARS:
        raise ValueError(f"The reason must be {MAX_REASON_CHARS:,} characters or fewer")
    return cleaned


def kind_of_key(key: str) -> AlertKind | None:
    """The kind an alert key names, or None for a key no rule makes."""
    try:
        return AlertKind(key.split(":", 1)[0])
    except ValueError:
        return None
