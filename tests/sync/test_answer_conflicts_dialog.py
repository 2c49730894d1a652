"""The conflicts dialog with a real conflict between two laptops on one review (issue 19 item 2): the learner,
review and step, the question's label, both values in the wizard's words, the differences marked, who/device/when,
and the three choices; resolved conflicts stay readable under "Resolved"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from reviewapp.store import reviews
from reviewapp.store.models import Review
from reviewapp.ui.sync_conflicts import ConflictsDialog
from tests.sync.test_answer_conflicts_sync import _two_laptops_one_draft


def _conflicting(world: dict[str, Any]) -> tuple[Any, Any, str]:
    first, second, review_id = _two_laptops_one_draft(world)
    edits = {
        first: {"hs_discussion": "Talked about ladders and gloves on the building site.", "progress_rag": "amber",
                "english_exam_date": "2026-12-14"},
        second: {"hs_discussion": "Talked about ladders and goggles on the building site.", "progress_rag": "red",
                 "english_exam_date": "2027-01-11"},
    }
    for laptop, changes in edits.items():
        reviews.save_answers(laptop.store, review_id, changes)
    first.sync()
    second.sync()
    return first, second, review_id


def _row(dialog: ConflictsDialog, question: str) -> int:
    return next(r for r in range(dialog.model.rowCount()) if dialog.model.index(r, 1).data() == question)


def test_dialog_reads_as_a_person_wants_and_resolves_three_ways(qtbot, world: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    _first, second, review_id = _conflicting(world)
    dialog = ConflictsDialog(second.store)
    qtbot.addWidget(dialog)
    dialog.show()
    model = dialog.model
    assert model.rowCount() == 3
    rag = [model.index(_row(dialog, "Overall progress"), c).data() for c in range(model.columnCount())]
    assert rag[0].endswith("— Progress against the learning plan") and rag[0].count(" — ") == 2
    assert rag[2].startswith("Red — ") and rag[3].startswith("Amber — ")  # the options' labels, not "red"
    assert rag[4] == "alice"
    assert rag[5].count("/") == 2 and ":" in rag[5] and rag[6] == "alice-laptop"
    exam = [model.index(_row(dialog, "English: exam date"), c).data() for c in range(model.columnCount())]
    assert exam[2:4] == ["11/01/2027", "14/12/2026"]
    # Prose: side by side, the differing word marked on each side, and a combined value to edit.
    dialog.table.selectRow(_row(dialog, next(q for q in (model.index(r, 1).data() for r in range(3))
                                             if q.startswith("What did the learner say about health"))))
    assert "goggles" in dialog.mine_view.toPlainText() and "gloves" in dialog.theirs_view.toPlainText()
    assert "#ffe2b3" in dialog.mine_view.toHtml().lower() and "#cfe3ff" in dialog.theirs_view.toHtml().lower()
    assert dialog.keep_combined_button.isVisible() and dialog.combined.accessibleName() == "Combined value"
    assert "Health and safety" in dialog.heading.text() and "alice on alice-laptop" in dialog.heading.text()
    grab = Path("/tmp/conflicts-dialog.png")
    dialog.resize(1100, 760)
    dialog.grab().save(str(grab))
    dialog.combined.setPlainText("Talked about ladders, gloves and goggles on the building site.")
    qtbot.mouseClick(dialog.keep_combined_button, Qt.MouseButton.LeftButton)
    assert model.rowCount() == 2 and dialog.history_model.rowCount() == 1
    # Choice values: no combined editor; keep theirs, then keep mine from the keyboard (focus, Space).
    dialog.table.selectRow(_row(dialog, "Overall progress"))
    assert not dialog.keep_combined_button.isVisible()
    qtbot.mouseClick(dialog.keep_theirs_button, Qt.MouseButton.LeftButton)
    dialog.table.selectRow(0)
    assert dialog.keep_mine_button.focusPolicy() & Qt.FocusPolicy.TabFocus
    dialog.keep_mine_button.setFocus()
    qtbot.keyClick(dialog.keep_mine_button, Qt.Key.Key_Space)
    assert model.rowCount() == 0 and dialog.history_model.rowCount() == 3
    decisions = {dialog.history_model.index(r, 2).data() for r in range(3)}
    assert decisions == {"Combined", "Kept theirs", "Kept mine"}
    # The value not chosen stays readable in the history.
    history = [dialog.history_model.index(r, 4).data() for r in range(3)]
    assert any(h.startswith("Amber") for h in history)
    with second.store.read() as session:
        answers = session.get(Review, review_id).answers
    assert answers["hs_discussion"] == "Talked about ladders, gloves and goggles on the building site."
    assert answers["progress_rag"] == "amber" and answers["english_exam_date"] == "2027-01-11"
