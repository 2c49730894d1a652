"""The server's alerts (sync/server/alerts.py) on SQLite and PostgreSQL: the known caseload of tests/alert_scenario.py
stored as records gives exactly the alerts the core's rules give over the same caseload built in memory (name, kind
and words alike), and the scenario's answer; each role's scope; the provider's settings move the thresholds."""

from __future__ import annotations

from alert_kit import seed_scenario
from server_testkit import Server

from reviewapp.core.alerts import AlertSettings
from sync.server.accounts import find_user
from sync.server.alerts import current_alerts
from sync.server.db import transaction
from sync.server.provider_settings import set_alert_settings
from sync.server.scope import Caller
from tests.alert_scenario import TODAY, expected_alerts
from tests.core.test_alerts import scenario_alerts


def _caller(session, username: str) -> Caller:  # type: ignore[no-untyped-def]
    user = find_user(session, username)
    assert user is not None
    return Caller(user.id, user.username, user.role, None, by_team=True)


def _answer(alerts) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return sorted((a.learner_name, a.kind.value, a.detail) for a in alerts)


def test_the_server_gives_the_cores_answer(server: Server) -> None:
    for name, role in (("alice", "assessor"), ("bob", "assessor"), ("quinn", "quality_lead")):
        server.add_user(name, role)
    seed_scenario(server, "alice")
    with transaction(server.factory) as session:
        alice = current_alerts(session, _caller(session, "alice"), TODAY)
        quinn = current_alerts(session, _caller(session, "quinn"), TODAY)
        bob = current_alerts(session, _caller(session, "bob"), TODAY)
    assert sorted((a.learner_name, a.kind.value) for a in alice) == expected_alerts()
    assert _answer(alice) == _answer(scenario_alerts()) == _answer(quinn)
    assert bob == []


def test_the_provider_settings_move_the_servers_thresholds(server: Server) -> None:
    server.add_user("alice")
    seed_scenario(server, "alice")
    settings = {"due_within_days": 5, "otj_behind_percent": 50, "draft_days": 12}
    with transaction(server.factory) as session:
        set_alert_settings(session, settings, "admin")
    with transaction(server.factory) as session:
        alerts = current_alerts(session, _caller(session, "alice"), TODAY)
    assert _answer(alerts) == _answer(scenario_alerts(AlertSettings(**settings)))
    assert len(alerts) == len(expected_alerts()) - 3
