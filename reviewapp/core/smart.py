"""A SMART check on targets: warnings, never a block, about targets too vague to follow up.

Inspectors look for targets that say what the learner will do, by when, in a way that can be checked at the next
review. Assessors write them at speed on site, so the wizard points out the usual slips — no date, a date after the
next review, "improve" or "understand" with nothing to measure — and leaves the judgement to the assessor.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from reviewapp.core.dates import format_date

MIN_WORDS = 5
MAX_WORDS = 40


class SmartIssue(StrEnum):
    NO_DUE_DATE = "no_due_date"
    DUE_IN_PAST = "due_in_past"
    DUE_AFTER_NEXT_REVIEW = "due_after_next_review"
    NO_ACTION_VERB = "no_action_verb"
    VAGUE_WORD = "vague_word"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"


@dataclass(frozen=True)
class SmartWarning:
    issue: SmartIssue
    message: str


#: Verbs whose result can be seen or checked at the next review (the first word of most good targets).
_ACTION_VERB_WORDS = """
    achieve analyse apply arrange assemble attend book build calculate carry check complete compare conduct create
    deliver demonstrate describe design develop draft draw evaluate explain fill finish fit give identify install
    interview label lead list log maintain make measure observe organise pass perform plan practise prepare present
    produce read record reflect repair research review revise run schedule set shadow share show sit solve spend
    submit summarise test train update upload use visit write
"""
ACTION_VERBS = frozenset(_ACTION_VERB_WORDS.split())

#: Verbs of change that are measurable only with a figure: "Improve typing to 40 words a minute" is a target,
#: "Improve typing" is not.
CHANGE_VERBS = frozenset({"improve", "increase", "reduce", "raise", "cut", "speed"})

#: Words that sound like a target but cannot be checked unless a measure comes with them.
VAGUE_WORDS = ("try", "improve", "better", "understand", "know", "learn", "familiarise", "be aware", "look at",
               "work on", "more", "continue", "get to grips", "develop confidence", "become confident")

_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|fifty|hundred|all|every|each|"
    r"half|weekly|daily|monthly)\b"
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def check_target(
    text: str,
    due_date: dt.date | None,
    *,
    next_review_date: dt.date | None = None,
    today: dt.date | None = None,
) -> list[SmartWarning]:
    """Plain-English warnings about one target; an empty list means it reads as SMART."""
    warnings: list[SmartWarning] = []
    words = [w.lower() for w in _WORD.findall(text)]
    lowered = " ".join(text.lower().split())

    if due_date is None:
        warnings.append(SmartWarning(SmartIssue.NO_DUE_DATE,
                                     "No due date: give the date by which this should be done."))
    else:
        if today is not None and due_date < today:
            warnings.append(SmartWarning(SmartIssue.DUE_IN_PAST,
                                         f"The due date {format_date(due_date)} has already passed."))
        if next_review_date is not None and due_date > next_review_date:
            warnings.append(SmartWarning(
                SmartIssue.DUE_AFTER_NEXT_REVIEW,
                f"Due {format_date(due_date)}, after the next review on {format_date(next_review_date)}: "
                "it cannot be followed up then. Bring the date forward or split the target.",
            ))

    if len(words) < MIN_WORDS:
        warnings.append(SmartWarning(SmartIssue.TOO_SHORT,
                                     "Very short: say what the learner will do, to what standard, and how you "
                                     "will know it is done."))
    elif len(words) > MAX_WORDS:
        warnings.append(SmartWarning(SmartIssue.TOO_LONG,
                                     f"Long ({len(words)} words): a target over {MAX_WORDS} words is hard to "
                                     "check. Keep the target short and put the steps in its actions."))

    has_measure = bool(_NUMBER.search(lowered))
    opening = [_verb_stem(w) for w in words[:6]]
    if not any(w in ACTION_VERBS or (has_measure and w in CHANGE_VERBS) for w in opening):
        warnings.append(SmartWarning(SmartIssue.NO_ACTION_VERB,
                                     "No action word near the start: begin with what the learner will do, such "
                                     "as “Complete”, “Write” or “Demonstrate”."))

    vague = [v for v in VAGUE_WORDS if re.search(rf"\b{re.escape(v)}\b", lowered)]
    if vague and not has_measure:
        warnings.append(SmartWarning(SmartIssue.VAGUE_WORD,
                                     f"“{vague[0]}” cannot be measured on its own: say how much, how many or "
                                     "what will show it has happened."))
    return warnings


def _verb_stem(word: str) -> str:
    """Accept "completes", "completing" and "completed" as "complete" — enough for target-writing English."""
    if word in ACTION_VERBS or word in CHANGE_VERBS:
        return word
    for suffix, replacement in (("ing", "e"), ("ing", ""), ("ed", "e"), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix):
            stem = word[: -len(suffix)] + replacement
            if stem in ACTION_VERBS or stem in CHANGE_VERBS:
                return stem
    return word


def check_target_items(
    items: Sequence[Mapping[str, Any]],
    *,
    next_review_date: dt.date | None = None,
    today: dt.date | None = None,
) -> dict[int, list[SmartWarning]]:
    """Warnings for the new-target answers of a review, keyed by position; targets without warnings are left out."""
    result: dict[int, list[SmartWarning]] = {}
    for index, item in enumerate(items):
        text = str(item.get("text") or "")
        if not text.strip():
            continue
        due = item.get("due_date")
        try:
            due_date = due if isinstance(due, dt.date) else dt.date.fromisoformat(due) if due else None
        except ValueError:
            due_date = None
        warnings = check_target(text, due_date, next_review_date=next_review_date, today=today)
        if warnings:
            result[index] = warnings
    return result
