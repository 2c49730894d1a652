"""Each question's help says what to do with the control the wizard shows for it.

"Tick if…" sat above a Yes/No drop-down (the flags of the health and safety and equality steps): an assessor looked
for a box that was not there. The rule, over every current template: only a question drawn with tick boxes may say
"tick", and only one drawn with choices may say "choose" or "select". Versions kept for past reviews
(`<id>.v<n>.json`) are left as they were signed.
"""

from __future__ import annotations

import re

import pytest

from reviewapp.core.resources import resource_path
from reviewapp.core.templates import Question, load_template

#: Question types the wizard draws with tick boxes (multi-choice options; a followed-up target's "Carry forward").
TICK_BOX_TYPES = frozenset({"multi_choice", "previous_targets"})
#: Question types the wizard draws with something to choose from (a drop-down, tick boxes, an outcome per target).
CHOICE_TYPES = frozenset({"choice", "rag", "yes_no", "flag", "multi_choice", "previous_targets"})

CURRENT = [path for path in sorted(resource_path("templates").glob("*.json")) if ".v" not in path.stem]
QUESTIONS = [pytest.param(question, id=f"{path.stem}:{question.id}")
             for path in CURRENT for _section, question in load_template(path).questions() if question.help]


def test_there_are_current_templates_with_help_to_check() -> None:
    assert len(CURRENT) >= 2 and len(QUESTIONS) > 50


@pytest.mark.parametrize("question", QUESTIONS)
def test_help_says_tick_only_above_tick_boxes(question: Question) -> None:
    if question.type not in TICK_BOX_TYPES:
        assert not re.search(r"\btick", question.help, re.IGNORECASE), (
            f"{question.id} is a {question.type} question (no tick box) but its help says: {question.help}")


@pytest.mark.parametrize("question", QUESTIONS)
def test_help_says_choose_only_above_choices(question: Question) -> None:
    if question.type not in CHOICE_TYPES:
        assert not re.search(r"\b(choose|select)\b", question.help, re.IGNORECASE), (
            f"{question.id} is a {question.type} question (nothing to choose from) but its help says: {question.help}")


def test_the_flags_say_which_answer_to_choose() -> None:
    template = load_template("apprenticeship-progress-review")
    for question_id in ("hs_concern", "edi_concern"):
        assert template.question(question_id).help.startswith("Choose Yes if ")


def test_the_template_whose_help_changed_is_a_new_version_and_the_old_one_is_kept() -> None:
    """Reviews made with version 1 still open and print with the words they were made with."""
    current = load_template("apprenticeship-progress-review")
    old = load_template("apprenticeship-progress-review", version=1)
    assert current.version == 3 and old.version == 1  # 3: the next review's time and length
    assert old.question("hs_concern").help.startswith("Tick if ")
