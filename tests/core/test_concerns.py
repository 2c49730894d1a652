"""The one rule for which answers open a safeguarding or learning support case (reviewapp.core.concerns), read from
the template's `raises_case` keys."""

from __future__ import annotations

import json

import pytest

from reviewapp.core.concerns import cases_to_open, concerns_in
from reviewapp.core.templates import TemplateError, load_template, parse_template, templates_dir


def _quiet() -> dict:
    return {"hs_concern": {"raised": False, "detail": ""}, "sg_concern": {"raised": False, "detail": ""},
            "edi_concern": {"raised": False, "detail": ""}, "refer_safeguarding": {"raised": False, "detail": ""},
            "refer_learning_support": {"raised": False, "detail": ""},
            "employer_concern": {"raised": False, "detail": ""}, "welfare_rag": "green"}


@pytest.mark.parametrize("version", [1, 2])
def test_nothing_raised_opens_no_case(version: int) -> None:
    assert cases_to_open(load_template("apprenticeship-progress-review", version=version), _quiet()) == []


def test_a_referral_opens_one_safeguarding_case_with_what_was_recorded() -> None:
    template = load_template("apprenticeship-progress-review")
    answers = {**_quiet(), "refer_safeguarding": {"raised": True, "detail": " Threats from a lender. "}}
    [case] = cases_to_open(template, answers)
    assert (case.route, case.urgency) == ("safeguarding", "urgent")
    assert [(c.question_id, c.recorded) for c in case.concerns] == [("refer_safeguarding", "Threats from a lender.")]


def test_each_route_opens_once_and_the_most_urgent_answer_sets_its_urgency() -> None:
    template = load_template("apprenticeship-progress-review")
    answers = {**_quiet(), "edi_concern": {"raised": True, "detail": "Name-calling"}, "welfare_rag": "red",
               "refer_learning_support": {"raised": True, "detail": "Dyslexia screening"},
               "employer_concern": {"raised": True, "detail": "Attendance"}}
    cases = cases_to_open(template, answers)
    assert [(c.route, c.urgency) for c in cases] == [("safeguarding", "urgent"), ("learning_support", "routine")]
    assert [c.question_id for c in cases[0].concerns] == ["edi_concern", "welfare_rag"]
    assert cases[0].concerns[1].recorded.startswith("Red")
    assert [c.question_id for c in cases[1].concerns] == ["refer_learning_support", "employer_concern"]


def test_amber_welfare_alone_raises_nothing_but_red_does_even_from_the_record_field() -> None:
    template = load_template("apprenticeship-progress-review")
    assert concerns_in(template, {**_quiet(), "welfare_rag": "amber"}) == []
    answers = {k: v for k, v in _quiet().items() if k != "welfare_rag"}
    assert [c.question_id for c in concerns_in(template, answers, {"welfare_rag": "red"})] == ["welfare_rag"]


def test_answers_of_the_wrong_shape_raise_nothing() -> None:
    template = load_template("apprenticeship-progress-review")
    odd = {"refer_safeguarding": True, "sg_concern": "yes", "welfare_rag": ["red"], "hs_concern": {"raised": "true"}}
    assert concerns_in(template, odd) == []


def _with(question_id: str, rule: dict) -> dict:
    raw = json.loads((templates_dir() / "apprenticeship-progress-review.json").read_text(encoding="utf-8"))
    for section in raw["sections"]:
        for question in section.get("questions", []):
            if question["id"] == question_id:
                question["raises_case"] = rule
    return raw


@pytest.mark.parametrize(("question_id", "rule", "words"), [
    ("welfare_rag", {"route": "safeguarding", "when": ["purple"]}, "does not offer: purple"),
    ("welfare_rag", {"route": "safeguarding"}, "needs 'when'"),
    ("sg_concern", {"route": "safeguarding", "when": ["red"]}, "takes no 'when'"),
    ("sg_discussion", {"route": "safeguarding"}, "cannot raise a case"),
    ("sg_concern", {"route": "police"}, "route"),
])
def test_a_template_with_a_wrong_rule_is_refused(question_id: str, rule: dict, words: str) -> None:
    with pytest.raises(TemplateError, match=words):
        parse_template(_with(question_id, rule))


def test_a_case_state_reads_in_words_and_london_time() -> None:
    import datetime as dt

    from reviewapp.core.concerns import case_state_words

    at = dt.datetime(2026, 7, 1, 13, 2, tzinfo=dt.UTC)  # 14:02 in London (BST)
    same_day = dt.datetime(2026, 7, 1, 20, 0, tzinfo=dt.UTC)
    assert case_state_words("acknowledged", "the safeguarding lead", at, same_day) == \
        "Acknowledged by the safeguarding lead, 14:02"
    assert case_state_words("closed", "a deputy safeguarding lead", at, same_day + dt.timedelta(days=2)) == \
        "Closed by a deputy safeguarding lead, 01/07/2026 14:02"
    assert case_state_words("open") == "Waiting to be acknowledged"
