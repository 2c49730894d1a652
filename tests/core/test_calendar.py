"""The next review as an .ics file: parses back, London time, attendees with emails, UID stable per review."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar

from reviewapp.core.calendar import Attendee, next_review_ics, review_event_uid

STAMP = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def event_of(data: bytes):
    calendar = Calendar.from_ical(data)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    return calendar, events[0]


def test_event_is_at_ten_london_time_in_summer_and_winter() -> None:
    for day, utc_hour in ((dt.date(2026, 7, 6), 9), (dt.date(2026, 12, 7), 10)):
        calendar, event = event_of(next_review_ics(review_id="r-1", date=day, learner_name="Priya Shah",
                                                    stamp=STAMP))
        start = event.decoded("dtstart")
        assert start.date() == day and start.hour == 10
        assert start.tzinfo is not None and str(start.tzinfo) == "Europe/London"
        assert start.astimezone(dt.UTC).hour == utc_hour
        assert event.decoded("dtend") - start == dt.timedelta(minutes=90)
        assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]


def test_attendees_with_emails_are_invited_and_others_left_out() -> None:
    data = next_review_ics(
        review_id="r-1", date=dt.date(2026, 4, 27), learner_name="Priya Shah", location="Head office, Leeds",
        attendees=(Attendee("Priya Shah", "priya.shah@example.co.uk"), Attendee("Tom Clarke", ""),
                   Attendee("Jo Bell", "jo.bell@example.co.uk")),
        organiser=Attendee("Sam Jones", "sam.jones@provider.ac.uk"), stamp=STAMP)
    _, event = event_of(data)
    attendees = event.get("attendee")
    emails = [str(a) for a in attendees]
    assert emails == ["mailto:priya.shah@example.co.uk", "mailto:jo.bell@example.co.uk"]
    assert attendees[0].params["CN"] == "Priya Shah"
    assert str(event["organizer"]) == "mailto:sam.jones@provider.ac.uk"
    assert str(event["location"]) == "Head office, Leeds"
    assert "Priya Shah" in str(event["summary"])


def test_uid_is_stable_per_review_and_differs_between_reviews() -> None:
    first = event_of(next_review_ics(review_id="r-1", date=dt.date(2026, 4, 27), learner_name="A"))[1]
    moved = event_of(next_review_ics(review_id="r-1", date=dt.date(2026, 5, 4), learner_name="A"))[1]
    other = event_of(next_review_ics(review_id="r-2", date=dt.date(2026, 4, 27), learner_name="A"))[1]
    assert str(first["uid"]) == str(moved["uid"]) == review_event_uid("r-1")
    assert str(other["uid"]) != str(first["uid"])


def test_same_inputs_give_the_same_bytes() -> None:
    def make() -> bytes:
        return next_review_ics(review_id="r-1", date=dt.date(2026, 4, 27), learner_name="A", stamp=STAMP)

    assert make() == make()


@given(st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2035, 12, 31)),
       st.times(), st.text(min_size=1, max_size=60).filter(str.strip))
def test_any_date_and_time_round_trips(day: dt.date, start: dt.time, name: str) -> None:
    _, event = event_of(next_review_ics(review_id="r", date=day, start_time=start.replace(microsecond=0),
                                        learner_name=name, stamp=STAMP))
    decoded = event.decoded("dtstart")
    expected = dt.datetime.combine(day, start.replace(microsecond=0), tzinfo=ZoneInfo("Europe/London"))
    assert decoded == expected


def test_a_booking_is_a_request_with_an_organiser_and_a_cancel_says_so() -> None:
    import pytest
    import vobject

    from reviewapp.core.calendar import BookedReview, booking_ics

    booking = BookedReview(uid="next-review-r-1@reviewapp", learner_name="Priya Shah", duration=dt.timedelta(hours=1),
                           start=dt.datetime(2026, 10, 26, 14, 30, tzinfo=ZoneInfo("Europe/London")))
    people = (Attendee("Priya Shah", "priya.shah@example.co.uk"),)
    organiser = Attendee("Sam Jones", "sam.jones@provider.ac.uk")
    with pytest.raises(ValueError, match="organiser"):  # RFC 5545: a meeting with attendees has an organiser
        booking_ics(booking, attendees=people)
    request = booking_ics(booking, organiser=organiser, attendees=people, sequence=0, stamp=STAMP)
    calendar, event = event_of(request)
    assert (str(calendar["method"]), int(event["sequence"]), str(event["status"])) == ("REQUEST", 0, "CONFIRMED")
    assert str(event["organizer"]) == "mailto:sam.jones@provider.ac.uk"
    parsed = vobject.readOne(request.decode())
    assert parsed.vevent.dtstart.value.utcoffset() == dt.timedelta(0)  # after the clocks went back: GMT
    assert parsed.vevent.dtstart.value.hour == 14
    cancel = booking_ics(booking, method="CANCEL", organiser=organiser, attendees=people, sequence=1, stamp=STAMP)
    calendar, event = event_of(cancel)
    assert (str(calendar["method"]), int(event["sequence"]), str(event["status"])) == ("CANCEL", 1, "CANCELLED")
    assert str(event["uid"]) == "next-review-r-1@reviewapp"
    assert not list(event.walk("VALARM"))  # no reminder for what is not happening
    plain = event_of(booking_ics(booking, method=None, stamp=STAMP))[0]
    assert "method" not in plain  # the laptop's file: an event to add, not a scheduling message
