"""Booked reviews (issue 17 item 3): the invitation to a learner's next review goes from the server to the learner
and the employer's contact when the finalised review that books it arrives, as an iCalendar REQUEST through the
durable mail outbox; a moved review sends an update (same UID, higher SEQUENCE), a cancelled one (the booking gone:
the review voided or deleted, the learner withdrawn) a CANCEL; a reminder goes N days before (a provider setting,
`booking_reminder_days`, default 2), from the periodic jobs.

The event itself is `reviewapp.core.calendar.booking_ics`, the one the laptop's .ics file uses. State per learner is
one `Booking` row (models.py); every e-mail has an outbox key naming the booking's UID, SEQUENCE and recipient, so
pushing the same review again, or a tick run twice, sends nothing new.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewapp.core.calendar import (
    Attendee,
    BookedReview,
    booked_duration,
    booked_start,
    booking_ics,
    booking_uid,
    format_booking,
)
from reviewapp.core.dates import LONDON
from reviewapp.core.review_rules import parse_iso_date

from .mail.settings import FROM_ENV
from .models import Booking, Employer, Learner, Review, User, as_utc, utcnow

REMINDER_DAYS_KEY = "booking_reminder_days"
DEFAULT_REMINDER_DAYS = 2
#: Learners no longer in learning: their booking is cancelled.
ENDED = ("withdrawn", "completed")
KIND = "booking"


@dataclass(frozen=True)
class Wanted:
    review_id: str
    start: dt.datetime
    minutes: int


def reminder_days(session: Session) -> int:
    """How many days before a booked review its reminder goes (a provider setting; default 2)."""
    from .models import ProviderSetting

    row = session.get(ProviderSetting, REMINDER_DAYS_KEY)
    value = row.value if row is not None else None
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 30 \
        else DEFAULT_REMINDER_DAYS


def set_reminder_days(session: Session, days: int, by: str) -> int:
    """Set the reminder's lead in days (0 to 30: 0 sends none); SettingsError otherwise."""
    from .provider_settings import SettingsError, _bump, _set

    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 30:
        raise SettingsError("The reminder goes 0 to 30 days before the review.")
    _set(session, REMINDER_DAYS_KEY, days, by)
    _bump(session, by, f"booking reminder set to {days} days before")
    return days


def _wanted(session: Session, learner: Learner) -> Wanted | None:
    """The learner's next review as their latest finalised review booked it; None when nothing is booked."""
    if learner.deleted or learner.data.get("status") in ENDED:
        return None
    reviews = session.scalars(select(Review).where(Review.learner_id == learner.id, Review.deleted.is_(False),
                                                   Review.status == "finalised", Review.addendum_to_id.is_(None)))
    latest = max(reviews, key=lambda r: (r.data.get("visit_date") or "", r.data.get("finalised_at") or "", r.id),
                 default=None)
    if latest is None:
        return None
    day = parse_iso_date(latest.data.get("next_review_date"))
    if day is None:
        return None
    start = booked_start(day, latest.data.get("next_review_time"))
    return Wanted(latest.id, start, int(booked_duration(latest.data.get("next_review_minutes")).total_seconds() // 60))


def _people(session: Session, learner: Learner, review_id: str) -> tuple[Attendee, list[Attendee]]:
    data = learner.data
    name = f"{data.get('first_name', '')} {data.get('last_name', '')}".strip()
    attendees = []
    if str(data.get("email") or "").strip():
        attendees.append(Attendee(name, str(data["email"]).strip()))
    employer = session.get(Employer, learner.employer_id) if learner.employer_id else None
    if employer is not None and str(employer.data.get("contact_email") or "").strip():
        contact = employer.data.get("contact_name") or employer.data.get("name") or "Employer"
        attendees.append(Attendee(str(contact), str(employer.data["contact_email"]).strip()))
    review = session.get(Review, review_id)
    assessor = session.scalar(select(User).where(User.username == (review.data.get("assessor") if review else "")))
    if assessor is not None and assessor.email:
        organiser = Attendee(assessor.username, assessor.email)
    else:
        organiser = Attendee("Progress reviews", os.environ.get(FROM_ENV, "").strip() or "reviews@reviewapp.invalid")
    return organiser, attendees


def _send(session: Session, learner: Learner, booking: Booking, method: str, what: str) -> int:
    from .mail import MailError, enqueue

    organiser, attendees = _people(session, learner, booking.review_id)
    name = f"{learner.data.get('first_name', '')} {learner.data.get('last_name', '')}".strip()
    event = BookedReview(uid=booking.uid, start=as_utc(booking.start_at).astimezone(LONDON),
                         duration=dt.timedelta(minutes=booking.minutes), learner_name=name,
                         programme=str(learner.data.get("programme") or ""))
    ics = booking_ics(event, method=method, sequence=booking.sequence, organiser=organiser,
                      attendees=tuple(attendees)).decode()
    when = format_booking(event.start)
    subjects = {"invite": f"Progress review booked: {when}", "update": f"Progress review moved to {when}",
                "cancel": f"Progress review cancelled: {when}"}
    texts = {"invite": f"Your next apprenticeship progress review is booked for {when} (UK time).",
             "update": f"Your next apprenticeship progress review has moved to {when} (UK time).",
             "cancel": f"The apprenticeship progress review booked for {when} (UK time) is cancelled."}
    sent = 0
    for person in attendees:
        try:
            enqueue(session, to=person.email, subject=subjects[what],
                    text=texts[what] + "\n\nThe calendar invitation is attached.", kind=KIND, ics=ics,
                    key=f"booking:{booking.uid}:{booking.sequence}:{what}:{person.email.lower()}")
            sent += 1
        except MailError:  # an address the provider holds that is not one: nothing to send it to
            continue
    return sent


def refresh(session: Session, learner_ids: Iterable[str], now: dt.datetime | None = None) -> int:
    """Bring each learner's booking in line with their records, queueing the e-mails that says; how many."""
    now = now or utcnow()
    queued = 0
    session.flush()
    for learner_id in sorted(set(learner_ids)):
        learner = session.get(Learner, learner_id)
        if learner is None:
            continue
        wanted = _wanted(session, learner)
        booking = session.get(Booking, learner_id)
        if wanted is not None and wanted.start <= now:  # a date already gone is no booking to invite anyone to
            wanted = None
        if booking is None or booking.cancelled or as_utc(booking.start_at) <= now:
            if wanted is None:
                continue
            if booking is None:
                booking = Booking(learner_id=learner_id, sequence=0, cancelled=False)
                session.add(booking)
            else:
                booking.sequence, booking.cancelled = booking.sequence + 1, False
            booking.uid, booking.review_id = booking_uid(wanted.review_id), wanted.review_id
            booking.start_at, booking.minutes, booking.updated_at = wanted.start, wanted.minutes, now
            session.flush()
            queued += _send(session, learner, booking, "REQUEST", "invite")
        elif wanted is None:
            booking.sequence, booking.cancelled, booking.updated_at = booking.sequence + 1, True, now
            session.flush()
            queued += _send(session, learner, booking, "CANCEL", "cancel")
        elif (as_utc(booking.start_at), booking.minutes) != (wanted.start, wanted.minutes):
            booking.sequence, booking.review_id = booking.sequence + 1, wanted.review_id
            booking.start_at, booking.minutes, booking.updated_at = wanted.start, wanted.minutes, now
            session.flush()
            queued += _send(session, learner, booking, "REQUEST", "update")
    return queued


def after_push(session: Session, review_ids: Iterable[str], learner_ids: Iterable[str]) -> int:
    """The bookings of the learners a push touched: its reviews' learners and its learners."""
    learners = set(learner_ids)
    reviews = list(set(review_ids))
    if reviews:
        session.flush()
        learners.update(session.scalars(select(Review.learner_id).where(Review.id.in_(reviews))))
    return refresh(session, learners) if learners else 0


def send_reminders(session: Session, now: dt.datetime) -> int:
    """The reminder of each live booking whose review is within the reminder's lead, once per booking and time."""
    from .mail import MailError, enqueue

    days = reminder_days(session)
    if days == 0:
        return 0
    lead = dt.timedelta(days=days)
    queued = 0
    due = session.scalars(select(Booking).where(Booking.cancelled.is_(False), Booking.start_at > now,
                                                Booking.start_at <= now + lead))
    for booking in list(due):
        learner = session.get(Learner, booking.learner_id)
        if learner is None:
            continue
        _organiser, attendees = _people(session, learner, booking.review_id)
        start = as_utc(booking.start_at)
        when = format_booking(start)
        for person in attendees:
            key = f"booking_reminder:{booking.uid}:{start.isoformat()}:{person.email.lower()}"
            try:
                enqueue(session, to=person.email, subject=f"Reminder: progress review on {when}",
                        text=f"A reminder: your apprenticeship progress review is on {when} (UK time).",
                        kind="booking_reminder", key=key)
                queued += 1
            except MailError:
                continue
    return queued
