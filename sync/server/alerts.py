"""Alerts over the server's data (issue 16 item 5), by the laptop's own rules (`reviewapp.core.alerts.alerts_for`).

The server gathers the same facts the laptop's store gives (`reviewapp.store.queries.caseload_facts`), in a few
scoped SQL queries over every learner the caller may see (never one per learner): each learner's last review held,
their off-the-job hours (summed in SQL), their targets past due and not met and their drafts older than the
provider's limit (both narrowed in SQL). The rules themselves run in the core, so the laptop and the web app cannot
disagree. Dismissals are records (`alert_dismissals`, protocol.AlertDismissalData), synced both ways; one dismissed
here gets a rev in change_log (who and when) like any record, and is hidden, but listed in the dismissals log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Float, and_, cast, func, select
from sqlalchemy.orm import Session

from reviewapp.core.alerts import (
    NOT_MET_STATUSES,
    Alert,
    AlertKind,
    AlertSettings,
    DraftFact,
    TargetFact,
    alerts_for,
    check_reason,
    without_dismissed,
)
from reviewapp.core.caseload import CaseloadFacts, caseload_rows
from reviewapp.core.review_frequency import agreed_frequency
from sync.protocol import AlertDismissalData, LearnerData

from .db import new_id, next_rev, take_write_lock
from .due_dates import provider_rules
from .models import AlertDismissal, Assignment, Learner, OtjEntry, Review, Target, User, as_utc, utcnow
from .provider_settings import alert_settings
from .records import validate_fields
from .scope import Caller


def _last_reviews() -> Any:
    """Each learner's last review held (finalised progress review): latest visit, then latest finalised."""
    ranked = (select(Review.learner_id, Review.visit_date, Review.welfare_rag, Review.progress_rag,
                     Review.data["next_review_date"].as_string().label("next_review_date"),
                     func.row_number().over(partition_by=Review.learner_id,
                                            order_by=(Review.visit_date.desc(), Review.finalised_at.desc()))
                     .label("n"))
              .where(Review.deleted.is_(False), Review.status == "finalised", Review.addendum_to_id.is_(None),
                     Review.visit_date.is_not(None))).subquery()
    return select(ranked).where(ranked.c.n == 1).subquery()


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def caseload_facts(session: Session, caller: Caller, learner_ids: Iterable[str] | None = None
                   ) -> list[CaseloadFacts]:
    """The caller's learners as `CaseloadFacts`, as the laptop's store builds them."""
    last = _last_reviews()
    hours = (select(OtjEntry.learner_id, func.sum(cast(OtjEntry.data["hours"].as_float(), Float)).label("hours"))
             .where(OtjEntry.deleted.is_(False)).group_by(OtjEntry.learner_id).subquery())
    query = (select(Learner.id, Learner.data, last.c.visit_date, last.c.next_review_date, last.c.welfare_rag,
                    last.c.progress_rag, hours.c.hours)
             .outerjoin(last, last.c.learner_id == Learner.id).outerjoin(hours, hours.c.learner_id == Learner.id)
             .where(Learner.deleted.is_(False), caller.visible(Learner)))
    if learner_ids is not None:
        query = query.where(Learner.id.in_(list(learner_ids)))
    facts = []
    for learner_id, data, visit, agreed, welfare, progress, logged in session.execute(query):
        try:
            learner = LearnerData.model_validate(data)
        except ValidationError:  # a stored record the schema no longer reads: no alerts rather than a 500
            continue
        frequency = agreed_frequency(learner.review_interval, learner.review_interval_reason,
                                     learner.review_interval_agreed_by, learner.review_interval_agreed_on)
        facts.append(CaseloadFacts(
            learner_id=learner_id, name=f"{learner.first_name} {learner.last_name}", uln=learner.uln, employer="",
            programme=learner.programme, level=learner.level, start_date=learner.start_date,
            learner_status=learner.status, has_support_needs=bool(learner.support_needs.strip()),
            last_review_date=_date(visit), agreed_next_review_date=_date(agreed), welfare_rag=welfare,
            progress_rag=progress, planned_end_date=learner.planned_end_date,
            planned_otj_hours=float(learner.planned_otj_hours or 0), otj_hours_logged=float(logged or 0),
            review_interval=frequency.interval if frequency else None))
    return facts


def target_facts(session: Session, caller: Caller, today: dt.date, learner_ids: list[str] | None = None
                 ) -> list[TargetFact]:
    """The caller's targets due before today and not met (the rule's own test is applied again in the core)."""
    query = (select(Target.learner_id, Target.id, Target.data["text"].as_string(), Target.due_date, Target.status)
             .where(Target.deleted.is_(False), Target.due_date < today.isoformat(),
                    Target.status.in_(NOT_MET_STATUSES), caller.visible(Target)))
    if learner_ids is not None:
        query = query.where(Target.learner_id.in_(learner_ids))
    return [TargetFact(learner, target, text or "", _date(due), status or "open")
            for learner, target, text, due, status in session.execute(query)]


def draft_facts(session: Session, caller: Caller, learner_ids: list[str] | None = None) -> list[DraftFact]:
    """The caller's draft reviews (the core decides which have been left too long, and which book the next)."""
    query = (select(Review.learner_id, Review.id, Review.visit_date)
             .where(Review.deleted.is_(False), Review.status == "draft", caller.visible(Review)))
    if learner_ids is not None:
        query = query.where(Review.learner_id.in_(learner_ids))
    return [DraftFact(learner, review, _date(visit)) for learner, review, visit in session.execute(query)]


def dismissed_keys(session: Session, caller: Caller, learner_ids: list[str] | None = None) -> set[tuple[str, str]]:
    query = (select(AlertDismissal.learner_id, AlertDismissal.alert_key)
             .where(AlertDismissal.deleted.is_(False), caller.visible(AlertDismissal)))
    if learner_ids is not None:
        query = query.where(AlertDismissal.learner_id.in_(learner_ids))
    return {(learner, key) for learner, key in session.execute(query)}


def all_alerts(session: Session, caller: Caller, today: dt.date, settings: AlertSettings | None = None,
               learner_ids: list[str] | None = None) -> list[Alert]:
    """Every alert over the caller's learners (only `learner_ids` of them, if given), dismissed ones included."""
    facts = caseload_facts(session, caller, learner_ids)
    rows = caseload_rows(facts, today, provider_rules(session))
    return alerts_for(rows, target_facts(session, caller, today, learner_ids),
                      draft_facts(session, caller, learner_ids), today, settings or alert_settings(session))


def current_alerts(session: Session, caller: Caller, today: dt.date, kind: AlertKind | None = None,
                   learner_ids: list[str] | None = None) -> list[Alert]:
    """The caller's alerts not dismissed, of `kind` if given (of `learner_ids` only, if given)."""
    alerts = without_dismissed(all_alerts(session, caller, today, learner_ids=learner_ids),
                               dismissed_keys(session, caller, learner_ids))
    return [alert for alert in alerts if kind is None or alert.kind is kind]


def assessor_names(session: Session, learner_ids: Iterable[str]) -> dict[str, str]:
    """Each learner's assessor's name (for a manager's list and digest)."""
    ids = list(set(learner_ids))
    if not ids:
        return {}
    return {learner: name or username for learner, name, username in session.execute(
        select(Assignment.learner_id, User.display_name, User.username)
        .join(User, User.id == Assignment.assessor_id).where(Assignment.learner_id.in_(ids)))}


class DismissError(ValueError):
    """Why a dismissal was refused, for the person dismissing."""


def dismiss(session: Session, caller: Caller, today: dt.date, learner_id: str, alert_key: str, reason: str,
            dismissed_by: str) -> str:
    """Dismiss one of the caller's current alerts with a reason; the dismissal's id. Call in a transaction.

    An alert the caller cannot see, one dismissed already and one that is not (or no longer) there are refused
    alike (`DismissError`), so an id outside the caller's scope tells nothing."""
    cleaned = check_reason(reason)  # ValueError: the reason is missing or too long
    alert = next((a for a in current_alerts(session, caller, today, learner_ids=[learner_id])
                  if a.key == alert_key), None)
    if alert is None:
        raise DismissError("This alert is not on your list (it may have been dismissed or dealt with already).")
    data = validate_fields("alert_dismissal", {"learner_id": learner_id, "alert_key": alert_key, "reason": cleaned,
                                               "dismissed_by": dismissed_by, "dismissed_at": utcnow()})
    take_write_lock(session)
    dismissal_id = new_id()
    rev = next_rev(session, "alert_dismissal", dismissal_id, "create", caller.user_id, caller.device_id)
    session.add(AlertDismissal(id=dismissal_id, rev=rev, data=data, learner_id=learner_id, alert_key=alert_key,
                               updated_at=utcnow(), updated_by=caller.username))
    session.flush()
    return dismissal_id


@dataclass(frozen=True)
class DismissalLine:
    learner_id: str
    learner_name: str
    alert_key: str
    kind: str
    reason: str
    dismissed_by: str
    dismissed_at: dt.datetime | None
    #: When the server received it (the change log's time).
    received_at: dt.datetime | None


def dismissal_log(session: Session, caller: Caller, limit: int = 200) -> list[DismissalLine]:
    """The caller's learners' dismissals, newest first."""
    from reviewapp.core.alerts import kind_of_key

    rows = session.execute(
        select(AlertDismissal.data, AlertDismissal.updated_at, Learner.data)
        .join(Learner, and_(Learner.id == AlertDismissal.learner_id))
        .where(AlertDismissal.deleted.is_(False), caller.visible(AlertDismissal))
        .order_by(AlertDismissal.rev.desc()).limit(limit)).all()
    lines = []
    for data, received, learner in rows:
        record = AlertDismissalData.model_validate(data)
        kind = kind_of_key(record.alert_key)
        lines.append(DismissalLine(
            record.learner_id, f"{learner.get('first_name', '')} {learner.get('last_name', '')}".strip(),
            record.alert_key, kind.label if kind else record.alert_key, record.reason, record.dismissed_by,
            record.dismissed_at, as_utc(received)))
    return lines
