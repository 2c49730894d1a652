"""The office dashboard and lists at a provider's size (issue 15): 100 assessors, 10,000 learners, 60,000 reviews.

    python benchmarks/office.py [--quick] [--repeats N]

On PostgreSQL (REVIEWAPP_BENCH_POSTGRES, default postgresql+psycopg://postgres@127.0.0.1:5432/postgres: a
throw-away database, dropped afterwards). The schema goes in by the server's migrations; the caseload by bulk
inserts (each review's due date by the laptop's rule, reviewapp.core.scheduling, as the push stores it). A quality
lead signs in to the web app in process (FastAPI's TestClient: server time, no network) and the benchmark times
the dashboard (every figure with its 6-month trend), a list page (learners at risk, first page) and the CSV export
of the learners overdue now (every learner: all are), each also as a ratio to one indexed `count(*)` in the same
run, so a slower machine shows the same ratios. Targets: dashboard p95 <= 150 ms, list page <= 200 ms, CSV of
10,000 learners <= 2 s. Exits 2 if it cannot run (no PostgreSQL), 0 when measured (met or missed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
import uuid

from benchlib import EXIT_MEASURED, could_not_run, drop_postgres_database, median, ms, p95, postgres_database, verdict

ASSESSORS, TEAMS = 100, 5
TODAY = dt.date.today()


def _id() -> str:
    return str(uuid.uuid4())


def build(url: str, assessors: int, learners_each: int, reviews_each: int) -> None:
    from sqlalchemy import create_engine, insert

    from reviewapp.core.scheduling import next_review_due
    from sync.server.migrate import upgrade
    from sync.server.models import Assignment, Employer, Learner, Review, Signature, Target, Team, TeamMember, User

    upgrade(url)
    rng = random.Random(15)
    engine = create_engine(url)
    users, members, teams = [], [], [{"id": _id(), "name": f"Team {n + 1}"} for n in range(TEAMS)]
    for n in range(assessors):
        users.append({"id": _id(), "username": f"assessor{n:03d}", "display_name": f"Assessor {n:03d}",
                      "role": "assessor", "password_hash": "x", "active": True, "must_change_password": False})
        members.append({"team_id": teams[n % TEAMS]["id"], "user_id": users[-1]["id"]})
    employers = [{"id": _id(), "rev": 1, "data": {"name": f"Employer {n}", "contact_name": "", "contact_email": "",
                                                  "contact_phone": "", "address": ""}, "name_key": f"employer {n}",
                  "updated_by": "bench", "deleted": False} for n in range(500)]
    rev = 1000
    with engine.begin() as conn:
        conn.execute(insert(User), users)
        conn.execute(insert(Team), teams)
        conn.execute(insert(TeamMember), members)
        conn.execute(insert(Employer), employers)
        for a, user in enumerate(users):
            learners, assignments, reviews, targets, signatures = [], [], [], [], []
            for _ in range(learners_each):
                lid, rev = _id(), rev + 1
                start = TODAY - dt.timedelta(days=rng.randint(500, 700))
                employer = rng.choice(employers)
                uln = f"{a:03d}{len(learners):04d}000"[:10]
                learners.append({"id": lid, "rev": rev, "uln": uln,
                                 "employer_id": employer["id"], "learner_ref": None, "updated_by": "bench",
                                 "deleted": False, "data": {
                                     "uln": uln, "first_name": f"L{rev}", "last_name": "Smith", "employer_id":
                                     employer["id"], "programme": rng.choice(["Data technician", "Accounting"]),
                                     "level": 3, "start_date": start.isoformat(), "status": "active"}})
                assignments.append({"learner_id": lid, "assessor_id": user["id"], "rev": rev, "source": "office"})
                # Reviews about every 7-9 weeks, the last 60-120 days ago: everyone is overdue now.
                day = TODAY - dt.timedelta(days=rng.randint(60, 120) + 56 * (reviews_each - 1))
                previous: dt.date | None = None
                for n in range(reviews_each):
                    rid, rev = _id(), rev + 1
                    due = next_review_due(start, previous)
                    rag = rng.choice(["green"] * 6 + ["amber", "red"])
                    if n:  # the neighbours the push stores (due_dates.py): the review before, and this one after it
                        reviews[-1]["next_visit"] = day.isoformat()
                    reviews.append({"id": rid, "rev": rev, "learner_id": lid, "due_by": due, "updated_by": "bench",
                                    "previous_visit": previous.isoformat() if previous else None,
                                    "next_visit": None, "deleted": False, "data": {
                                        "learner_id": lid, "template_id": "t", "template_version": 1,
                                        "status": "finalised", "visit_date": day.isoformat(), "progress_rag": rag,
                                        "welfare_rag": "green", "next_review_date": None,
                                        "finalised_at": f"{day.isoformat()}T10:00:00Z", "addendum_to_id": None}})
                    signatures.append({"id": _id(), "rev": rev, "review_id": rid, "learner_id": lid,
                                       "updated_by": "bench", "deleted": False, "data": {
                                           "review_id": rid, "role": "employer", "name": "Boss",
                                           "signed_at": f"{day.isoformat()}T10:00:00Z" if rng.random() < 0.8
                                           else None}})
                    targets.append({"id": _id(), "rev": rev, "learner_id": lid, "updated_by": "bench",
                                    "deleted": False, "data": {
                                        "learner_id": lid, "text": "x", "set_in_review_id": rid,
                                        "due_date": (day + dt.timedelta(days=28)).isoformat(),
                                        "status": rng.choice(["open", "met", "not_met"]),
                                        "followed_up_in_review_id": rid if rng.random() < 0.7 else None}})
                    previous = day
                    day += dt.timedelta(days=rng.randint(49, 63))
                learners[-1]["next_review_due"] = next_review_due(start, previous)
            conn.execute(insert(Learner), learners)
            conn.execute(insert(Assignment), assignments)
            conn.execute(insert(Review), reviews)
            conn.execute(insert(Signature), signatures)
            conn.execute(insert(Target), targets)
        # Bulk inserts skip the ORM, which copies the figures' fields out of `data` at every write: copy them here.
        from sqlalchemy.orm import Session

        from sync.server.record_columns import backfill

        backfill(Session(bind=conn))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        from sqlalchemy import text

        # Vacuumed as autovacuum leaves a table after a bulk load: the visibility map is what lets the figures'
        # index (models.Review's ix_reviews_held) answer from the index alone.
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def timed(call, repeats: int) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return times


def measure(url: str, repeats: int) -> int:
    from fastapi.testclient import TestClient
    from sqlalchemy import func, select

    from sync.server.accounts import create_user
    from sync.server.app import create_app
    from sync.server.db import transaction
    from sync.server.models import Learner
    from sync.server.web.csrf import FIELD

    app = create_app(url)
    client = TestClient(app)
    with transaction(app.state.session_factory) as session:
        create_user(session, "quinn", "bench horse battery staple", "quality_lead")
    form = client.get("/sign-in").text
    token = form.split(f'name="{FIELD}" value="', 1)[1].split('"', 1)[0]
    signed = client.post("/sign-in", data={"username": "quinn", "password": "bench horse battery staple",
                                           FIELD: token}, follow_redirects=False)
    assert signed.status_code == 303, signed.text
    start = TODAY.replace(day=1) - dt.timedelta(days=90)
    period = f"start={start.isoformat()}&end={TODAY.isoformat()}"

    def get(path: str, expect: str) -> None:
        response = client.get(path)
        assert response.status_code == 200 and expect in response.text[:100_000], (path, response.status_code)

    factory = app.state.session_factory

    def count() -> None:
        with factory() as session:
            session.execute(select(func.count()).select_from(Learner).where(Learner.next_review_due < TODAY)).one()

    count()
    get(f"/dashboard?{period}", "Learners at risk")  # warm
    baseline = median(timed(count, repeats * 5))
    dashboard = timed(lambda: get(f"/dashboard?{period}", "Learners at risk"), repeats)
    listing = timed(lambda: get(f"/figures/learners-at-risk?{period}", "rows"), repeats)
    rows = []

    def export() -> None:
        response = client.get(f"/figures/overdue-now.csv?{period}")
        assert response.status_code == 200
        rows.append(response.text.count("\n") - 1)

    csv_times = timed(export, max(3, repeats // 4))
    app.state.engine.dispose()
    print(f"indexed count(*) median {ms(baseline)}")
    measured = (("dashboard", dashboard, 0.150), ("list page", listing, 0.200),
                (f"CSV of {rows[-1]:,} learners", csv_times, 2.0))
    for name, values, target in measured:
        print(f"{name}: median {ms(median(values))}, p95 {ms(p95(values))} (target {ms(target)}: "
              f"{verdict(p95(values) <= target)}), p95 / count(*) = {p95(values) / baseline:.0f}x")
    # The figure last, as every benchmark prints it (tests/test_benchmarks_smoke.py reads it).
    print("office: " + "; ".join(f"{name} p95 {ms(p95(values))} ({p95(values) / baseline:.0f}x count(*))"
                                 for name, values, _target in measured))
    return EXIT_MEASURED


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the caseload, fewer repeats")
    parser.add_argument("--repeats", type=int)
    args = parser.parse_args(argv)
    url, reason = postgres_database()
    if url is None:
        return could_not_run("office", f"PostgreSQL cannot be reached: {reason}")
    learners_each = 10 if args.quick else 100
    try:
        started = time.perf_counter()
        build(url, ASSESSORS, learners_each, 6)
        print(f"built {ASSESSORS} assessors, {ASSESSORS * learners_each:,} learners, "
              f"{ASSESSORS * learners_each * 6:,} reviews in {time.perf_counter() - started:.0f} s", flush=True)
        return measure(url, args.repeats or (10 if args.quick else 40))
    except Exception as error:
        return could_not_run("office", f"{type(error).__name__}: {error}")
    finally:
        drop_postgres_database(url)


if __name__ == "__main__":
    sys.exit(main())
