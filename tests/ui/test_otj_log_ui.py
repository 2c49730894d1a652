"""The off-the-job log on the laptop, driven as an assessor would (issue 14 item 4): entries added, edited and
deleted from the learner's details, each a change in the outbox (so it syncs), and a new entry counted in the next
review's off-the-job step, which shows the hours planned by the visit against those logged."""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from reviewapp.core.otj import OtjLogEntry
from reviewapp.store import reviews
from reviewapp.store.models import OtjEntry, OutboxEntry
from reviewapp.store.otj_log import EntryFields
from reviewapp.ui.caseload_model import ROW_ROLE
from reviewapp.ui.otj_entry_dialog import OtjEntryDialog
from tests.conftest import DEMO_TODAY
from tests.ui.conftest import settle


def _rows(win):
    return [win.proxy.index(r, 0).data(ROW_ROLE) for r in range(win.proxy.rowCount())]


def _select(window, qtbot, learner_id: str) -> None:
    index = next(i for i, r in enumerate(_rows(window)) if r.facts.learner_id == learner_id)
    with qtbot.waitSignal(window.learner_shown, timeout=5000):
        window.table.selectRow(index)


def _save(dialog: OtjEntryDialog):
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Save)


def test_the_dialog_says_what_is_wrong_and_saves_only_a_valid_entry(qtbot) -> None:
    dialog = OtjEntryDialog("Sam Learner", today=DEMO_TODAY)
    qtbot.addWidget(dialog)
    assert dialog.date.date() == DEMO_TODAY and not _save(dialog).isEnabled()
    assert "Enter the hours" in dialog.problem.text()
    qtbot.keyClicks(dialog.hours, "two")
    assert dialog.problem.text() == "'two' is not a number of hours: write it as 1.5 or 1:30."
    dialog.hours.setText("30")
    assert "more than a day's hours" in dialog.problem.text() and not _save(dialog).isEnabled()
    dialog.hours.setText("1:30")
    assert dialog.problem.text() == "Say what the activity was."
    qtbot.keyClicks(dialog.activity, "Shadowing")
    dialog.date.line.setText("31/02/2026")
    dialog.date.edited.emit()
    assert "February 2026 has 28 days" in dialog.problem.text() or "not a date" in dialog.problem.text()
    dialog.date.line.setText("24/11/2026")
    dialog.date.edited.emit()
    assert "in the future" in dialog.problem.text() and not _save(dialog).isEnabled()
    dialog.date.line.setText("20/11/2026")
    dialog.date.edited.emit()
    dialog.learnt.setPlainText("How the site survey is planned")
    dialog.evidence.setText("Portfolio item 12")
    assert dialog.problem.text() == "" and _save(dialog).isEnabled()
    dialog.grab().save("/tmp/g/otj-entry-dialog.png")
    assert dialog.fields() == EntryFields(dt.date(2026, 11, 20), 1.5, "Shadowing", "How the site survey is planned",
                                          "Portfolio item 12")


def test_entries_added_edited_and_deleted_from_the_learners_details_sync_and_fill_the_next_review(
        window, qtbot, demo_store) -> None:
    row = next(r for r in _rows(window) if r.facts.learner_status == "active" and r.facts.planned_end_date
               and r.facts.planned_otj_hours)
    learner_id = row.facts.learner_id
    _select(window, qtbot, learner_id)
    panel = window.panel
    before = panel.otj_model.rowCount()
    logged_before = row.facts.otj_hours_logged
    assert panel.add_otj_button.isEnabled() and not panel.edit_otj_button.isEnabled()
    assert f"{logged_before:g} hours logged" in unescape(panel.otj_summary.text())
    assert "planned by 23/11/2026" in panel.otj_summary.text()

    entered: list[EntryFields] = []
    offered: list[OtjLogEntry | None] = []

    def choose(detail, entry):
        assert detail.learner_id == learner_id
        offered.append(entry)
        return entered[-1]

    window.choose_otj_entry = choose
    entered.append(EntryFields(dt.date(2026, 11, 20), 3.5, "Training course", "Risk assessments", "Certificate"))
    with qtbot.waitSignal(window.caseload_loaded, timeout=10000):
        assert window.add_otj_entry()
    qtbot.waitUntil(lambda: panel.otj_model.rowCount() == before + 1, timeout=5000)
    assert offered == [None]
    shown = [panel.otj_model.index(0, c).data() for c in range(5)]
    assert shown == ["20/11/2026", "3.5", "Training course", "Risk assessments", "Certificate"]
    assert f"in {before + 1} entries" in panel.otj_summary.text()
    assert f"{logged_before + 3.5:g} hours logged" in unescape(panel.otj_summary.text())
    panel.tabs.setCurrentIndex(panel.tabs.indexOf(panel.otj_view.parentWidget()))
    panel.grab().save("/tmp/g/learner-panel-otj-log.png")

    with demo_store.read() as session:
        entry = session.query(OtjEntry).filter_by(learner_id=learner_id, activity="Training course").one()
        outbox = session.query(OutboxEntry).filter_by(entity="otj_entry", record_id=entry.id).one()
        assert outbox.op == "create" and outbox.fields["evidence"] == "Certificate"
        assert outbox.fields["description"] == "Risk assessments" and outbox.fields["hours"] == 3.5

    # The next review's off-the-job step counts it, and shows planned by the visit against logged to date.
    from reviewapp.core.review_rules import effective_answers
    from reviewapp.core.templates import load_template

    template = load_template("apprenticeship-progress-review")
    draft_id = reviews.start_draft(demo_store, learner_id, template, DEMO_TODAY, window.rules)
    with demo_store.read() as session:
        draft, _ = reviews.load_review(session, draft_id)
        context = reviews.review_context(session, learner_id, draft_id, window.rules)
    answers = effective_answers(template, draft.answers, context)
    assert answers["otj_hours_to_date"] == pytest.approx(logged_before + 3.5)
    assert answers["otj_planned_to_date"] is not None
    assert answers["otj_hours_since_last"] >= 3.5
    reviews.discard_draft(demo_store, draft_id)

    # Edited: the dialog opens on the entry; the outbox still holds one change for it (coalesced), now 2 hours.
    with qtbot.waitSignal(window.learner_shown, timeout=5000):
        window.refresh()
    settle(qtbot, window)  # the refresh's last load delivered, so it cannot reset the list after the selection
    panel.otj_view.selectRow(0)
    assert panel.edit_otj_button.isEnabled()
    entered.append(EntryFields(dt.date(2026, 11, 20), 2.0, "Training course", "Risk assessments", "Certificate"))
    with qtbot.waitSignal(window.caseload_loaded, timeout=10000):
        assert window.edit_otj_entry()
    assert offered[-1] is not None and offered[-1].hours == 3.5
    qtbot.waitUntil(lambda: panel.otj_model.index(0, 1).data() == "2", timeout=5000)
    with demo_store.read() as session:
        outbox = session.query(OutboxEntry).filter_by(entity="otj_entry", record_id=entry.id).one()
        assert outbox.op == "create" and outbox.fields["hours"] == 2.0

    # Deleted, once confirmed: a tombstone, so the deletion syncs.
    asked: list[str] = []
    window.confirm = lambda title, text: asked.append(text) or True
    panel.otj_view.selectRow(0)
    with qtbot.waitSignal(window.caseload_loaded, timeout=10000):
        assert window.delete_otj_entry()
    assert "Delete 2 hours of Training course on 20/11/2026" in asked[0]
    qtbot.waitUntil(lambda: panel.otj_model.rowCount() == before, timeout=5000)
    with demo_store.read() as session:
        assert session.get(OtjEntry, entry.id).deleted
