"""Dates as assessors type them: day first, any common separator, two-digit years, and a clear word when wrong."""

import datetime as dt

import pytest

from reviewapp.core.dates import parse_typed_date, parse_uk_date

JAN_16_2027 = dt.date(2027, 1, 16)


@pytest.mark.parametrize("typed", [
    "16/01/2027", "16/1/2027", "16/1/27", "16/01/27", "16-1-2027", "16-01-27", "16.1.2027", "16 1 2027",
    " 16/01/2027 ", "16 / 01 / 2027", "2027-01-16", "2027-1-16", "16012027", "160127",
])
def test_every_common_way_of_typing_a_date_gives_the_date(typed):
    assert parse_typed_date(typed) == JAN_16_2027


def test_the_day_comes_first_as_in_the_uk():
    assert parse_typed_date("03/04/2027") == dt.date(2027, 4, 3)


@pytest.mark.parametrize(("typed", "year"), [("1/1/00", 2000), ("1/1/27", 2027), ("1/1/99", 2099)])
def test_a_two_digit_year_is_this_century(typed, year):
    assert parse_typed_date(typed) == dt.date(year, 1, 1)


@pytest.mark.parametrize("blank", ["", "   ", "\t"])
def test_a_blank_field_is_no_date_not_an_error(blank):
    assert parse_typed_date(blank) is None


@pytest.mark.parametrize(("typed", "says"), [
    ("31/02/2027", "February 2027 has no day 31"),
    ("29/02/2027", "February 2027 has no day 29"),
    ("00/01/2027", "January 2027 has no day 0"),
    ("16/13/2027", "there is no month 13"),
    ("16/01/202", "give the year as four digits"),  # half-typed: never taken for 0202 or 2020
    ("16/01/2", "give the year as four digits"),
    ("16/01", "give the day, the month and the year"),
    ("Not set16012027", "give the day, the month and the year"),
    ("next tuesday", "give the day, the month and the year"),
    ("16/01/1066", "too long ago"),
])
def test_what_is_not_a_date_is_refused_saying_why_and_how(typed, says):
    with pytest.raises(ValueError) as caught:
        parse_typed_date(typed)
    message = str(caught.value)
    assert says in message and f"“{typed}”" in message and "DD/MM/YYYY" in message


def test_a_leap_day_is_a_date():
    assert parse_typed_date("29/2/28") == dt.date(2028, 2, 29)


def test_parse_uk_date_refuses_a_blank():
    with pytest.raises(ValueError, match="nothing was typed"):
        parse_uk_date("")
    assert parse_uk_date("16/1/27") == JAN_16_2027
