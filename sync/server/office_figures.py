"""The office dashboard's figures (issue 15 item 4), each computed in SQL over the server's tables, for a period and
a scope (the caller's learners, narrowed to a team or an assessor), with its trend over the last 6 months and the
query of the records behind it (the drill-down list, `/figures/<key>`).

Records keep their fields as JSON (`data`); the fields the figures read are copied to indexed columns whenever a
record is written (record_columns.py), and read from there. Dates are ISO text (YYYY-MM-DD), so they compare as text.

Reviews held on time and learners overdue now compare with due dates the laptop's rule computed and stored
(`due_dates.py`: the rule cannot be written in SQL without a second copy of it); days between reviews, targets
followed up and learners at risk read each review held's neighbours stored beside them in the same pass (the visits
of the learner's reviews held before and after it), so no figure sorts every review through a window function.

Each figure is one function over a list of periods (`Figure.over`), one query whatever their number: the rows over
the periods' span, counted into each period by a FILTER. The figure alone (`compute`), its trend (`trend`) and the
dashboard's period with its trend (`figure_and_trend`, issue 15's speed: one query per figure) are all that one.

Learning plans amended at reviews read each review's plan progress as reviewapp.core.plan_amendment recorded it
when the review was written; copies shared read the deliveries (printed or saved on the laptop, e-mailed by the
server).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Date, Select, String, and_, case, exists, func, or_, select, true
from sqlalchemy.orm import Session

from reviewapp.core.alerts import NOT_MET_STATUSES as ALERT_NOT_MET_STATUSES
from reviewapp.core.scheduling import add_months
from sync.protocol import DELIVERED_STATUSES

from .models import Assignment, Delivery, Learner, Review, Signature, Target, TeamMember, User
from .scope import Caller

#: The ratings that put a learner at risk: reviewapp.core.caseload.risk_reasons counts these as red or amber.
AT_RISK_RATINGS = ("red", "amber")
#: A target past its due date is "not met" unless it was met or set aside: the alerts' rule (reviewapp.core.alerts).
NOT_MET_STATUSES = ALERT_NOT_MET_STATUSES
TREND_MONTHS = 6


@dataclass(frozen=True)
class Period:
    """Inclusive dates."""

    start: dt.date
    end: dt.date

    @classmethod
    def month_of(cls, day: dt.date) -> Period:
        first = day.replace(day=1)
        return cls(first, add_months(first, 1) - dt.timedelta(days=1))

    @property
    def months(self) -> int:
        return max(1, (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1)

    @property
    def label(self) -> str:
        return self.start.strftime("%b %Y")


def team_learners(team_id: str) -> Select[Any]:
    """Ids of the learners assigned to a team's assessors: what choosing a team on the dashboard narrows to."""
    members = select(TeamMember.user_id).where(TeamMember.team_id == team_id)
    return select(Assignment.learner_id).where(Assignment.assessor_id.in_(members))


@dataclass(frozen=True)
class Scope:
    """Whose learners: the caller's, narrowed to a team's assessors or one assessor if given."""

    caller: Caller
    team_id: str | None = None
    assessor_id: str | None = None

    def learners(self, column: Any) -> ColumnElement[bool]:
        """`column` (a learner id) is one of this scope's learners."""
        conditions = [column.in_(select(Learner.id).where(Learner.deleted.is_(False), self.caller.visible(Learner)))]
        if self.team_id is not None:
            conditions.append(column.in_(team_learners(self.team_id)))
        if self.assessor_id is not None:
            conditions.append(column.in_(select(Assignment.learner_id)
                                         .where(Assignment.assessor_id == self.assessor_id)))
        return and_(*conditions)


@dataclass(frozen=True)
class Value:
    """A figure's value: `value` is the share (0-100) or number shown; `count` / `total` what it is made of."""

    value: float | None
    count: int
    total: int | None = None


def _text(model: Any, field: str) -> Any:
    """A field of the record's `data`, read from the indexed column it is copied to when written
    (record_columns.py): reading it out of the JSON over every review made the dashboard take seconds."""
    return getattr(model, field)


def _held(model: Any = Review) -> ColumnElement[bool]:
    """A finalised progress review (not an addendum) with a visit date: what "a review held" means on the laptop."""
    return and_(model.deleted.is_(False), _text(model, "status") == "finalised",
                _text(model, "addendum_to_id").is_(None), _text(model, "visit_date").is_not(None))


def _in(period: Period, column: Any) -> ColumnElement[bool]:
    return and_(column >= period.start.isoformat(), column <= period.end.isoformat())


def _days_between(session: Session, later: Any, earlier: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return func.cast(later, Date()) - func.cast(earlier, Date())
    return func.julianday(later) - func.julianday(earlier)


# Each figure: a query of the rows behind it (the drill-down) and a value over those rows.

def on_time_rows(scope: Scope, period: Period) -> Select[Any]:
    """Reviews held in the period, each with the date it was due by (the laptop's rule) and whether it was held
    on or before it (the visit date: a review is finalised at the visit it records). Dates compare as ISO text."""
    visit = _text(Review, "visit_date")
    return (select(Review.id.label("review_id"), Review.learner_id.label("learner_id"), visit.label("visit_date"),
                   Review.due_by.label("due_by"), (visit <= func.cast(Review.due_by, String())).label("on_time"))
            .where(_held(), _in(period, visit), Review.due_by.is_not(None), scope.learners(Review.learner_id)))


def overdue_rows(scope: Scope, today: dt.date) -> Select[Any]:
    """Learners in active learning whose next review (the laptop's rule) was due before `today`."""
    return (select(Learner.id.label("learner_id"), Learner.next_review_due.label("next_review_due"))
            .where(Learner.deleted.is_(False), Learner.next_review_due < today, scope.learners(Learner.id)))


def reviews_held_rows(scope: Scope, period: Period) -> Select[Any]:
    return (select(Review.id.label("review_id"), Review.learner_id.label("learner_id"),
                   _text(Review, "visit_date").label("visit_date"))
            .where(_held(), _in(period, _text(Review, "visit_date")), scope.learners(Review.learner_id)))


def targets_followed_up_rows(scope: Scope, period: Period) -> Select[Any]:
    """Targets set at a review whose next finalised review was held in the period: each with `followed_up`,
    whether their outcome was recorded (at that review or since). The review's next one is stored with it
    (`Review.next_visit`, due_dates.py), in the laptop's order: visit, then finalised."""
    return (select(Target.id.label("target_id"), Target.learner_id.label("learner_id"),
                   _text(Target, "followed_up_in_review_id").is_not(None).label("followed_up"),
                   Review.next_visit.label("followed_up_by"))
            .join(Review, Review.id == _text(Target, "set_in_review_id"))
            .where(Target.deleted.is_(False), _held(), _in(period, Review.next_visit),
                   scope.learners(Review.learner_id), scope.learners(Target.learner_id)))


def targets_past_due_rows(scope: Scope, period: Period) -> Select[Any]:
    """Targets due by the period's end and not met (their status now: a target's history is not kept)."""
    return (select(Target.id.label("target_id"), Target.learner_id.label("learner_id"),
                   _text(Target, "due_date").label("due_date"), _text(Target, "status").label("target_status"))
            .where(Target.deleted.is_(False), _text(Target, "due_date") < period.end.isoformat(),
                   _text(Target, "status").in_(NOT_MET_STATUSES), scope.learners(Target.learner_id)))


def employer_at_review_rows(scope: Scope, period: Period) -> Select[Any]:
    """Reviews held in the period, each with whether the employer signed it (not recorded as absent)."""
    signed = exists(select(Signature.id).where(
        Signature.review_id == Review.id, Signature.deleted.is_(False), _text(Signature, "role") == "employer",
        _text(Signature, "signed_at").is_not(None)))
    return reviews_held_rows(scope, period).add_columns(signed.label("employer_present"))


def _last_held(until: str) -> ColumnElement[bool]:
    """A review held by `until` that is its learner's last by then: its next one (stored, due_dates.py) is later
    or not held yet. The same review as the laptop's last: latest visit, then latest finalised."""
    return and_(_held(), Review.visit_date <= until, or_(Review.next_visit.is_(None), Review.next_visit > until))


def _at_risk() -> ColumnElement[bool]:
    return or_(_text(Review, "welfare_rag").in_(AT_RISK_RATINGS), _text(Review, "progress_rag").in_(AT_RISK_RATINGS))


def learners_at_risk_rows(scope: Scope, period: Period) -> Select[Any]:
    """Learners whose last review (as at the period's end) rated welfare or progress red or amber."""
    return (select(Learner.id.label("learner_id"), Review.visit_date.label("visit_date"),
                   _text(Review, "welfare_rag").label("welfare_rag"),
                   _text(Review, "progress_rag").label("progress_rag"))
            .join(Review, Review.learner_id == Learner.id)
            .where(Learner.deleted.is_(False), scope.learners(Learner.id), _last_held(period.end.isoformat()),
                   _at_risk()))


def days_between_rows(session: Session, scope: Scope, period: Period) -> Select[Any]:
    """Reviews held in the period after an earlier one, each with the days since that one (the earlier one's
    visit is stored with it: `Review.previous_visit`, due_dates.py)."""
    return (select(Review.id.label("review_id"), Review.learner_id.label("learner_id"),
                   Review.visit_date.label("visit_date"), Review.previous_visit.label("previous_visit"),
                   func.round(_days_between(session, Review.visit_date, Review.previous_visit)).label("days"))
            .where(_held(), Review.previous_visit.is_not(None), _in(period, Review.visit_date),
                   scope.learners(Review.learner_id)))


# Each figure over several periods at once (the dashboard's: the chosen period and the trend's 6 months), one
# query per figure: the rows over the periods' whole span, counted into each period by a FILTER.

def _span(periods: list[Period]) -> Period:
    return Period(min(p.start for p in periods), max(p.end for p in periods))


def _counted(session: Session, rows: Any, date: str, flag: str | None, periods: list[Period]) -> list[tuple[int, int]]:
    """For each period: how many rows have `date` in it, and of those how many have `flag`. The rows are first
    counted by day (and flag), a few hundred rows, then summed into each period: a FILTER on the rows themselves
    would work out a flag such as a subquery once per period."""
    flagged = rows.c[flag] if flag is not None else true()
    days = (select(rows.c[date].label("day"), flagged.label("flag"), func.count().label("number"))
            .group_by(rows.c[date], flagged)).subquery()
    sums = []
    for period in periods:
        within = _in(period, days.c.day)
        sums += [func.coalesce(func.sum(days.c.number).filter(within), 0),
                 func.coalesce(func.sum(days.c.number).filter(and_(within, days.c.flag)), 0)]
    found = session.execute(select(*sums).select_from(days)).one()
    return [(int(found[2 * n]), int(found[2 * n + 1])) for n in range(len(periods))]


def _shares(counted: list[tuple[int, int]]) -> list[Value]:
    return [Value(round(100 * done / total, 1) if total else None, done, total) for total, done in counted]


def reviews_on_time(session: Session, scope: Scope, periods: list[Period]) -> list[Value]:
    rows = on_time_rows(scope, _span(periods)).subquery()
    return _shares(_counted(session, rows, "visit_date", "on_time", periods))


def overdue_now(session: Session, scope: Scope, periods: list[Period]) -> list[Value]:
    """A snapshot: learners overdue today (a learner's due date as it was in a past month is not kept)."""
    count = session.execute(select(func.count()).select_from(overdue_rows(scope, dt.date.today()).subquery()))
    number = count.scalar_one()
    return [Value(number, number) for _ in periods]


def reviews_per_assessor_month(session: Session, scope: Scope, periods: list[Period]) -> list[Value]:
    """Finalised reviews held in the period per assessor (the learner's assessor now) per month: workload. Counted
    per assessor (a hundred rows), then summed here: a count(DISTINCT assessor) per period sorted every review
    once for each period."""
    rows = reviews_held_rows(scope, _span(periods)).subquery()
    query = (select(Assignment.assessor_id, *[func.count(rows.c.review_id).filter(_in(period, rows.c.visit_date))
                                              for period in periods])
             .select_from(rows).outerjoin(Assignment, Assignment.learner_id == rows.c.learner_id)
             .group_by(Assignment.assessor_id))
    found = session.execute(query).all()
    values = []
    for n, period in enumerate(periods):
        count = sum(int(row[n + 1]) for row in found)
        assessors = sum(1 for row in found if row[0] is not None and row[n + 1])
        values.append(Value(round(count / assessors / period.months, 1) if assessors else None, count, assessors))
    return values


def targets_followed_up(session: Session, scope: Scope, periods: list[Period]) -> list[Value]:
    rows = targets_followed_up_rows(scope, _span(periods)).subquery()
    return _shares(_counted(session, rows, "followed_up_by", "followed_up", periods))


def targets_past_due(session: Session, scope: Scope, periods: list[Period]) -> list[Value]:
    rows = targets_past_due_rows(scope, _span(periods)).subquery()
    days = select(rows.c.due_date, func.count().label("number")).group_by(rows.c.due_date).subquery()
    found = session.execute(select(*[func.coalesce(func.sum(days.c.number).filter(
        days.c.due_date < period.end.isoformat()), 0) for period in periods])).one()
    return [Value(int(number), int(number)) for number in found]


def employer_at_review(session: Session, scope: Scope, periods: list[Period]) -> list[Value]:
    rows = employer_at_review_rows(scope, _span(periods)).subquery()
    return _shares(_counted(session, rows, "visit_date", "employer_present", periods))


def learners_at_risk(session: Session, scope: Scope, periods: list[Period]) -> list[Value]:
    """Learners at risk at each period's end in one pass over the at-risk reviews that were a learner's last at
    one of those ends."""
    ends = sorted({period.end.isoformat() for period in periods})
    rows = (select(Review.visit_date, Review.next_visit)
            .where(_held(), _at_risk(), Review.visit_date <= ends[-1],
                   or_(Review.next_visit.is_(None), Review.next_visit > ends[0]),
                   scope.learners(Review.learner_id))).subquery()
    found = session.execute(select(*[func.count().filter(and_(
        rows.c.visit_date <= period.end.isoformat(),
        or_(rows.c.next_visit.is_(None), rows.c.next_visit > period.end.isoformat()))) for period in periods])
        .select_from(rows)).one()
    return [Value(int(number), int(number)) for number in found]


def days_between(session: Session, scope: Scope, periods: list[Period]) -> list[Value]:
    """The median days between a learner's review held in each period and the one before, `total` the worst: one
    grouped query of how many gaps of each length fall in each period (a few hundred rows at most, not the
    reviews), the median read off those counts."""
    gaps = days_between_rows(session, scope, _span(periods)).subquery()
    query = select(gaps.c.days, *[func.count().filter(_in(period, gaps.c.visit_date)) for period in periods])
    found = session.execute(query.group_by(gaps.c.days).order_by(gaps.c.days)).all()
    values = []
    for n in range(len(periods)):
        lengths = [(float(row[0]), int(row[n + 1])) for row in found if row[n + 1]]
        count = sum(number for _, number in lengths)
        if not count:
            values.append(Value(None, 0))
            continue
        wanted, middle, seen = sorted({(count - 1) // 2, count // 2}), [], 0
        for days, number in lengths:
            middle += [days for index in wanted if seen <= index < seen + number]
            seen += number
        values.append(Value(sum(middle) / len(middle), count, int(lengths[-1][0])))
    return values


# --- Copies shared and learning plans amended (issue 15 item 4) ------------------------------------------------
# Kept in a block of their own: the copies come from the deliveries the laptops push (models.Delivery, and later the
# server's own e-mails), the plan from each finalised review's plan progress as reviewapp.core.plan_amendment records
# it (models.Review.plan_progress / plan_commented, written with the review).

def _delivered(copy_for: str) -> Any:
    """The review (of the row) had its `copy_for` copy handed over: printed, saved, or e-mailed and not bounced."""
    return exists(select(Delivery.id).where(
        Delivery.review_id == Review.id, Delivery.deleted.is_(False), Delivery.copy_for == copy_for,
        Delivery.status.in_(DELIVERED_STATUSES)))


def copies_shared_rows(scope: Scope, period: Period) -> Select[Any]:
    """Reviews held in the period, each with whether its learner's and its employer's copies were handed over,
    and `copies_shared`, both."""
    learner, employer = _delivered("learner"), _delivered("employer")
    words = case((and_(learner, employer), "Learner's and employer's"), (learner, "Learner's only"),
                 (employer, "Employer's only"), else_="Neither")
    return reviews_held_rows(scope, period).add_columns(
        learner.label("learner_copy"), employer.label("employer_copy"), and_(learner, employer).label("copies_shared"),
        words.label("copies_handed_over"))


def copies_shared(session: Session, scope: Scope, periods: list[Period]) -> list[Value]:
    rows = copies_shared_rows(scope, _span(periods)).subquery()
    return _shares(_counted(session, rows, "visit_date", "copies_shared", periods))


def plans_amended_rows(scope: Scope, period: Period) -> Select[Any]:
    """Reviews held in the period, each with `plan_amended`: whether it amended the learning plan against the
    learner's review held before it, by reviewapp.core.plan_amendment's rule itself, stored with the review's
    neighbours (due_dates.py; it was a window function over every review held, a copy of the rule in SQL)."""
    return reviews_held_rows(scope, period).add_columns(
        func.coalesce(Review.plan_amended, False).label("plan_amended"))


def plans_amended(session: Session, scope: Scope, periods: list[Period]) -> list[Value]:
    rows = plans_amended_rows(scope, _span(periods)).subquery()
    return _shares(_counted(session, rows, "visit_date", "plan_amended", periods))


@dataclass(frozen=True)
class Figure:
    key: str
    title: str
    #: How the value reads: "share" (a percentage of `total`), "number", or "days".
    kind: str
    #: The figure for each of several periods, in one query (the only implementation of the figure).
    over: Callable[[Session, Scope, list[Period]], list[Value]]
    #: What the drill-down lists: "reviews", "targets" or "learners".
    lists: str
    explanation: str
    #: A figure of today's state only (no history is kept to say what it was in a past month).
    snapshot: bool = False

    def compute(self, session: Session, scope: Scope, period: Period) -> Value:
        return self.over(session, scope, [period])[0]


def _rows(key: str) -> Callable[[Session, Scope, Period], Select[Any]]:
    return {
        "reviews-on-time": lambda s, sc, p: on_time_rows(sc, p),
        "overdue-now": lambda s, sc, p: overdue_rows(sc, dt.date.today()),
        "reviews-per-assessor": lambda s, sc, p: reviews_held_rows(sc, p),
        "targets-followed-up": lambda s, sc, p: targets_followed_up_rows(sc, p),
        "targets-past-due": lambda s, sc, p: targets_past_due_rows(sc, p),
        "employer-at-review": lambda s, sc, p: employer_at_review_rows(sc, p),
        "learners-at-risk": lambda s, sc, p: learners_at_risk_rows(sc, p),
        "days-between-reviews": days_between_rows,
        "copies-shared": lambda s, sc, p: copies_shared_rows(sc, p),
        "plans-amended": lambda s, sc, p: plans_amended_rows(sc, p),
    }[key]


FIGURES: tuple[Figure, ...] = (
    Figure("reviews-on-time", "Reviews held on time", "share", reviews_on_time, "reviews",
           "Reviews held in the period on or before the date they were due, by the laptop's scheduling rules.",),
    Figure("overdue-now", "Learners overdue now", "number", overdue_now, "learners",
           "Learners in active learning whose next review was due before today, oldest first.", snapshot=True),
    Figure("targets-followed-up", "Targets followed up", "share", targets_followed_up, "targets",
           "Of the targets set at a review whose next finalised review was held in the period, the share whose "
           "outcome was recorded."),
    Figure("targets-past-due", "Targets past due and not met", "number", targets_past_due, "targets",
           "Targets due before the end of the period that are open, partly met or not met now."),
    Figure("employer-at-review", "Employer at the review", "share", employer_at_review, "reviews",
           "Reviews held in the period that the employer signed."),
    Figure("learners-at-risk", "Learners at risk", "number", learners_at_risk, "learners",
           "Learners whose last review by the end of the period rated welfare or progress Red or Amber."),
    Figure("days-between-reviews", "Days between reviews", "days", days_between, "reviews",
           "The median days between a review held in the period and the learner's review before it, and the worst."),
    Figure("reviews-per-assessor", "Reviews per assessor per month", "number", reviews_per_assessor_month,
           "reviews", "Finalised reviews held in the period, per assessor with a learner in them, per month."),
    Figure("plans-amended", "Learning plans amended at reviews", "share", plans_amended, "reviews",
           "Reviews held in the period whose plan progress changed from the review before, or that commented on "
           "the plan (a first review: that recorded plan progress)."),
    Figure("copies-shared", "Copies shared", "share", copies_shared, "reviews",
           "Reviews held in the period whose learner's and employer's copies were both handed over: printed, "
           "saved as a PDF, or e-mailed and not bounced."),
)
BY_KEY = {figure.key: figure for figure in FIGURES}


def rows_query(session: Session, key: str, scope: Scope, period: Period) -> Select[Any]:
    """The drill-down behind figure `key`: the records it counts (KeyError for an unknown key)."""
    return _rows(key)(session, scope, period)


def trend_months(today: dt.date) -> list[Period]:
    """The last `TREND_MONTHS` calendar months to `today`'s, oldest first."""
    this_month = today.replace(day=1)
    return [Period.month_of(add_months(this_month, -n)) for n in range(TREND_MONTHS - 1, -1, -1)]


def _with_trend(figure: Figure, values: list[Value], months: list[Period]) -> list[tuple[Period, Value]]:
    if figure.snapshot:  # today's only: no past month's value
        return [(month, values[-1] if month is months[-1] else Value(None, 0)) for month in months]
    return list(zip(months, values, strict=True))


def trend(session: Session, figure: Figure, scope: Scope, today: dt.date) -> list[tuple[Period, Value]]:
    """The figure for each of the last `TREND_MONTHS` calendar months, oldest first, this month last: one query."""
    months = trend_months(today)
    return _with_trend(figure, figure.over(session, scope, months), months)


def figure_and_trend(session: Session, figure: Figure, scope: Scope,
                     period: Period) -> tuple[Value, list[tuple[Period, Value]]]:
    """The figure for `period` and its trend to the period's end's month, in one query (the dashboard's)."""
    months = trend_months(period.end)
    values = figure.over(session, scope, [period, *months])
    return values[0], _with_trend(figure, values[1:], months)


#: How many of the dashboard's figures are worked out at once on PostgreSQL, each on a connection of its own (the
#: engine's pool holds 5, one of them the request's own). SQLite runs them one after another: its one writer and
#: in-process engine gain nothing from threads.
CONCURRENT_FIGURES = 3
#: The figures slowest first (EXPLAIN ANALYZE at 10,000 learners: targets followed up probes a target per review
#: held), so the side-by-side connections start the long ones first and finish together; the rest keep FIGURES'
#: order. Only an order: a figure missing here is still computed.
SLOWEST_FIRST = ("targets-followed-up", "targets-past-due", "employer-at-review", "days-between-reviews")


def dashboard_figures(session: Session, scope: Scope,
                      period: Period) -> list[tuple[Figure, Value, list[tuple[Period, Value]]]]:
    """Every figure for `period` with its trend (`figure_and_trend`), in FIGURES' order. On PostgreSQL the figures'
    queries run side by side on connections of their own (issue 15's speed: the server runs each query in a
    process of its own, so the dashboard takes about its slowest few figures rather than their sum). Nothing is
    cached: each query reads what is committed when it runs, so a review synced a moment ago is counted."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return [(figure, *figure_and_trend(session, figure, scope, period)) for figure in FIGURES]

    def one(figure: Figure) -> tuple[Figure, Value, list[tuple[Period, Value]]]:
        with Session(bind=bind) as own:
            return (figure, *figure_and_trend(own, figure, scope, period))

    order = sorted(FIGURES, key=lambda f: SLOWEST_FIRST.index(f.key) if f.key in SLOWEST_FIRST else len(SLOWEST_FIRST))
    with ThreadPoolExecutor(CONCURRENT_FIGURES, thread_name_prefix="figures") as pool:
        found = {result[0].key: result for result in pool.map(one, order)}
    return [found[figure.key] for figure in FIGURES]


def assessors_in_scope(session: Session, scope: Scope) -> list[tuple[str, str]]:
    """(id, name) of the assessors with a learner in the scope, for the list's filter."""
    return [(uid, name or username) for uid, name, username in session.execute(
        select(User.id, User.display_name, User.username).where(User.id.in_(
            select(Assignment.assessor_id).where(scope.learners(Assignment.learner_id)))).order_by(User.username))]
