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

from reviewapp.core.dates import LONDON, format_date, utc_now

DEFAULT_START = dt.time(10, 0)
DEFAULT_DURATION = dt.timedelta(minutes=90)


@dataclass(frozen=True)
class Attendee:
    name: str
    email: str
    role: str = "REQ-PARTICIPANT"


def review_event_uid(review_id: str) -> str:
    """The calendar UID for the review booked at the end of `review_id`; stable, so re-sent files update."""
    return f"next-review-{review_id}@reviewapp"


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
    """The .ics bytes for the next review: one event in Europe/London time, with a reminder the day before.

    Attendees without an email address are left out, since a calendar cannot invite them; pass `stamp` for
    reproducible bytes (tests), otherwise it is now.
    """
    start = dt.datetime.combine(date, start_time, tzinfo=LONDON)
    calendar = Calendar()
    calendar.add("prodid", "-//ReviewApp//Progress reviews//EN")
    calendar.add("version", "2.0")

    event = Event()
    event.add("uid", review_event_uid(review_id))
    event.add("dtstamp", stamp or utc_now())
    event.add("dtstart", start)
    event.add("dtend", start + duration)
    event.add("summary", f"Apprenticeship progress review: {learner_name}")
    details = [f"Progress review for {learner_name}" + (f" ({programme})" if programme else "") + "."]
    details.append("The learner, the employer's representative and the assessor should all take part.")
    details.append(f"Date agreed: {format_date(date)} at {start_time:%H:%M} (UK time).")
    event.add("description", "\n".join(details))
    if location:
        event.add("location", location)
    if organiser is not None and organiser.email:
        event.add("organizer", _address(organiser, with_role=False))
    for attendee in attendees:
        if attendee.email.strip():
            event.add("attendee", _address(attendee, with_role=True))

    reminder = Alarm()
    reminder.add("action", "DISPLAY")
    reminder.add("description", f"Progress review tomorrow: {learner_name}")
    reminder.add("trigger", dt.timedelta(days=-1))
    event.add_component(reminder)

    calendar.add_component(event)
    # Only the rules around the event, not every clock change since 1970: a small file that still says exactly
    # when 10:00 London time is.
    calendar.add_missing_timezones(first_date=dt.date(date.year - 1, 1, 1), last_date=dt.date(date.year + 2, 1, 1))
    return calendar.to_ical()


def _address(person: Attendee, *, with_role: bool) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email.strip()}")
    address.params["cn"] = vText(person.name)
    if with_role:
        address.params["role"] = vText(person.role)
        address.params["partstat"] = vText("NEEDS-ACTION")
        address.params["rsvp"] = vText("TRUE")
    return address
