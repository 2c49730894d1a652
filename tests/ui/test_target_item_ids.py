"""Each new target in the wizard carries an id, kept while it is edited (issue 19): the server merges a draft's
new-targets list per target only when every item has one, so two laptops editing different targets both keep
theirs. A carried target's item takes the carried target's id, so two laptops carrying it make one item."""

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from reviewapp.core.review_rules import ReviewContext
from reviewapp.core.templates import load_template
from reviewapp.ui.wizard.editors import TargetListEditor

TEMPLATE = load_template("apprenticeship-progress-review")


def _editor(qtbot) -> TargetListEditor:  # type: ignore[no-untyped-def]
    question = next(q for s in TEMPLATE.sections for q in s.questions if q.type == "target_list")
    editor = TargetListEditor(question, ReviewContext(review_id="r1"))
    qtbot.addWidget(editor)
    return editor


def test_each_target_has_its_own_id_kept_while_it_is_edited(qtbot) -> None:  # type: ignore[no-untyped-def]
    editor = _editor(qtbot)
    for text in ("Finish unit 4", "Book the exam"):
        qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
        QTest.keyClicks(editor.rows[-1].text, text)
    first, second = editor.value()
    assert first["id"] and second["id"] and first["id"] != second["id"]
    QTest.keyClicks(editor.rows[0].text, " by Friday")
    assert [item["id"] for item in editor.value()] == [first["id"], second["id"]]
    reopened = _editor(qtbot)
    reopened.set_value(editor.value())
    assert reopened.value() == editor.value()  # the ids travel with the answer, not made afresh on each opening


def test_a_carried_target_without_an_id_takes_the_carried_targets(qtbot) -> None:  # type: ignore[no-untyped-def]
    editor = _editor(qtbot)
    editor.set_value([{"text": "Write a reflective account", "due_date": None, "actions": [],
                       "carried_from_id": "t-not-met"}, {"text": "An older draft's target", "actions": []}])
    carried, older = editor.value()
    assert carried["id"] == "t-not-met" and older["id"] and older["id"] != "t-not-met"
