"""Booked reviews (issue 17 item 3), on SQLite and PostgreSQL: a finalised review pushed to the server invites the
learner and the employer's contact to the next review, through the outbox to a real SMTP server (aiosmtpd); each
invitation is read by two iCalendar libraries (icalendar and vobject). A moved review sends an update (same UID,
SEQUENCE + 1), a withdrawn learner a cancellation, a reminder goes once, and the same push again sends nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import icalendar
import pytest
import vobject
from mail_kit import SmtpServer
from server_testkit import SIGNERS, Server, change, drawn_signature, free_port

from reviewapp.core.dates import LONDON, london_today
from reviewapp.core.finalise import finalise_review
from reviewapp.core.review_rules import ReviewContext
from reviewapp.core.templates import load_template
from reviewapp.selftest import scripted_answers
from sync.protocol import LearnerData, ReviewData, SignatureData
from sync.server.bookings import set_reminder_days
from sync.server.db import new_id, transaction
from sync.server.mail import DeliveryTimings, deliver_due, smtp_from_env
from sync.server.models import Employer, Learner, MailMessage
from sync.server.periodic import send_booking_reminders

FAST = DeliveryTimings(retry_seconds=0.2, retry_cap_seconds=0.8, max_attempts=4, lease_seconds=30, poll_seconds=0.2)
LEARNER_EMAIL, EMPLOYER_EMAIL = "sam.smith@example.org", "pat.boss@acme.example.org"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    server = SmtpServer(free_port()).start()
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    yield server
    server.stop()


@pytest.fixture
def booked(server: Server, smtp: SmtpServer) -> dict[str, Any]:
    server.add_user("alice")
    learner_id = server.add_learner("alice", email=LEARNER_EMAIL)
    with transaction(server.factory) as session:
        learner = session.get(Learner, learner_id)
        employer = session.get(Employer, learner.employer_id)
        employer.data = {**employer.data, "contact_name": "Pat Boss", "contact_email": EMPLOYER_EMAIL}
    return {"learner": learner_id, "headers": server.login("alice")}


def finalised(learner_id: str, visit: dt.date, **answers: Any) -> tuple[str, list[dict]]:
    """A review finalised by the laptop's own code (the self-test's answers), with these answers changed."""
    template = load_template("apprenticeship-progress-review")
    review_id = new_id()
    learner = LearnerData(uln="1234567890", first_name="Sam", last_name="Smith", start_date=dt.date(2025, 9, 1))
    context = ReviewContext(review_id=review_id, learner=learner)
    signatures = [drawn_signature(review_id, role, name) for role, name in SIGNERS]
    draft = ReviewData(learner_id=learner_id, template_id=template.id, template_version=template.version,
                       assessor="alice", answers={**scripted_answers(context, visit), **answers})
    done = finalise_review(template, draft, [SignatureData.model_validate(s) for s in signatures], context,
                           dt.datetime.combine(visit, dt.time(11), tzinfo=dt.UTC))
    return review_id, [change("review", "create", review_id, done.review.model_dump(mode="json")),
                       *[change("signature", "create", new_id(), s) for s in signatures]]


def deliver(server: Server, smtp: SmtpServer, before: int) -> list[EmailMessage]:
    deliver_due(server.factory, smtp_from_env(), FAST)
    return smtp.messages[before:]


def invitation(message: EmailMessage) -> tuple[icalendar.Event, Any, str]:
    """The message's calendar part, read by icalendar and by vobject, and its Content-Type's method."""
    part = next(p for p in message.iter_attachments() if p.get_content_type() == "text/calendar")
    text = part.get_content() if isinstance(part.get_content(), str) else part.get_content().decode()
    parsed = icalendar.Calendar.from_ical(text)
    event = next(c for c in parsed.walk("VEVENT"))
    other = vobject.readOne(text)
    assert str(parsed["method"]) == other.method.value
    return event, other, part.get_param("method")


def check(message: EmailMessage, method: str, sequence: int, start: dt.datetime) -> str:
    event, other, content_method = invitation(message)
    assert content_method == method and other.method.value == method
    assert str(event["organizer"]) == "mailto:" + (other.vevent.organizer.value.removeprefix("mailto:"))
    assert str(event["organizer"]).startswith("mailto:")
    attendees = sorted(str(a) for a in event.get("attendee"))
    assert attendees == sorted(["mailto:" + LEARNER_EMAIL, "mailto:" + EMPLOYER_EMAIL])
    assert sorted(a.value for a in other.vevent.attendee_list) == attendees
    assert int(event["sequence"]) == sequence == int(other.vevent.sequence.value)
    assert event["dtstart"].params["TZID"] == "Europe/London"
    assert other.vtimezone.tzid.value == "Europe/London"  # vobject reads the TZID into the start's tzinfo
    assert other.vevent.dtstart.value.tzinfo is not None
    assert event.decoded("dtstart") == start == other.vevent.dtstart.value
    assert other.vevent.dtstart.value.astimezone(LONDON).strftime("%H:%M") == start.strftime("%H:%M")
    assert other.vevent.uid.value == str(event["uid"])
    return str(event["uid"])


def test_a_booked_review_invites_the_learner_and_employer_and_a_move_and_a_withdrawal_update_it(
        server: Server, smtp: SmtpServer, booked: dict[str, Any]) -> None:
    visit = london_today() - dt.timedelta(days=1)
    first_day = visit + dt.timedelta(weeks=8)
    review_id, changes = finalised(booked["learner"], visit, next_review_time="14:30", next_review_minutes=45)
    server.push(booked["headers"], *changes)
    messages = deliver(server, smtp, 0)
    assert sorted(m["To"] for m in messages) == sorted([LEARNER_EMAIL, EMPLOYER_EMAIL])
    start = dt.datetime.combine(first_day, dt.time(14, 30), tzinfo=LONDON)
    uids = {check(m, "REQUEST", 0, start) for m in messages}
    assert uids == {f"next-review-{review_id}@reviewapp"}
    event, _other, _ = invitation(messages[0])
    assert event.decoded("dtend") - event.decoded("dtstart") == dt.timedelta(minutes=45)
    assert f"{first_day:%d/%m/%Y} 14:30" in messages[0]["Subject"]

    server.push(booked["headers"], *changes)  # the same review again: nothing new
    assert deliver(server, smtp, 2) == []

    # An early review the next day rebooks the one already booked: an update, same UID, next SEQUENCE.
    second_visit = visit + dt.timedelta(days=1)
    _second, moved = finalised(booked["learner"], second_visit, next_review_time="09:15")
    server.push(booked["headers"], *moved)
    messages = deliver(server, smtp, 2)
    assert len(messages) == 2
    moved_start = dt.datetime.combine(second_visit + dt.timedelta(weeks=8), dt.time(9, 15), tzinfo=LONDON)
    assert {check(m, "REQUEST", 1, moved_start) for m in messages} == uids
    assert all("moved" in m["Subject"] for m in messages)

    # The learner withdrawn: a cancellation, same UID, next SEQUENCE.
    pulled, _ = server.pull_all(booked["headers"])
    learner = next(c for c in pulled if c["entity"] == "learner")
    server.push(booked["headers"], change("learner", "update", booked["learner"], {"status": "withdrawn"},
                                          base_rev=learner["rev"]))
    messages = deliver(server, smtp, 4)
    assert len(messages) == 2
    assert {check(m, "CANCEL", 2, moved_start) for m in messages} == uids
    assert all(str(invitation(m)[0]["status"]) == "CANCELLED" for m in messages)


def test_a_review_with_no_time_is_booked_at_ten_for_an_hour(server: Server, smtp: SmtpServer,
                                                           booked: dict[str, Any]) -> None:
    visit = london_today() - dt.timedelta(days=1)
    _review, changes = finalised(booked["learner"], visit)
    server.push(booked["headers"], *changes)
    messages = deliver(server, smtp, 0)
    start = dt.datetime.combine(visit + dt.timedelta(weeks=8), dt.time(10), tzinfo=LONDON)
    assert len(messages) == 2 and all(check(m, "REQUEST", 0, start) for m in messages)
    event, _other, _ = invitation(messages[0])
    assert event.decoded("dtend") - event.decoded("dtstart") == dt.timedelta(hours=1)


def test_the_reminder_goes_once_the_provider_setting_days_before(server: Server, smtp: SmtpServer,
                                                               booked: dict[str, Any]) -> None:
    visit = london_today() - dt.timedelta(days=1)
    _review, changes = finalised(booked["learner"], visit, next_review_time="14:30")
    server.push(booked["headers"], *changes)
    deliver(server, smtp, 0)
    start = dt.datetime.combine(visit + dt.timedelta(weeks=8), dt.time(14, 30), tzinfo=LONDON)
    with transaction(server.factory) as session:
        assert send_booking_reminders(session, (start - dt.timedelta(days=3)).astimezone(dt.UTC)) == 0  # default 2
        set_reminder_days(session, 3, "admin")
    for _ in range(2):  # a second tick (or a second process) sends nothing new
        with transaction(server.factory) as session:
            send_booking_reminders(session, (start - dt.timedelta(days=3)).astimezone(dt.UTC))
    messages = deliver(server, smtp, 2)
    assert sorted(m["To"] for m in messages) == sorted([LEARNER_EMAIL, EMPLOYER_EMAIL])
    assert all(m["Subject"] == f"Reminder: progress review on {start:%d/%m/%Y} 14:30" for m in messages)
    with server.factory() as session:
        assert session.query(MailMessage).filter(MailMessage.kind == "booking_reminder").count() == 2


def test_a_voided_review_cancels_its_booking(server: Server, smtp: SmtpServer, booked: dict[str, Any]) -> None:
    visit = london_today() - dt.timedelta(days=1)
    review_id, changes = finalised(booked["learner"], visit, next_review_time="11:00")
    results = server.push(booked["headers"], *changes)
    first = deliver(server, smtp, 0)
    server.push(booked["headers"], change("review", "update", review_id,
                                          {"status": "void", "void_reason": "Recorded against the wrong learner"},
                                          base_rev=results[0]["rev"]))
    messages = deliver(server, smtp, len(first))
    start = dt.datetime.combine(visit + dt.timedelta(weeks=8), dt.time(11), tzinfo=LONDON)
    assert len(messages) == 2 and {check(m, "CANCEL", 1, start) for m in messages} == {
        check(first[0], "REQUEST", 0, start)}
    assert all(m["Subject"].startswith("Progress review cancelled") for m in messages)


def test_the_reminder_lead_is_set_on_the_command_line_and_a_bad_one_refused(
        server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    from sync.server.bookings import reminder_days
    from sync.server.cli import main

    with server.factory() as session:
        assert reminder_days(session) == 2  # the default
    assert main(["settings", "set", "booking-reminder-days", "5", "--database", server.database_url]) == 0
    assert "5 days before" in capsys.readouterr().out
    assert main(["settings", "set", "booking-reminder-days", "31", "--database", server.database_url]) != 0
    assert "0 to 30 days" in capsys.readouterr().err
    with server.factory() as session:
        assert reminder_days(session) == 5
