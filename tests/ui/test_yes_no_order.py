"""Yes/No in one order everywhere: every yes/no question and every flag of every template, in the wizard and on the
paper form. The flags offered "No, Yes" beside yes/no questions offering "Yes, No", so at speed an assessor picked
the wrong one; the order now comes from one rule (templates.YES_NO_CHOICES) at render time, and this checks it."""

from __future__ import annotations

import pytest
from reportlab.platypus import Paragraph

from reviewapp.core.resources import resource_path
from reviewapp.core.review_rules import ReviewContext
from reviewapp.core.templates import YES_NO_CHOICES, load_template
from reviewapp.reports.blank_form import _answer_space
from reviewapp.reports.layout import styles
from reviewapp.ui.wizard.editors import editor_for

TEMPLATE_FILES = sorted(resource_path("templates").glob("*.json"))  # current versions and those kept for old reviews
YES_NO_QUESTIONS = [
    pytest.param(path.name, question.id, id=f"{path.stem}:{question.id}")
    for path in TEMPLATE_FILES
    for _section, question in load_template(path).questions()
    if question.type in ("yes_no", "flag") and not question.derived
]


def _question(file_name: str, question_id: str):
    return load_template(resource_path("templates") / file_name).question(question_id)


def test_there_are_yes_no_questions_and_flags_to_check() -> None:
    kinds = {_question(name, qid).type for name, qid in (p.values for p in YES_NO_QUESTIONS)}
    assert kinds == {"yes_no", "flag"}
    assert [label for _value, label in YES_NO_CHOICES] == ["Yes", "No"]


@pytest.mark.parametrize(("file_name", "question_id"), YES_NO_QUESTIONS)
def test_the_wizard_offers_yes_then_no(qtbot, file_name: str, question_id: str) -> None:
    editor = editor_for(_question(file_name, question_id), ReviewContext(review_id="review-1"))
    qtbot.addWidget(editor)
    combo = editor.combo
    offered = [(combo.itemData(i), combo.itemText(i)) for i in range(1, combo.count())]
    assert combo.itemData(0) is None  # "— Choose —": nothing is answered for the assessor
    assert offered == [(True, "Yes"), (False, "No")]
    for value, _label in offered:  # and a stored answer comes back as the same choice
        stored = {"raised": value, "detail": "x"} if editor.question.type == "flag" else value
        editor.set_value(stored)
        assert combo.currentData() is value


@pytest.mark.parametrize(("file_name", "question_id"), YES_NO_QUESTIONS)
def test_the_paper_form_prints_yes_then_no(file_name: str, question_id: str) -> None:
    flowables = _answer_space(_question(file_name, question_id), styles())
    text = " ".join(f.text for f in flowables if isinstance(f, Paragraph))
    assert "Yes" in text and "No" in text
    assert text.index("Yes") < text.index("No")
