"""The managers' alert e-mails' content (sync/server/alert_digest.py): the urgent daily and the weekly digest, for
the manager's teams only, from the same alerts as the web app (the known caseload of tests/alert_scenario.py)."""

from __future__ import annotations

from alert_kit import seed_scenario
from server_testkit import Server
from web_kit import put_in_team

from sync.server.accounts import find_user
from sync.server.alert_digest import urgent_for, weekly_for
from sync.server.db import transaction
from tests.alert_scenario import TODAY


def test_the_urgent_email_and_the_weekly_digest_for_a_managers_teams(server: Server) -> None:
    for name, role in (("alice", "assessor"), ("bob", "assessor"), ("meg", "manager"), ("max", "manager")):
        server.add_user(name, role)
    put_in_team(server, "North", "meg", "alice")
    put_in_team(server, "South", "max", "bob")
    seed_scenario(server, "alice")
    server.add_learner("bob", first_name="Ben", last_name="Bobs", start_date="2025-01-06")
    with transaction(server.factory) as session:
        meg, maxim = find_user(session, "meg"), find_user(session, "max")
        urgent = urgent_for(session, meg, TODAY, "https://office.example")
        weekly = weekly_for(session, meg, TODAY, "https://office.example")
        theirs = urgent_for(session, maxim, TODAY)
    assert urgent is not None and urgent.count == 5
    assert urgent.subject == "ReviewApp: 5 urgent alerts, 01/12/2026"
    for line in ("- Olu Overdue (alice): Review overdue since 27/10/2026",
                 "- Nia New (alice): First review not held since 27/10/2026",
                 "- Ray Red (alice): Red or Amber rating since 10/11/2026",
                 "See them and dismiss any dealt with: https://office.example/alerts"):
        assert line in urgent.text
    assert "Ben Bobs" not in urgent.text and "Finish the food safety unit" not in weekly.text  # no target wording
    assert weekly.count == 10 and "Target past due: 2" in weekly.text and "- alice: 10 (5 urgent)" in weekly.text
    assert "Draft unfinished: 1" in weekly.text and "Off-the-job hours behind: 1" in weekly.text
    assert theirs is not None and theirs.count == 2 and "Ben Bobs (bob): Review overdue" in theirs.text


def test_no_urgent_email_when_there_is_nothing_urgent_but_a_weekly_one_still(server: Server) -> None:
    server.add_user("meg", "manager")
    with transaction(server.factory) as session:
        meg = find_user(session, "meg")
        assert urgent_for(session, meg, TODAY) is None
        weekly = weekly_for(session, meg, TODAY)
    assert weekly.count == 0 and "There are no alerts." in weekly.text
