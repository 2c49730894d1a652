"""Alerts on the laptop and at the server by the same rules (issue 16 item 5): the known caseload of
tests/alert_scenario.py is put on a real server, alice's laptop syncs it, and the laptop's alerts (from its store)
and the server's (from its tables) are compared, key for key, with the answer the scenario says. A dismissal on the
laptop syncs up (logged at the server with who and when) and hides the alert on both sides; one made in the web app
comes down and hides it on the laptop."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from alert_kit import seed_scenario
from sqlalchemy import select
from web_kit import browser, csrf_of, sign_in

from reviewapp.store.alerts import dismiss_alert, local_alerts
from reviewapp.store.errors import StoreError
from reviewapp.store.models import AlertDismissal as LaptopDismissal
from reviewapp.store.office_settings import office_alert_settings
from reviewapp.store.settings import schedule_rules
from sync.server.accounts import find_user
from sync.server.alerts import all_alerts, current_alerts, dismissal_log
from sync.server.db import transaction
from sync.server.models import ChangeLog
from sync.server.scope import Caller
from tests.alert_scenario import TODAY, expected_alerts


def _caller(setup: Any, username: str) -> Caller:
    with transaction(setup.factory) as session:
        user = find_user(session, username)
        assert user is not None
        return Caller(user.id, user.username, user.role, None, by_team=True)


def server_keys(setup: Any, username: str, today: dt.date = TODAY) -> list[tuple[str, str, str]]:
    with transaction(setup.factory) as session:
        return sorted((a.learner_id, a.key, a.detail) for a in current_alerts(session, _caller(setup, username), today))


def laptop_alerts(laptop: Any, today: dt.date = TODAY) -> list[Any]:
    rules, settings = schedule_rules(laptop.store), office_alert_settings(laptop.store)
    with laptop.store.read() as session:
        return local_alerts(session, today, rules, settings)


def laptop_keys(laptop: Any) -> list[tuple[str, str, str]]:
    return sorted((a.learner_id, a.key, a.detail) for a in laptop_alerts(laptop))


def test_the_laptop_and_the_server_give_the_same_alerts(world: dict[str, Any]) -> None:
    setup = world["setup"]
    ids = seed_scenario(setup, "alice")
    alice, bob = world["laptop"]("alice"), world["laptop"]("bob")
    alice.sync()
    bob.sync()
    names = {learner: name for name, learner in ids.items()}
    on_laptop = [a for a in laptop_alerts(alice) if a.learner_id in names]  # not the fixture's own two learners
    assert sorted((a.learner_name, a.kind.value) for a in on_laptop) == expected_alerts()
    assert laptop_keys(alice) == server_keys(setup, "alice")  # the same occurrences, in the same words
    # Another assessor sees none of them, on the laptop (it holds none of these learners) or at the server.
    assert [a for a in laptop_alerts(bob) if a.learner_id in names] == []
    assert [k for k in server_keys(setup, "bob") if k[0] in names] == []


def test_the_office_settings_reach_the_laptop_and_move_the_thresholds(world: dict[str, Any]) -> None:
    setup = world["setup"]
    seed_scenario(setup, "alice")
    from sync.server.provider_settings import set_alert_settings

    with transaction(setup.factory) as session:
        set_alert_settings(session, {"due_within_days": 5, "otj_behind_percent": 50, "draft_days": 12}, "admin")
    alice = world["laptop"]("alice")
    alice.sync()
    assert office_alert_settings(alice.store).draft_days == 12
    kinds = {(a.learner_name, a.kind.value) for a in laptop_alerts(alice)}
    assert not kinds & {("Sam Soon", "review_not_booked"), ("Hal Hours", "otj_behind"), ("Dee Draft",
                                                                                         "draft_unfinished")}
    assert laptop_keys(alice) == server_keys(setup, "alice")


def test_a_dismissal_on_the_laptop_syncs_is_logged_and_hides_the_alert_on_both(world: dict[str, Any]) -> None:
    setup = world["setup"]
    ids = seed_scenario(setup, "alice")
    alice = world["laptop"]("alice")
    alice.sync()
    overdue = next(a for a in laptop_alerts(alice) if a.learner_id == ids["Olu Overdue"])
    with pytest.raises(ValueError, match="Enter why"):
        dismiss_alert(alice.store, overdue, "  ", "Alice Assessor")
    dismissal_id = dismiss_alert(alice.store, overdue, "Booked by phone for 03/12/2026", "Alice Assessor")
    assert overdue.identity not in {a.identity for a in laptop_alerts(alice)}
    alice.sync()
    assert (ids["Olu Overdue"], overdue.key, overdue.detail) not in server_keys(setup, "alice")
    caller = _caller(setup, "alice")
    with transaction(setup.factory) as session:
        [line] = dismissal_log(session, caller)
        logged = session.execute(select(ChangeLog).where(ChangeLog.record_id == dismissal_id)).scalar_one()
        # Still there in every alert, dismissed or not: hidden, not gone.
        assert overdue.identity in {a.identity for a in all_alerts(session, caller, TODAY)}
    assert (line.learner_name, line.reason, line.dismissed_by) == ("Olu Overdue", "Booked by phone for 03/12/2026",
                                                                   "Alice Assessor")
    assert logged.entity == "alert_dismissal" and logged.op == "create" and logged.user_id == caller.user_id
    with pytest.raises(StoreError, match="kept as it was made"), alice.store.write() as session:
        session.get(LaptopDismissal, dismissal_id).reason = "changed"
    assert laptop_keys(alice) == server_keys(setup, "alice")


def test_a_dismissal_in_the_web_app_comes_down_to_the_laptop(world: dict[str, Any]) -> None:
    setup = world["setup"]
    ids = seed_scenario(setup, "alice")
    alice = world["laptop"]("alice")
    alice.sync()
    red = next(a for a in laptop_alerts(alice) if a.learner_id == ids["Ray Red"])
    web = browser(setup)
    sign_in(web, "alice")
    # The web app's "today" is the real one; the scenario's learners alert the same way on it for this rule.
    page = web.get("/alerts", params={"kind": "rating"})
    assert "Ray Red" in page.text
    form = web.get("/alerts/dismiss", params={"learner": red.learner_id, "key": red.key})
    assert form.status_code == 200
    done = web.post("/alerts/dismiss", data={"csrf_token": csrf_of(form.text), "learner": red.learner_id,
                                             "key": red.key, "reason": "Welfare plan agreed with the employer"},
                    follow_redirects=False)
    assert done.status_code == 303, done.text
    alice.sync()
    assert red.identity not in {a.identity for a in laptop_alerts(alice)}
    with alice.store.read() as session:
        [row] = session.scalars(select(LaptopDismissal)).all()
    assert (row.alert_key, row.reason) == (red.key, "Welfare plan agreed with the employer")
