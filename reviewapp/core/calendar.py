"""An "add to calendar" file for the next review, for the learner and the employer to open on their own devices.

Agreeing the next date at the end of a review only helps if it reaches everyone's diary. An .ics file works with
Outlook, Google and Apple calendars without any account or connection, so it suits an assessor offline on site.
Times are Europe/London with the time zone written into the file, so a review at 10:00 stays at 10:00 either side
of a clock change. The UID is fixed per review, so opening a corrected file updates the event instead of adding a
second one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from icalendar import Alarm, Calendar, Event, vCalAddress, vText

from reviewapp.core.dates import LONDON, format_date, parse_time, utc_now

DEFAULT_START = dt.time(10, 0)
DEFAULT_DURATION = dt.timedelta(minutes=90)
#: How long a booked review lasts when the wizard recorded no length (issue 17 item 3).
BOOKING_DURATION = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Attendee:
    name: str
    email: str
    role: str = "REQ-PARTICIPANT"


def review_event_uid(review_id: str) -> str:
    """The calendar UID for the review booked at the end of `review_id`; stable, so re-sent files update."""
    return f"next-review-{review_id}@reviewapp"


def booking_uid(review_id: str) -> str:
    """The UID of a booking first made by `review_id`: the same as that review's .ics file, so the server's
    invitation and the file the assessor saved are one event in a diary."""
    return review_event_uid(review_id)


@dataclass(frozen=True)
class BookedReview:
    """A learner's next review as booked: when (Europe/London), for how long, and who it is for."""

    uid: str
    start: dt.datetime
    duration: dt.timedelta
    learner_name: str
    programme: str = ""
    location: str = ""

    @property
    def end(self) -> dt.datetime:
        return self.start + self.duration


def booked_start(date: dt.date, time_text: str | None) -> dt.datetime:
    """The booked start in Europe/London: `time_text` "HH:MM" as recorded, DEFAULT_START when none was."""
    start_time = parse_time(time_text) or DEFAULT_START
    return dt.datetime.combine(date, start_time, tzinfo=LONDON)


def booked_duration(minutes: object) -> dt.timedelta:
    """The booked length: `minutes` as recorded (5 minutes to 8 hours), BOOKING_DURATION when none was."""
    if isinstance(minutes, int | float) and not isinstance(minutes, bool) and 5 <= minutes <= 480:
        return dt.timedelta(minutes=int(minutes))
    return BOOKING_DURATION


def format_booking(start: dt.datetime) -> str:
    """DD/MM/YYYY HH:MM, London time."""
    local = start.astimezone(LONDON)
    return f"{format_date(local.date())} {local:%H:%M}"


def booking_ics(
    booking: BookedReview,
    *,
    method: str | None = "REQUEST",
    sequence: int = 0,
    organiser: Attendee | None = None,
    attendees: tuple[Attendee, ...] = (),
    stamp: dt.datetime | None = None,
) -> bytes:
    """The one iCalendar event of a booked review (RFC 5545/5546), for the laptop's file and the server's e-mails.

    `method` "REQUEST" (an invitation or, with a higher `sequence`, an update), "CANCEL" (STATUS:CANCELLED), or
    None for a plain file to open (no scheduling method). An event with attendees has an ORGANIZER (RFC 5545).
    Attendees without an e-mail address are left out, since a calendar cannot invite them; pass `stamp` for
    reproducible bytes (tests), otherwise it is now.
    """
    if method not in (None, "REQUEST", "CANCEL"):
        raise ValueError(f"unknown iTIP method {method!r}")
    invited = tuple(a for a in attendees if a.email.strip())
    if invited and (organiser is None or not organiser.email.strip()):
        raise ValueError("an event with attendees needs an organiser with an e-mail address (RFC 5545)")
    start = booking.start.astimezone(LONDON)
    calendar = Calendar()
    calendar.add("prodid", "-//ReviewApp//Progress reviews//EN")
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)

    event = Event()
    event.add("uid", booking.uid)
    event.add("dtstamp", stamp or utc_now())
    event.add("sequence", sequence)
    event.add("dtstart", start)
    event.add("dtend", start + booking.duration)
    event.add("summary", f"Apprenticeship progress review: {booking.learner_name}")
    details = [f"Progress review for {booking.learner_name}"
               + (f" ({booking.programme})" if booking.programme else "") + "."]
    details.append("The learner, the employer's representative and the assessor should all take part.")
    details.append(f"Booked for {format_booking(start)} (UK time).")
    event.add("description", "\n".join(details))
    if booking.location:
        event.add("location", booking.location)
    if organiser is not None and organiser.email.strip():
        event.add("organizer", _address(organiser, with_role=False))
    for attendee in invited:
        event.add("attendee", _address(attendee, with_role=True))
    if method == "CANCEL":
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
        reminder = Alarm()
        reminder.add("action", "DISPLAY")
        reminder.add("description", f"Progress review tomorrow: {booking.learner_name}")
        reminder.add("trigger", dt.timedelta(days=-1))
        event.add_component(reminder)

    calendar.add_component(event)
    # Only the rules around the event, not every clock change since 1970: a small file that still says exactly
    # when 10:00 London time is.
    calendar.add_missing_timezones(first_date=dt.date(start.year - 1, 1, 1), last_date=dt.date(start.year + 2, 1, 1))
    return calendar.to_ical()


def next_review_ics(
    *,
    review_id: str,
    date: dt.date,
    learner_name: str,
    start_time: dt.time = DEFAULT_START,
    duration: dt.timedelta = DEFAULT_DURATION,
    location: str = "",
    attendees: tuple[Attendee, ...] = (),
    organiser: Attendee | None = None,
    programme: str = "",
    stamp: dt.datetime | None = None,
) -> bytes:
    """The .ics bytes the laptop saves for the next review: `booking_ics` without a scheduling method (a file to
    open, not an invitation), with a reminder the day before. Attendees are listed only with an organiser."""
    booking = BookedReview(uid=review_event_uid(review_id), start=dt.datetime.combine(date, start_time, tzinfo=LONDON),
                           duration=duration, learner_name=learner_name, programme=programme, location=location)
    listed = attendees if organiser is not None and organiser.email.strip() else ()
    return booking_ics(booking, method=None, organiser=organiser, attendees=listed, stamp=stamp)


def _address(person: Attendee, *, with_role: bool) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email.strip()}")
    address.params["cn"] = vText(person.name)
    if with_role:
        address.params["role"] = vText(person.role)
        address.params["partstat"] = vText("NEEDS-ACTION")
        address.params["rsvp"] = vText("TRUE")
    return address
