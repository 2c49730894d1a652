"""Which answers of a review raise a safeguarding or learning support case, and for whom: ONE rule, read from the
template (each question's `raises_case`, see `reviewapp.core.templates.RaisesCase`), used by the server when a
review reaches it (drafts too: the template tells assessors not to wait for finalising) and by the laptop to say,
before a sync, that a case will open.

A review raises at most one case per route: every answer that raises the safeguarding route goes into the one
safeguarding case, the most urgent of them setting its urgency.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reviewapp.core.dates import LONDON
from reviewapp.core.templates import CASE_ROUTES, Question, Template

#: Most urgent first.
URGENCIES: tuple[str, ...] = ("urgent", "routine")
ROUTE_NAMES = {"safeguarding": "Safeguarding", "learning_support": "Learning support"}
#: Who works a route's cases, in words.
ROUTE_OWNERS = {"safeguarding": "the designated safeguarding lead", "learning_support": "the learning support officer"}


@dataclass(frozen=True)
class Concern:
    """One answer that raises a case: the question, the route, how urgent, and what was recorded."""

    question_id: str
    label: str
    route: str
    urgency: str
    #: What the assessor recorded: a flag's detail, or the words of the option chosen.
    recorded: str


@dataclass(frozen=True)
class CaseToOpen:
    """What one review raises for one route: the concerns behind it and the most urgent of their urgencies."""

    route: str
    urgency: str
    concerns: tuple[Concern, ...]


def _raises(question: Question, answer: Any) -> str | None:
    """What was recorded when `answer` raises the question's case, else None."""
    rule = question.raises_case
    if rule is None or answer is None:
        return None
    if question.type == "flag":
        if isinstance(answer, Mapping) and answer.get("raised") is True:
            detail = answer.get("detail")
            return detail.strip() if isinstance(detail, str) else ""
        return None
    if question.type == "yes_no":
        return question.option_label(answer) if isinstance(answer, bool) and answer in (rule.when or []) else None
    if isinstance(answer, str) and answer in (rule.when or []):
        return question.option_label(answer)
    return None


def concerns_in(template: Template, answers: Mapping[str, Any],
                record_fields: Mapping[str, Any] | None = None) -> list[Concern]:
    """Every answer of `answers` that raises a case, in the template's order. A question answered through a record
    field (the welfare rating) is read from `record_fields` when the answers do not hold it."""
    found: list[Concern] = []
    for _, question in template.questions():
        if question.raises_case is None:
            continue
        answer = answers.get(question.id)
        if answer is None and record_fields and question.record_field:
            answer = record_fields.get(question.record_field)
        recorded = _raises(question, answer)
        if recorded is not None:
            found.append(Concern(question.id, question.printed_label, question.raises_case.route,
                                 question.raises_case.urgency, recorded))
    return found


def cases_to_open(template: Template, answers: Mapping[str, Any],
                  record_fields: Mapping[str, Any] | None = None) -> list[CaseToOpen]:
    """One `CaseToOpen` per route the answers raise (routes in `CASE_ROUTES` order), none when nothing does."""
    concerns = concerns_in(template, answers, record_fields)
    cases = []
    for route in CASE_ROUTES:
        mine = tuple(c for c in concerns if c.route == route)
        if mine:
            urgency = min((c.urgency for c in mine), key=URGENCIES.index)
            cases.append(CaseToOpen(route, urgency, mine))
    return cases


#: A case's state in words, as the laptop and the case page show it.
CASE_STATE_WORDS = {"open": "Waiting to be acknowledged", "acknowledged": "Acknowledged", "referred": "Referred on",
                    "closed": "Closed"}


def case_state_words(state: str, state_by: str = "", state_at: dt.datetime | None = None,
                     now: dt.datetime | None = None) -> str:
    """"Acknowledged by the safeguarding lead, 14:02": the time in Europe/London, with the date when not today."""
    words = CASE_STATE_WORDS.get(state, state)
    if state_by:
        words += f" by {state_by}"
    if state_at is not None:
        at = (state_at if state_at.tzinfo else state_at.replace(tzinfo=dt.UTC)).astimezone(LONDON)
        today = (now or dt.datetime.now(dt.UTC)).astimezone(LONDON).date()
        words += f", {at:%H:%M}" if at.date() == today else f", {at:%d/%m/%Y %H:%M}"
    return words
