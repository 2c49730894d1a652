"""The periodic jobs (sync/server/periodic.py): the deputies told of a case nobody acknowledged in 4 working hours
(or a plain wait set in seconds), once; the managers' urgent e-mail once per working day from 07:00 and the weekly
digest once per week, each through the outbox with its key. (Sent for real by the worker: test_case_email_e2e.py.)"""

from __future__ import annotations

import datetime as dt

import pytest
from alert_kit import seed_scenario
from mail_kit import REFUSED, SmtpServer
from server_testkit import Server, change, free_port
from sqlalchemy import select, update
from test_cases import DISCLOSURE, cases, draft, people, referral
from web_kit import put_in_team

from reviewapp.core.dates import LONDON
from sync.server.cases import notify
from sync.server.db import transaction
from sync.server.mail import DeliveryTimings, deliver_due, smtp_from_env
from sync.server.models import Case, MailMessage, utcnow
from sync.server.periodic import acknowledge_wait, send_alert_emails, tell_overdue_cases

__all__ = ["people"]


def london(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=LONDON)


def queued(server: Server, kind: str) -> list[MailMessage]:
    with server.factory() as session:
        return list(session.scalars(select(MailMessage).where(MailMessage.kind == kind).order_by(MailMessage.key)))


def test_the_deputy_is_told_after_4_working_hours_once(server: Server, people: dict) -> None:
    server.push(server.login("alice"), change("review", "create", None, draft(people["sam"], sg_concern=referral())))
    [case] = cases(server)
    with transaction(server.factory) as session:  # received on Friday 4 December at 15:00
        session.execute(update(Case).where(Case.id == case.id).values(received_at=london(4, 15).astimezone(dt.UTC)))
    within, working = acknowledge_wait({})
    assert (within, working) == (dt.timedelta(hours=4), True)
    for now, expected in ((london(5, 12), 0), (london(7, 10, 59), 0), (london(7, 11, 1), 1), (london(8, 9), 1)):
        with transaction(server.factory) as session:
            tell_overdue_cases(session, now.astimezone(dt.UTC), within, working)
        told = queued(server, "case_unacknowledged")
        assert len(told) == expected, now  # Saturday, Monday 10:59: not yet; Monday 11:01: once, and only once
    [row] = told
    assert row.key == f"case_unacknowledged:{case.id}:dep" and row.to_address == "dep@example.org"
    assert DISCLOSURE not in row.body_text and "within 4 working hours" in row.body_text
    assert f"/cases/{case.id}" in row.body_text


def test_a_wait_in_seconds_counts_plain_time(server: Server, people: dict) -> None:
    assert acknowledge_wait({"REVIEWAPP_CASE_ACKNOWLEDGE_SECONDS": "90"}) == (dt.timedelta(seconds=90), False)
    server.push(server.login("alice"), change("review", "create", None, draft(people["sam"], sg_concern=referral())))
    [case] = cases(server)
    received = case.received_at.replace(tzinfo=dt.UTC)
    for seconds, expected in ((60, 0), (91, 1), (3600, 1)):
        with transaction(server.factory) as session:
            tell_overdue_cases(session, received + dt.timedelta(seconds=seconds), dt.timedelta(seconds=90), False)
        assert len(queued(server, "case_unacknowledged")) == expected
    assert "within 90 seconds" in queued(server, "case_unacknowledged")[0].body_text
    with server.factory() as session:  # once told, the case is not worked out again at every tick
        later = received + dt.timedelta(hours=2)
        assert notify.overdue_acknowledgements(session, later, dt.timedelta(seconds=90)) == []


def test_managers_get_the_urgent_email_each_working_day_and_the_digest_each_week(server: Server) -> None:
    for name, role in (("alice", "assessor"), ("meg", "manager")):
        server.add_user(name, role, email=f"{name}@example.org")
    server.add_user("max", "manager")  # no address: told nothing
    put_in_team(server, "North", "meg", "alice")
    seed_scenario(server, "alice")
    steps = [(london(1, 6, 59), 0, 0),  # Tuesday 1 December, before 07:00
             (london(1, 7, 0), 1, 1), (london(1, 12), 1, 1),  # at 07:00 both; again that day: nothing more
             (london(2, 7, 30), 2, 1),  # Wednesday: the urgent one again, the digest already went this week
             (london(5, 9), 2, 1),  # Saturday: nothing
             (london(7, 8), 3, 2)]  # the next Monday: both
    done: set[str] = set()
    for now, urgent, weekly in steps:
        with transaction(server.factory) as session:
            send_alert_emails(session, now.astimezone(dt.UTC), done)
        assert (len(queued(server, "alerts_urgent")), len(queued(server, "alerts_weekly"))) == (urgent, weekly), now
    first = queued(server, "alerts_urgent")[0]
    assert first.to_address == "meg@example.org" and first.key.endswith(":2026-12-01")
    assert "urgent alerts for your teams' learners on 01/12/2026" in first.body_text
    assert queued(server, "alerts_weekly")[0].key.endswith(":2026-W49")
    print(f"\n--- urgent ---\nSubject: {first.subject}\n\n{first.body_text}")
    print(f"--- weekly ---\nSubject: {queued(server, 'alerts_weekly')[0].subject}\n\n"
          f"{queued(server, 'alerts_weekly')[0].body_text}")


def test_a_bounced_first_e_mail_tells_the_deputy_at_once(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    smtp = SmtpServer(free_port()).start()
    try:
        for name, value in smtp.env().items():
            monkeypatch.setenv(name, value)
        server.add_user("alice")
        server.add_user("dee", "safeguarding_lead", email=REFUSED)  # the DSL's address is refused for good
        server.add_user("dep", "safeguarding_deputy")
        sam = server.add_learner("alice")
        server.push(server.login("alice"), change("review", "create", None, draft(sam, sg_concern=referral())))
        timings = DeliveryTimings(retry_seconds=0.2, retry_cap_seconds=0.8, max_attempts=4, poll_seconds=0.2)
        assert deliver_due(server.factory, smtp_from_env(), timings).bounced == 1
        deliver_due(server.factory, smtp_from_env(), timings)
        [to_dep] = smtp.messages
        assert "dep@example.org" in str(to_dep["To"]) and to_dep["Subject"] == "Unacknowledged safeguarding case"
        assert "could not be delivered" in to_dep.get_body().get_content() and DISCLOSURE not in to_dep.as_string()
        [case] = cases(server)
        with transaction(server.factory) as session:  # the reminder later is the same e-mail: not sent again
            assert tell_overdue_cases(session, utcnow() + dt.timedelta(days=7), dt.timedelta(hours=1), False) == 0
        assert [row.key for row in queued(server, "case_unacknowledged")] == [f"case_unacknowledged:{case.id}:dep"]
    finally:
        smtp.stop()
