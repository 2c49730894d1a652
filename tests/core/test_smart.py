"""SMART checker: a good target passes; each kind of vague target gets its own warning."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewapp.core.smart import MAX_WORDS, SmartIssue, check_target, check_target_items

NEXT_REVIEW = dt.date(2026, 4, 27)
TODAY = dt.date(2026, 3, 2)
GOOD = "Complete the stock-take spreadsheet for April and present it to the office manager"


def issues(text: str, due: dt.date | None = dt.date(2026, 4, 17)) -> list[SmartIssue]:
    return [w.issue for w in check_target(text, due, next_review_date=NEXT_REVIEW, today=TODAY)]


@pytest.mark.parametrize("text", [
    GOOD,
    "Write a 500-word reflective account of chairing two team meetings",
    "Demonstrating safe use of the pallet truck to the supervisor on three occasions",
    "Attend the two-day first aid course and upload the certificate to the portfolio",
    "Improve typing speed to 40 words per minute, checked with an online test",
])
def test_good_targets_get_no_warnings(text: str) -> None:
    assert issues(text) == []


def test_no_due_date() -> None:
    assert issues(GOOD, None) == [SmartIssue.NO_DUE_DATE]


def test_due_after_the_next_review_names_both_dates() -> None:
    warnings = check_target(GOOD, dt.date(2026, 5, 15), next_review_date=NEXT_REVIEW)
    assert [w.issue for w in warnings] == [SmartIssue.DUE_AFTER_NEXT_REVIEW]
    assert "15/05/2026" in warnings[0].message and "27/04/2026" in warnings[0].message


def test_due_in_the_past() -> None:
    assert issues(GOOD, dt.date(2026, 2, 1)) == [SmartIssue.DUE_IN_PAST]


def test_no_action_verb() -> None:
    assert issues("The stock-take spreadsheet for April for the office manager") == [SmartIssue.NO_ACTION_VERB]


@pytest.mark.parametrize(("text", "word"), [
    ("Try to complete the workbook before the next review", "try"),
    ("Complete work to improve communication with customers", "improve"),
    ("Write better emails to customers and suppliers", "better"),
    ("Learn about health and safety legislation at work", "learn"),
])
def test_vague_words_without_a_measure(text: str, word: str) -> None:
    warnings = check_target(text, dt.date(2026, 4, 17))
    vague = [w for w in warnings if w.issue == SmartIssue.VAGUE_WORD]
    assert len(vague) == 1 and f"“{word}”" in vague[0].message


def test_too_short_and_too_long() -> None:
    assert SmartIssue.TOO_SHORT in issues("Do workbook")
    long_text = "Complete " + " ".join(["the"] * MAX_WORDS) + " unit"
    assert SmartIssue.TOO_LONG in issues(long_text)
    assert SmartIssue.TOO_LONG not in issues(" ".join(["Complete", *["the"] * (MAX_WORDS - 1)]))


def test_items_from_a_review_are_checked_by_position() -> None:
    items = [{"text": GOOD, "due_date": "2026-04-17"}, {"text": "", "due_date": None},
             {"text": "Try harder", "due_date": None}]
    found = check_target_items(items, next_review_date=NEXT_REVIEW, today=TODAY)
    assert list(found) == [2]
    assert {w.issue for w in found[2]} >= {SmartIssue.NO_DUE_DATE, SmartIssue.TOO_SHORT, SmartIssue.VAGUE_WORD}


@given(st.text(max_size=400), st.one_of(st.none(), st.dates()))
def test_the_checker_never_fails_and_every_warning_has_words(text: str, due: dt.date | None) -> None:
    for warning in check_target(text, due, next_review_date=NEXT_REVIEW, today=TODAY):
        assert isinstance(warning.issue, SmartIssue) and len(warning.message) > 20


def test_a_change_verb_counts_as_action_only_with_a_measure() -> None:
    assert SmartIssue.NO_ACTION_VERB not in issues("Reduce picking errors to fewer than 2 a week by checking labels")
    assert SmartIssue.NO_ACTION_VERB in issues("Reduce picking errors on the night shift")
