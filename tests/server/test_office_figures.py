"""The office dashboard's figures (issue 15 items 4, 5, 8, 9), each against a caseload built so its answer is known,
on SQLite and PostgreSQL, with the drill-down list matching the figure and an assessor seeing only their own."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from server_testkit import Server
from web_kit import browser, put_in_team, sign_in

from sync.server.accounts import find_user
from sync.server.db import new_id, next_rev, take_write_lock, transaction
from sync.server.due_dates import refresh_learners
from sync.server.models import Review, Signature, Target
from sync.server.office_figures import (
    BY_KEY,
    FIGURES,
    Period,
    Scope,
    dashboard_figures,
    figure_and_trend,
    rows_query,
    trend,
)
from sync.server.scope import Caller
from sync.server.teams import find_team

NOVEMBER = Period(dt.date(2025, 11, 1), dt.date(2025, 11, 30))
TODAY = dt.date(2025, 11, 30)


def _review(server: Server, learner: str, visit: str, *, welfare: str = "green", progress: str = "green",
            employer_signed: bool = True, status: str = "finalised") -> str:
    review_id = new_id()
    data = {"learner_id": learner, "template_id": "standard", "template_version": 1, "status": status,
            "assessor": "", "visit_date": visit, "answers": {}, "progress_rag": progress, "welfare_rag": welfare,
            "next_review_date": None, "next_review_reason": "", "finalised_at": f"{visit}T10:00:00Z",
            "content_hash": None, "void_reason": "", "addendum_to_id": None}
    with transaction(server.factory) as session:
        take_write_lock(session)
        session.add(Review(id=review_id, learner_id=learner, data=data,
                           rev=next_rev(session, "review", review_id, "test")))
        signature_id = new_id()
        session.add(Signature(id=signature_id, review_id=review_id, learner_id=learner, data={
            "review_id": review_id, "role": "employer", "name": "Boss",
            "signed_at": f"{visit}T10:00:00Z" if employer_signed else None, "image_png": None, "strokes": [],
            "absent_reason": "" if employer_signed else "Not available"},
            rev=next_rev(session, "signature", signature_id, "test")))
    return review_id


def _target(server: Server, learner: str, set_in: str | None, *, due: str | None = None, status: str = "open",
            followed_up_in: str | None = None) -> str:
    target_id = new_id()
    data = {"learner_id": learner, "text": "Do the thing", "due_date": due, "status": status, "actions": [],
            "set_in_review_id": set_in, "followed_up_in_review_id": followed_up_in, "follow_up_comment": "",
            "carried_from_id": None}
    with transaction(server.factory) as session:
        take_write_lock(session)
        session.add(Target(id=target_id, learner_id=learner, data=data,
                           rev=next_rev(session, "target", target_id, "test")))
    return target_id


@pytest.fixture
def built(server: Server) -> dict[str, Any]:
    return build_caseload(server)


def build_caseload(server: Server) -> dict[str, Any]:
    """alice (North): Ann and Amy; bob (North): Ben; carol (South): Cat. meg manages North.

    Reviews held in November: Ann 20/11 (after 02/10: 49 days), Amy 10/11 (after 15/09: 56 days, employer absent,
    welfare Amber), Ben 05/11 (first, progress Red), Cat 25/11 (after 04/11: 21 days). Amy also has a draft.
    Targets whose set-in review's next review was held in November: Ann's two (one followed up) and Amy's one
    (followed up); Ben's has no later review yet. Past due not met by 30/11: Ann's open (due 01/11), Ben's
    not met (due 15/11); Amy's met one and Cat's due in December are not.
    """
    for name in ("alice", "bob", "carol"):
        server.add_user(name)
    server.add_user("meg", role="manager")
    server.add_user("quinn", role="quality_lead")
    put_in_team(server, "North", "alice", "bob", "meg")
    put_in_team(server, "South", "carol")
    ann = server.add_learner("alice", first_name="Ann", employer="Acme Ltd")
    amy = server.add_learner("alice", first_name="Amy", employer="Bolt plc")
    ben = server.add_learner("bob", first_name="Ben", employer="Acme Ltd")
    cat = server.add_learner("carol", first_name="Cat", employer="Cog & Co")
    ann_oct = _review(server, ann, "2025-10-02")
    _review(server, ann, "2025-11-20")
    amy_sep = _review(server, amy, "2025-09-15")
    amy_nov = _review(server, amy, "2025-11-10", welfare="amber", employer_signed=False)
    _review(server, amy, "2025-11-28", status="draft")
    ben_nov = _review(server, ben, "2025-11-05", progress="red")
    _review(server, cat, "2025-11-04", welfare="red")
    _review(server, cat, "2025-11-25")
    _target(server, ann, ann_oct, due="2025-11-01")  # not followed up, past due
    _target(server, ann, ann_oct, due="2025-12-20", status="met", followed_up_in="x")
    _target(server, amy, amy_sep, due="2025-10-01", status="met", followed_up_in=amy_nov)
    _target(server, ben, ben_nov, due="2025-11-15", status="not_met")  # no later review yet
    _target(server, cat, None, due="2025-12-15")
    gone = server.add_learner("carol", first_name="Gus", status="withdrawn")
    _review(server, gone, "2025-11-03")
    with transaction(server.factory) as session:  # written past the push here, so its due dates too
        refresh_learners(session, None)
    return {"ann": ann, "amy": amy, "ben": ben, "cat": cat, "gone": gone}


def _scope(server: Server, username: str, role: str, **narrow: Any) -> Scope:
    with server.factory() as session:
        user = find_user(session, username)
        assert user is not None
        return Scope(Caller(user.id, username, role, None, by_team=True), **narrow)


def _values(server: Server, scope: Scope, period: Period = NOVEMBER) -> dict[str, Any]:
    with server.factory() as session:
        return {key: figure.compute(session, scope, period) for key, figure in BY_KEY.items()}


def test_every_figure_has_its_known_answer_and_its_list_matches(server: Server, built: dict[str, Any]) -> None:
    scope = _scope(server, "quinn", "quality_lead")
    values = _values(server, scope)
    # 3 targets set at a review with a later one (Ann's two, Amy's one); 2 of them followed up.
    assert (values["targets-followed-up"].count, values["targets-followed-up"].total) == (2, 3)
    assert values["targets-followed-up"].value == 66.7
    assert values["targets-past-due"].value == 2
    # 6 reviews held in November (the draft is not), 5 with the employer's signature.
    assert (values["employer-at-review"].count, values["employer-at-review"].total) == (5, 6)
    assert values["employer-at-review"].value == 83.3
    # Last reviews by 30/11: Ann green, Amy amber, Ben red, Cat green (her red was the earlier one).
    assert values["learners-at-risk"].value == 2
    # Gaps of reviews held in November: 49 (Ann), 56 (Amy), 21 (Cat): median 49, worst 56.
    days = values["days-between-reviews"]
    assert (days.value, days.count, days.total) == (49.0, 3, 56)
    # 6 reviews (Gus's too: withdrawn since) over 3 assessors in one month.
    assert values["reviews-per-assessor"].value == 2.0
    # Due by the laptop's rule (8 weeks after the 01/09 start, then 8 weeks after each review): Ann's 20/11 (due
    # 27/11), Amy's 10/11 (due 10/11, the very day) and Cat's 25/11 on time; Ben's 05/11, Cat's 04/11 and Gus's
    # 03/11 (first reviews, due 27/10) late.
    assert (values["reviews-on-time"].count, values["reviews-on-time"].total) == (3, 6)
    # Every active learner's next review is due 8 weeks after their last (by 20/01/2026): all overdue; Gus is
    # withdrawn, so nothing is due.
    assert values["overdue-now"].value == 4
    with server.factory() as session:
        for key in ("targets-past-due", "learners-at-risk"):
            assert len(session.execute(rows_query(session, key, scope, NOVEMBER)).all()) == values[key].value
        at_risk = {row.learner_id for row in session.execute(rows_query(session, "learners-at-risk", scope,
                                                                         NOVEMBER))}
        assert at_risk == {built["amy"], built["ben"]}
        assert len(session.execute(rows_query(session, "employer-at-review", scope, NOVEMBER)).all()) == 6


def test_a_team_an_assessor_and_an_assessors_own_scope(server: Server, built: dict[str, Any]) -> None:
    with server.factory() as session:
        south = find_team(session, "South")
        assert south is not None
        south_id = south.id
    assert _values(server, _scope(server, "quinn", "quality_lead", team_id=south_id))["employer-at-review"].total == 3
    # The manager of North sees North only, even when asking for South.
    meg_south = _values(server, _scope(server, "meg", "manager", team_id=south_id))
    assert meg_south["employer-at-review"].total == 0 and meg_south["learners-at-risk"].value == 0
    assert _values(server, _scope(server, "meg", "manager"))["employer-at-review"].total == 3
    alice = _values(server, _scope(server, "alice", "assessor"))
    assert alice["learners-at-risk"].value == 1 and alice["employer-at-review"].total == 2
    carol_id = _scope(server, "carol", "assessor").caller.user_id
    assert _values(server, _scope(server, "alice", "assessor", assessor_id=carol_id))["employer-at-review"].total == 0


def test_the_trend_is_the_figure_month_by_month(server: Server, built: dict[str, Any]) -> None:
    scope = _scope(server, "quinn", "quality_lead")
    with server.factory() as session:
        months = trend(session, BY_KEY["employer-at-review"], scope, TODAY)
    assert [month.label for month, _ in months] == ["Jun 2025", "Jul 2025", "Aug 2025", "Sep 2025", "Oct 2025",
                                                    "Nov 2025"]
    assert [value.total for _, value in months] == [0, 0, 0, 1, 1, 6]
    assert months[-1][1] == _values(server, scope)["employer-at-review"]


def test_the_dashboards_figures_side_by_side_are_each_figure_and_trend_in_order(server: Server,
                                                                               built: dict[str, Any]) -> None:
    """On PostgreSQL the dashboard works its figures out on connections of their own (office_figures
    .dashboard_figures): the same values, in FIGURES' order, as one after another on the request's session."""
    scope = _scope(server, "quinn", "quality_lead")
    with server.factory() as session:
        together = dashboard_figures(session, scope, NOVEMBER)
        alone = [(figure, *figure_and_trend(session, figure, scope, NOVEMBER)) for figure in FIGURES]
    assert [figure.key for figure, _, _ in together] == [figure.key for figure in FIGURES]
    assert together == alone
    assert together[[f.key for f in FIGURES].index("employer-at-review")][1].total == 6


def test_the_dashboard_and_its_drill_down_and_csv(server: Server, built: dict[str, Any]) -> None:
    client = browser(server)
    sign_in(client, "meg")
    page = client.get("/dashboard?start=2025-11-01&end=2025-11-30")
    assert page.status_code == 200
    assert "Employer at the review" in page.text and 'href="/figures/learners-at-risk?' in page.text
    listing = client.get("/figures/learners-at-risk?start=2025-11-01&end=2025-11-30")
    assert listing.status_code == 200 and "Amy" in listing.text and "Ben" in listing.text
    assert "Ann" not in listing.text and "Cat" not in listing.text
    exported = client.get("/figures/learners-at-risk.csv?start=2025-11-01&end=2025-11-30")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert sorted(row["Learner"] for row in rows) == ["Amy Smith", "Ben Smith"]
    assert sorted(row["Assessor"] for row in rows) == ["alice", "bob"]
    typed = client.get("/figures/learners-at-risk?start=01/11/2025&end=30/11/2025")
    assert typed.status_code == 200 and "Amy" in typed.text and "01/11/2025 to 30/11/2025" in typed.text
    assert client.get("/figures/no-such-figure").status_code == 404
    assert client.get("/dashboard?start=not-a-date").status_code == 422
    assert client.get("/dashboard?start=31/02/2025").status_code == 422
    assert client.get("/dashboard?start=2025-12-01&end=2025-11-01").status_code == 422
    assert client.get("/figures/learners-at-risk?sort=nonsense").status_code == 422
    assert client.get("/figures/learners-at-risk?page=0").status_code == 422
    # Another team than one's own is refused, with a reason.
    assert client.get("/dashboard?team=not-my-team").status_code == 403


def test_an_assessor_sees_only_their_own_on_the_dashboard(server: Server, built: dict[str, Any]) -> None:
    client = browser(server)
    sign_in(client, "carol")
    listing = client.get("/figures/employer-at-review?start=2025-11-01&end=2025-11-30")
    assert listing.status_code == 200 and "Cat" in listing.text and "Amy" not in listing.text
    assert "Ann" not in client.get("/figures/targets-past-due.csv?start=2025-11-01&end=2025-11-30").text


def test_a_name_on_the_list_is_shown_as_text(server: Server) -> None:
    server.add_user("alice")
    learner = server.add_learner("alice", first_name="<script>alert(1)</script>")
    _review(server, learner, "2025-11-10", welfare="red")
    client = browser(server)
    sign_in(client, "alice")
    listing = client.get("/figures/learners-at-risk?start=2025-11-01&end=2025-11-30")
    assert "<script>alert(1)</script>" not in listing.text and "&lt;script&gt;" in listing.text


def test_the_list_pages_sorts_and_filters_in_sql_and_the_csv_has_every_row(server: Server) -> None:
    server.add_user("alice")
    server.add_user("bob")
    for n in range(27):
        learner = server.add_learner("alice" if n % 3 else "bob", first_name=f"L{n:02d}",
                                     employer="Acme Ltd" if n % 2 else "Bolt plc", status="active")
        _review(server, learner, f"2025-11-{n + 1:02d}", welfare="red")
    server.add_user("quinn", role="quality_lead")
    client = browser(server)
    sign_in(client, "quinn")
    base = "/figures/learners-at-risk?start=2025-11-01&end=2025-11-30"
    first = client.get(f"{base}&sort=visit_date&order=desc")
    assert "27 rows, page 1 of 2" in first.text and first.text.count('href="/learners/') == 25
    assert first.text.index("L26 Smith") < first.text.index("L25 Smith")  # latest review first
    second = client.get(f"{base}&sort=visit_date&order=desc&page=2")
    assert second.text.count('href="/learners/') == 2 and "L00 Smith" in second.text and "L01 Smith" in second.text
    bolt = client.get(f"{base}&employer=bolt")
    assert "14 rows" in bolt.text
    with server.factory() as session:
        bob = find_user(session, "bob")
        assert bob is not None
        bob_id = bob.id
    assert "9 rows" in client.get(f"{base}&assessor={bob_id}").text
    assert "0 rows" in client.get(f"{base}&status=withdrawn").text
    exported = list(csv.DictReader(io.StringIO(client.get(base.replace("risk?", "risk.csv?")).text)))
    assert len(exported) == 27 and {row["Welfare"] for row in exported} == {"Red"}


def test_the_stored_due_dates_are_the_laptops_rule_and_follow_the_push_and_the_schedule(server: Server) -> None:
    """A review pushed from a laptop sets its due date and its learner's next one, as reviewapp.core computes them
    (the web caseload's visible_learners gives the same date); a new provider schedule moves them all."""
    from server_testkit import change, finalised_review

    from reviewapp.core.scheduling import next_review_due, schedule_from_document
    from sync.server.models import Learner
    from sync.server.provider_settings import set_schedule
    from sync.server.web.caseload import visible_learners

    server.add_user("alice")
    learner = server.add_learner("alice", first_name="Ann", start_date="2025-09-01")
    alice = server.login("alice")
    review_id = new_id()
    review, signatures = finalised_review(learner, review_id)
    results = server.push(alice, change("review", "create", review_id, review),
                          *[change("signature", "create", sid, s) for sid, s in signatures])
    assert [r["status"] for r in results] == ["applied"] * len(results), results
    scope = _scope(server, "alice", "assessor")
    visit = dt.date.fromisoformat(review["visit_date"])
    with server.factory() as session:
        stored = session.get(Review, review_id)
        learner_row = session.get(Learner, learner)
        assert stored is not None and learner_row is not None
        assert stored.due_by == next_review_due(dt.date(2025, 9, 1), None)
        (line,) = visible_learners(session, scope.caller, TODAY)
        assert learner_row.next_review_due == line.caseload.next_review_due
        assert learner_row.next_review_due == next_review_due(
            dt.date(2025, 9, 1), visit, dt.date.fromisoformat(review["next_review_date"])
            if review["next_review_date"] else None)
    document = {"first_review": "4 weeks", "max_interval": "4 weeks", "short_interval": "2 weeks"}
    with transaction(server.factory) as session:
        set_schedule(session, document, "test")
    rules = schedule_from_document(document)
    with server.factory() as session:
        stored = session.get(Review, review_id)
        learner_row = session.get(Learner, learner)
        assert stored is not None and learner_row is not None
        assert stored.due_by == next_review_due(dt.date(2025, 9, 1), None, rules=rules) == dt.date(2025, 9, 29)
        (line,) = visible_learners(session, scope.caller, TODAY, rules=rules)
        assert learner_row.next_review_due == line.caseload.next_review_due
