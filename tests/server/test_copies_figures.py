"""Issue 15 item 4's last two figures, each against a caseload built so its answer is known, on SQLite and
PostgreSQL: "copies shared" (finalised reviews whose learner's and employer's copies were both handed over, from the
deliveries the laptops push and, later, the server's e-mails) and "learning plans amended at reviews" (the plan
progress a review recorded, by reviewapp.core.plan_amendment's rule, compared in SQL with the review before)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from server_testkit import Server, change
from sqlalchemy import select
from test_office_figures import NOVEMBER, TODAY, _review, _scope, build_caseload
from web_kit import browser, sign_in

from reviewapp.core.plan_amendment import amended, plan_progress_record
from reviewapp.core.templates import load_template
from sync.server.db import new_id, next_rev, take_write_lock, transaction
from sync.server.due_dates import refresh_learners
from sync.server.models import Delivery, Review
from sync.server.office_figures import BY_KEY, Period, rows_query, trend

TEMPLATE = "apprenticeship-progress-review"


def deliver(server: Server, review_id: str, learner_id: str, copy_for: str, channel: str = "printed",
            status: str = "delivered", when: str = "2025-11-30T14:05:00+00:00") -> str:
    """A delivery as the server stores one, pushed by a laptop or (an e-mail) made by the server itself."""
    delivery_id = new_id()
    data = {"review_id": review_id, "learner_id": learner_id, "copy_for": copy_for, "channel": channel,
            "status": status, "delivered_at": when, "delivered_by": "alice", "recipient": "", "consent_recorded": None,
            "bounced_at": None, "bounce_reason": ""}
    with transaction(server.factory) as session:
        take_write_lock(session)
        session.add(Delivery(id=delivery_id, learner_id=learner_id, data=data,
                             rev=next_rev(session, "delivery", delivery_id, "test")))
    return delivery_id


def _held_review(server: Server, learner_id: str, visit: str) -> str:
    with server.factory() as session:
        return session.scalars(select(Review.id).where(Review.learner_id == learner_id, Review.visit_date == visit,
                                                       Review.status == "finalised")).one()


@pytest.fixture
def copies(server: Server) -> dict[str, Any]:
    """build_caseload's six reviews held in November (quinn sees all), and their deliveries:
    Ann 20/11: learner's printed, employer's saved as a PDF: shared. Amy 10/11: learner's only. Ben 05/11: learner's
    printed, the employer's e-mailed but bounced: not shared. Cat 25/11: learner's saved, employer's e-mailed and
    sent: shared. Cat 04/11 and Gus 03/11: none (Cat's 04/11 has only a provider's copy). 2 of 6."""
    built = build_caseload(server)
    reviews = {"ann": _held_review(server, built["ann"], "2025-11-20"),
               "amy": _held_review(server, built["amy"], "2025-11-10"),
               "ben": _held_review(server, built["ben"], "2025-11-05"),
               "cat": _held_review(server, built["cat"], "2025-11-25"),
               "cat_early": _held_review(server, built["cat"], "2025-11-04")}
    deliver(server, reviews["ann"], built["ann"], "learner")
    deliver(server, reviews["ann"], built["ann"], "employer", "saved")
    deliver(server, reviews["amy"], built["amy"], "learner")
    deliver(server, reviews["ben"], built["ben"], "learner")
    deliver(server, reviews["ben"], built["ben"], "employer", "emailed", "bounced")
    deliver(server, reviews["cat"], built["cat"], "learner", "saved")
    deliver(server, reviews["cat"], built["cat"], "employer", "emailed", "sent")
    deliver(server, reviews["cat_early"], built["cat"], "provider")
    # An October review with both copies: in the trend's October, not in November.
    ann_oct = _held_review(server, built["ann"], "2025-10-02")
    deliver(server, ann_oct, built["ann"], "learner")
    deliver(server, ann_oct, built["ann"], "employer")
    return {**built, "reviews": reviews}


def test_copies_shared_counts_reviews_with_both_copies_handed_over(server: Server, copies: dict[str, Any]) -> None:
    scope = _scope(server, "quinn", "quality_lead")
    figure = BY_KEY["copies-shared"]
    with server.factory() as session:
        value = figure.compute(session, scope, NOVEMBER)
        rows = {row.review_id: row for row in session.execute(rows_query(session, "copies-shared", scope, NOVEMBER))}
        months = trend(session, figure, scope, TODAY)
    assert (value.count, value.total, value.value) == (2, 6, 33.3)
    reviews = copies["reviews"]
    assert {r for r, row in rows.items() if row.copies_shared} == {reviews["ann"], reviews["cat"]}
    assert rows[reviews["amy"]].learner_copy and not rows[reviews["amy"]].employer_copy
    assert rows[reviews["ben"]].learner_copy and not rows[reviews["ben"]].employer_copy  # bounced
    assert not rows[reviews["cat_early"]].learner_copy  # a provider's copy is neither
    assert [(v.count, v.total) for _, v in months] == [(0, 0), (0, 0), (0, 0), (0, 1), (1, 1), (2, 6)]
    # An assessor: their own reviews only (alice: Ann's shared, Amy's not).
    with server.factory() as session:
        alice = figure.compute(session, _scope(server, "alice", "assessor"), NOVEMBER)
    assert (alice.count, alice.total) == (1, 2)


def test_the_copies_list_shows_the_reviews_without_first_and_exports(server: Server, copies: dict[str, Any]) -> None:
    client = browser(server)
    sign_in(client, "quinn")
    page = client.get("/dashboard?start=2025-11-01&end=2025-11-30")
    assert page.status_code == 200
    assert "Copies shared" in page.text and 'href="/figures/copies-shared?' in page.text
    assert "Learning plans amended at reviews" in page.text and 'href="/figures/plans-amended?' in page.text
    assert "2 of 6" in page.text
    listing = client.get("/figures/copies-shared?start=2025-11-01&end=2025-11-30")
    assert listing.status_code == 200 and "6 rows" in listing.text
    assert "Copies handed over" in listing.text and "Learner&#39;s only" in listing.text
    body = listing.text[listing.text.index("<tbody"):]
    # The reviews without both copies first (Amy, Ben, Cat's 04/11, Gus), then Ann's and Cat's 25/11.
    assert body.index("Ann Smith") > body.index("Amy Smith") and body.index("Ann Smith") > body.index("Ben Smith")
    assert body.index("Ann Smith") > body.index("Gus Smith")
    exported = list(csv.DictReader(io.StringIO(
        client.get("/figures/copies-shared.csv?start=2025-11-01&end=2025-11-30").text)))
    assert len(exported) == 6
    assert sorted(row["Learner"] for row in exported if row["Both shared"] == "Yes") == ["Ann Smith", "Cat Smith"]
    assert [row["Both shared"] for row in exported][:4] == ["No"] * 4
    assert sorted(row["Copies handed over"] for row in exported) == [
        "Learner's and employer's", "Learner's and employer's", "Learner's only", "Learner's only", "Neither",
        "Neither"]
    # An assessor sees only their own reviews behind the figure.
    carol = browser(server)
    sign_in(carol, "carol")
    own = carol.get("/figures/copies-shared?start=2025-11-01&end=2025-11-30")
    assert own.status_code == 200 and "Cat Smith" in own.text and "Ann Smith" not in own.text


def test_a_delivery_pushed_for_another_caseloads_review_is_refused(server: Server, copies: dict[str, Any]) -> None:
    """A laptop's delivery names a review of its own learner; another caseload's answers as an unknown one."""
    headers = server.login("carol")
    ann, review = copies["ann"], copies["reviews"]["ann"]
    fields = {"review_id": review, "learner_id": ann, "copy_for": "learner", "channel": "printed",
              "delivered_at": "2025-11-30T14:05:00+00:00", "delivered_by": "carol"}
    [refused] = server.push(headers, change("delivery", "create", fields=fields))
    assert refused["status"] == "rejected"
    cat, cat_review = copies["cat"], copies["reviews"]["cat_early"]
    mixed = {**fields, "learner_id": cat}  # her own learner, someone else's review
    [wrong] = server.push(headers, change("delivery", "create", fields=mixed))
    assert wrong["status"] == "rejected" and "review" in wrong["error"]
    [applied] = server.push(headers, change("delivery", "create", fields={**mixed, "review_id": cat_review,
                                                                          "copy_for": "employer"}))
    assert applied["status"] == "applied"
    with server.factory() as session:
        rows = session.scalars(select(Delivery).where(Delivery.review_id == cat_review)).all()
    assert sorted((row.copy_for, row.channel, row.status) for row in rows) == [
        ("employer", "printed", "delivered"), ("provider", "printed", "delivered")]


# --- Learning plans amended ----------------------------------------------------------------------------------------

def _planned(server: Server, learner: str, visit: str, grid: dict[str, Any] | None) -> str:
    """A finalised review of the real template whose plan progress grid recorded `grid` (None: no answer)."""
    template = load_template(TEMPLATE)
    review_id = _review(server, learner, visit)
    with transaction(server.factory) as session:
        take_write_lock(session)
        row = session.get(Review, review_id)
        assert row is not None
        answers = {"plan_progress": grid} if grid is not None else {}
        row.data = {**row.data, "template_id": template.id, "template_version": template.version, "answers": answers}
        session.flush()
        refresh_learners(session, [learner])  # as the push does after writing a review
    return review_id


@pytest.fixture
def plans(server: Server) -> dict[str, Any]:
    """Five learners of alice, each with a review held in November:
    Pam: 30% on item a after 10% in September: amended. Pat: 20% again, as in October, no comment: not amended.
    Pip: 20% again, with a comment: amended. Pia: a first review recording progress (0%): amended. Poe: no plan
    progress answer, at either of two reviews: not. So 3 of 6; September (Pam's first) 1 of 1, October (Pat's and
    Pip's first) 2 of 2."""
    server.add_user("alice")
    server.add_user("quinn", role="quality_lead")
    people = {name: server.add_learner("alice", first_name=name) for name in ("Pam", "Pat", "Pip", "Pia", "Poe")}
    item = {"progress": 10, "comment": ""}
    _planned(server, people["Pam"], "2025-09-15", {"a": item, "b": {"progress": 0, "comment": ""}})
    _planned(server, people["Pam"], "2025-11-15", {"a": {**item, "progress": 30}, "b": {"progress": 0, "comment": ""}})
    _planned(server, people["Pat"], "2025-10-01", {"a": {"progress": 20, "comment": ""}})
    _planned(server, people["Pat"], "2025-11-02", {"a": {"progress": 20, "comment": " "}})
    _planned(server, people["Pip"], "2025-10-20", {"a": {"progress": 20, "comment": ""}})
    _planned(server, people["Pip"], "2025-11-12", {"a": {"progress": 20, "comment": "Evidence seen, same share."}})
    _planned(server, people["Pia"], "2025-11-20", {"a": {"progress": 0, "comment": ""}})
    _planned(server, people["Poe"], "2025-11-22", None)
    _planned(server, people["Poe"], "2025-11-28", None)  # two held in November: neither amends
    return people


def test_plans_amended_compares_each_review_with_the_one_before(server: Server, plans: dict[str, Any]) -> None:
    scope = _scope(server, "quinn", "quality_lead")
    figure = BY_KEY["plans-amended"]
    with server.factory() as session:
        value = figure.compute(session, scope, NOVEMBER)
        rows = session.execute(rows_query(session, "plans-amended", scope, NOVEMBER)).all()
        months = trend(session, figure, scope, TODAY)
        october = figure.compute(session, scope, Period(dt.date(2025, 10, 1), dt.date(2025, 10, 31)))
    assert (value.count, value.total, value.value) == (3, 6, 50.0)
    names = {learner: name for name, learner in plans.items()}
    assert sorted(names[row.learner_id] for row in rows if row.plan_amended) == ["Pam", "Pia", "Pip"]
    assert [(v.count, v.total) for _, v in months] == [(0, 0), (0, 0), (0, 0), (1, 1), (2, 2), (3, 6)]
    assert (october.count, october.total) == (2, 2)


def test_the_figure_applies_the_cores_rule(server: Server, plans: dict[str, Any]) -> None:
    """The stored columns are plan_progress_record's, and the figure's answer is amended()'s, review by review."""
    template = load_template(TEMPLATE)
    scope = _scope(server, "quinn", "quality_lead")
    everything = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    with server.factory() as session:
        sql = {row.review_id: bool(row.plan_amended)
               for row in session.execute(rows_query(session, "plans-amended", scope, everything))}
        reviews = session.scalars(select(Review).order_by(Review.learner_id, Review.visit_date)).all()
        expected, previous_of = {}, {}
        for review in reviews:
            progress, commented = plan_progress_record(template, review.data["answers"])
            assert (review.plan_progress, bool(review.plan_commented)) == (progress, commented)
            first = review.learner_id not in previous_of
            expected[review.id] = amended(progress, commented, previous_of.get(review.learner_id), first)
            previous_of[review.learner_id] = progress
    assert sql == expected and len(sql) == 9


def test_the_plan_record_of_a_grid() -> None:
    template = load_template(TEMPLATE)
    assert plan_progress_record(template, {}) == (None, False)
    grid = {"b": {"progress": 40.4, "comment": ""}, "a": {"progress": 120, "comment": "Done"}}
    assert plan_progress_record(template, {"plan_progress": grid}) == ("a=100;b=40", True)
    assert amended("a=10", False, "a=10", first=False) is False
    assert amended("a=10", False, "a=5", first=False) is True
    assert amended(None, False, None, first=True) is False


def test_a_template_added_at_the_office_counts_its_plan_progress_too(server: Server) -> None:
    """A review of a template version the office added (not installed with the server) records its plan progress by
    that version's own plan progress question, as the laptop that finalised it would."""
    import json

    from sync.server.provider_settings import add_template

    body = json.loads(load_template(TEMPLATE).model_dump_json(exclude_unset=True))
    body["id"], body["version"] = "office-review", 1
    with transaction(server.factory) as session:
        take_write_lock(session)
        add_template(session, body, "admin")
    server.add_user("alice")
    learner = server.add_learner("alice", first_name="Oli")
    review_id = _review(server, learner, "2025-11-10")
    with transaction(server.factory) as session:
        take_write_lock(session)
        row = session.get(Review, review_id)
        assert row is not None
        row.data = {**row.data, "template_id": "office-review", "template_version": 1,
                    "answers": {"plan_progress": {"a": {"progress": 35, "comment": ""}}}}
    with server.factory() as session:
        stored = session.get(Review, review_id)
        assert stored is not None and (stored.plan_progress, stored.plan_commented) == ("a=35", False)
