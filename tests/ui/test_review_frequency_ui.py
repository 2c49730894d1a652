"""A learner's own review frequency set from the learner's details, driven as an assessor would (issue 14 item 8):
the interval with the reason and the employer's agreement, saved, shown, and followed by the caseload and by the
next review's proposed date."""

from __future__ import annotations

import datetime as dt
from html import unescape

from PySide6.QtWidgets import QDialogButtonBox

from reviewapp.core.review_frequency import AgreedFrequency
from reviewapp.core.scheduling import DEFAULT_RULES, Interval, IntervalUnit
from reviewapp.store import reviews
from reviewapp.store.models import Learner
from reviewapp.ui.caseload_model import ROW_ROLE
from reviewapp.ui.review_frequency_dialog import FrequencyChoice, ReviewFrequencyDialog
from tests.conftest import DEMO_TODAY


def _rows(win):
    return [win.proxy.index(r, 0).data(ROW_ROLE) for r in range(win.proxy.rowCount())]


def _save(dialog: ReviewFrequencyDialog):
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Save)


def _type_date(qtbot, dialog: ReviewFrequencyDialog, text: str) -> None:
    dialog.agreed_on.line.selectAll()
    qtbot.keyClicks(dialog.agreed_on.line, text)


def test_an_own_frequency_needs_the_reason_and_who_agreed_before_it_can_be_saved(qtbot) -> None:
    dialog = ReviewFrequencyDialog("Priya Shah", None, DEFAULT_RULES, employer_contact="Jo Bloggs",
                                   today=dt.date(2026, 11, 23))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.provider.isChecked() and _save(dialog).isEnabled() and dialog.frequency() is None
    dialog.own.click()
    assert not _save(dialog).isEnabled() and dialog.problem.text() == (
        "Say why this learner has their own review frequency.")
    assert dialog.agreed_by.text() == "Jo Bloggs" and dialog.agreed_on.date() == dt.date(2026, 11, 23)
    dialog.interval.unit.setCurrentIndex(dialog.interval.unit.findData(IntervalUnit.MONTHS))
    dialog.interval.count.setValue(3)
    assert dialog.interval.count.maximum() == 3  # the funding ceiling, whatever was agreed
    qtbot.keyClicks(dialog.reason, "Seasonal shifts: released once a quarter")
    dialog.agreed_by.clear()
    assert not _save(dialog).isEnabled() and "who at the employer" in dialog.problem.text()
    qtbot.keyClicks(dialog.agreed_by, "Jo Bloggs (HR)")
    _type_date(qtbot, dialog, "24/11/2026")
    assert not _save(dialog).isEnabled() and "cannot be in the future" in dialog.problem.text()
    _type_date(qtbot, dialog, "20/11/2026")
    assert _save(dialog).isEnabled() and dialog.problem.text() == ""
    assert dialog.frequency() == AgreedFrequency(Interval.months(3), "Seasonal shifts: released once a quarter",
                                                 "Jo Bloggs (HR)", dt.date(2026, 11, 20))
    dialog.grab().save("/tmp/review-frequency-dialog.png")


def test_the_frequency_set_from_the_learners_details_is_saved_shown_and_followed(window, qtbot, demo_store) -> None:
    row = next(r for r in _rows(window) if r.facts.learner_status == "active" and r.facts.last_review_date
               and not r.facts.has_support_needs)
    index = _rows(window).index(row)
    with qtbot.waitSignal(window.learner_shown, timeout=5000):
        window.table.selectRow(index)
    assert window.panel.frequency_button.isEnabled()
    assert "The provider's review schedule" in unescape(window.panel.details.text())

    chosen: list[AgreedFrequency] = []
    offered = []

    def choose(detail):
        offered.append(detail)
        return FrequencyChoice(chosen[-1])

    window.choose_review_frequency = choose
    chosen.append(AgreedFrequency(Interval.weeks(11), "Works away on rotation", "Jo Bloggs", DEMO_TODAY))
    with qtbot.waitSignal(window.caseload_loaded, timeout=10000):
        assert window.set_review_frequency()
    assert offered[0].learner_id == row.facts.learner_id and offered[0].review_frequency is None
    qtbot.waitUntil(lambda: "Every 11 weeks, agreed with Jo Bloggs" in unescape(window.panel.details.text()),
                    timeout=5000)
    window.panel.grab().save("/tmp/learner-panel-frequency.png")
    with demo_store.read() as session:
        assert session.get(Learner, row.facts.learner_id).review_interval == "P11W"

    # The next review's proposal follows it: longer than the provider's 8 weeks, by the agreement.
    from reviewapp.core.review_rules import proposed_next_review
    from reviewapp.core.templates import load_template

    with demo_store.read() as session:
        context = reviews.review_context(session, row.facts.learner_id, "new-review", window.rules)
    template = load_template("apprenticeship-progress-review")
    visit = template.question_for_record_field("visit_date")
    proposal = proposed_next_review(template, {visit.id: "2026-11-23"}, context)
    assert proposal is not None and (proposal.date, proposal.reason) == (
        dt.date(2027, 2, 8), "11 weeks (this learner's agreed frequency)")

    # And the caseload's due date: a shorter agreed frequency brings it before the date agreed at the last review.
    chosen.append(AgreedFrequency(Interval.weeks(2), "Extra support agreed", "Jo Bloggs", DEMO_TODAY))
    with qtbot.waitSignal(window.caseload_loaded, timeout=10000):
        assert window.set_review_frequency()
    assert offered[1].review_frequency == chosen[0]  # the dialog opens on what is saved
    after = next(r for r in _rows(window) if r.facts.learner_id == row.facts.learner_id)
    assert after.next_review_due == row.facts.last_review_date + dt.timedelta(weeks=2) < row.next_review_due
