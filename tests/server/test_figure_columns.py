"""The dashboard's speed (issue 15): the fields the figures read are copied from `data` to indexed columns at every
write and by the migration's backfill, and a figure's 6-month trend is one grouped query with the same answers as
the figure month by month (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from server_testkit import Server
from sqlalchemy import event, select, update
from test_office_figures import TODAY, _scope, build_caseload

from sync.server.db import transaction
from sync.server.models import Review, Signature, Target
from sync.server.office_figures import FIGURES, trend
from sync.server.record_columns import backfill


def test_the_figures_fields_are_columns_set_when_written_and_by_the_backfill(server: Server) -> None:
    built: dict[str, Any] = build_caseload(server)
    with server.factory() as session:
        rows = session.execute(select(Review.visit_date, Review.status, Review.welfare_rag, Review.progress_rag)
                               .where(Review.learner_id == built["amy"]).order_by(Review.visit_date)).all()
        assert [tuple(row) for row in rows] == [("2025-09-15", "finalised", "green", "green"),
                                                ("2025-11-10", "finalised", "amber", "green"),
                                                ("2025-11-28", "draft", "green", "green")]
        assert session.execute(select(Signature.role, Signature.signed_at).where(Signature.signed_at.is_(None))
                               ).all() == [("employer", None)]
        assert session.execute(select(Target.status).where(Target.due_date == "2025-11-15")).scalars().all() == [
            "not_met"]
    with transaction(server.factory) as session:  # an update of `data` moves the column with it
        review = session.scalars(select(Review).where(Review.learner_id == built["ben"])).one()
        review.data = {**review.data, "progress_rag": "amber"}
    with transaction(server.factory) as session:  # rows written without the ORM: the backfill sets them
        session.execute(update(Review).values(visit_date=None, progress_rag=None))
        backfill(session)
    with server.factory() as session:
        assert session.execute(select(Review.progress_rag).where(Review.learner_id == built["ben"])).scalar() == \
            "amber"
        assert session.execute(select(Review.visit_date).where(Review.visit_date.is_(None))).all() == []


def test_each_trend_is_one_grouped_query_with_the_figures_answers_month_by_month(server: Server) -> None:
    build_caseload(server)
    scopes = [_scope(server, "quinn", "quality_lead"), _scope(server, "meg", "manager")]  # odd and even medians
    grouped = [figure for figure in FIGURES if not figure.snapshot]
    assert {figure.key for figure in grouped} == {"reviews-on-time", "targets-followed-up", "employer-at-review",
                                                  "reviews-per-assessor", "days-between-reviews",
                                                  "learners-at-risk", "targets-past-due", "plans-amended",
                                                  "copies-shared"}
    for today, scope in ((TODAY, scopes[0]), (TODAY, scopes[1]), (dt.date(2025, 12, 15), scopes[0])):
        for figure in grouped:
            with server.factory() as session:
                statements: list[str] = []

                def listener(*args: Any, seen: list[str] = statements) -> None:
                    if args[2].lstrip().upper().startswith(("SELECT", "WITH")):
                        seen.append(args[2])

                event.listen(session.get_bind(), "before_cursor_execute", listener)
                try:
                    months = trend(session, figure, scope, today)
                finally:
                    event.remove(session.get_bind(), "before_cursor_execute", listener)
                assert len(statements) == 1, figure.key
                assert [value for _, value in months] == [figure.compute(session, scope, month)
                                                          for month, _ in months], figure.key


def test_the_dashboard_shows_the_share_of_each_assessors_reviews_sampled(server: Server) -> None:
    from web_kit import browser, sign_in

    from sync.server.db import new_id, next_rev, take_write_lock
    from sync.server.models import ReviewSample, User

    built: dict[str, Any] = build_caseload(server)
    with transaction(server.factory) as session:
        take_write_lock(session)
        session.execute(update(User).where(User.username == "alice").values(display_name="<script>x</script> Al"))
        reviews = session.scalars(select(Review).where(Review.learner_id.in_([built["ann"], built["amy"]]))).all()
        for review in reviews:
            review.data = {**review.data, "assessor": "alice"}
        ann_nov = next(r for r in reviews if r.data["visit_date"] == "2025-11-20")
        sample_id = new_id()
        session.add(ReviewSample(id=sample_id, rev=next_rev(session, "review_sample", sample_id, "test"),
                                 data={"review_id": ann_nov.id}, learner_id=ann_nov.learner_id,
                                 review_id=ann_nov.id))
    client = browser(server)
    sign_in(client, "quinn")
    page = client.get("/dashboard?start=2025-11-01&end=2025-11-30")
    assert page.status_code == 200
    table = page.text.split('id="sampled-shares"', 1)[1].split("</table>", 1)[0]
    assert "Reviews sampled by assessor" in page.text and "<script>x" not in page.text
    # alice carried out Ann's and Amy's November reviews (not Amy's draft), one of them sampled: 50%.
    assert "&lt;script&gt;x&lt;/script&gt; Al</th><td class=\"govuk-table__cell govuk-table__cell--numeric\">2</td>" \
        "<td class=\"govuk-table__cell govuk-table__cell--numeric\">1</td>" \
        "<td class=\"govuk-table__cell govuk-table__cell--numeric\">50%</td>" in table


def test_the_sampled_share_table_follows_the_team_chosen(server: Server) -> None:
    """The dashboard's "Reviews sampled by assessor" is of the chosen team's learners, as every figure beside it:
    choosing South shows carol's reviews and not North's alice's."""
    from web_kit import browser, sign_in

    from sync.server.teams import find_team

    built: dict[str, Any] = build_caseload(server)
    with transaction(server.factory) as session:
        for learner, who in ((built["ann"], "alice"), (built["cat"], "carol")):
            for review in session.scalars(select(Review).where(Review.learner_id == learner)).all():
                review.data = {**review.data, "assessor": who}
        south = find_team(session, "South")
        assert south is not None
        south_id = south.id
    client = browser(server)
    sign_in(client, "quinn")

    def table(address: str) -> str:
        page = client.get(address)
        assert page.status_code == 200
        return page.text.split('id="sampled-shares"', 1)[1].split("</table>", 1)[0]

    everyone = table("/dashboard?start=2025-11-01&end=2025-11-30")
    assert "alice" in everyone and "carol" in everyone
    south_only = table(f"/dashboard?start=2025-11-01&end=2025-11-30&team={south_id}")
    assert "carol" in south_only and "alice" not in south_only


def test_each_review_held_stores_its_neighbours_and_they_move_with_a_new_review(server: Server) -> None:
    """due_dates.refresh_learners stores each review held's previous and next visit in the laptop's order (the
    figures read them instead of a window over every review); a draft, an addendum or a deleted review has none."""
    from test_office_figures import _review

    from sync.server.due_dates import refresh_learners

    built: dict[str, Any] = build_caseload(server)

    def neighbours() -> list[tuple[Any, ...]]:
        with server.factory() as session:
            return [tuple(row) for row in session.execute(
                select(Review.visit_date, Review.status, Review.previous_visit, Review.next_visit)
                .where(Review.learner_id == built["amy"]).order_by(Review.visit_date))]

    assert neighbours() == [("2025-09-15", "finalised", None, "2025-11-10"),
                            ("2025-11-10", "finalised", "2025-09-15", None),
                            ("2025-11-28", "draft", None, None)]
    _review(server, built["amy"], "2025-10-01")
    with transaction(server.factory) as session:
        refresh_learners(session, [built["amy"]])
    assert neighbours() == [("2025-09-15", "finalised", None, "2025-10-01"),
                            ("2025-10-01", "finalised", "2025-09-15", "2025-11-10"),
                            ("2025-11-10", "finalised", "2025-10-01", None),
                            ("2025-11-28", "draft", None, None)]


def test_the_dashboard_has_each_figure_and_its_trend_from_one_query(server: Server) -> None:
    """office_figures.figure_and_trend (the dashboard's): the figure for the period and its 6 months in one query,
    the same answers as the figure computed alone and its trend."""
    from sync.server.office_figures import Period, figure_and_trend

    build_caseload(server)
    period = Period(dt.date(2025, 10, 15), dt.date(2025, 11, 30))
    for scope in (_scope(server, "quinn", "quality_lead"), _scope(server, "meg", "manager")):
        for figure in FIGURES:
            with server.factory() as session:
                statements: list[str] = []

                def listener(*args: Any, seen: list[str] = statements) -> None:
                    if args[2].lstrip().upper().startswith(("SELECT", "WITH")):
                        seen.append(args[2])

                event.listen(session.get_bind(), "before_cursor_execute", listener)
                try:
                    value, months = figure_and_trend(session, figure, scope, period)
                finally:
                    event.remove(session.get_bind(), "before_cursor_execute", listener)
                assert len(statements) == 1, figure.key
                assert value == figure.compute(session, scope, period), figure.key
                assert months == trend(session, figure, scope, period.end), figure.key
