"""The review wizard walked as a user would: typing, ticking, choosing, drawing signatures, finalising."""

import base64
import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from sqlalchemy import select

from reviewapp.core.templates import load_template
from reviewapp.selftest import scripted_answers as complete_answers
from reviewapp.store import reviews
from reviewapp.store.models import Employer, Learner, OutboxEntry, Review, Target
from reviewapp.ui.read_only import is_read_only
from reviewapp.ui.wizard.editors import (
    ChoiceEditor,
    DateEditor,
    DerivedEditor,
    FlagEditor,
    LongTextEditor,
    MultiChoiceEditor,
    NumberEditor,
    PlanProgressEditor,
    PreviousTargetsEditor,
    ScenarioEditor,
    TargetListEditor,
    TextEditor,
    TimeEditor,
)
from reviewapp.ui.wizard.review_wizard import SAVE_WITHIN_MS, ReviewWizard
from sync.protocol import review_content_hash
from tests.conftest import DEMO_TODAY

TEMPLATE = load_template("apprenticeship-progress-review")


@pytest.fixture
def draft(demo_store):
    with demo_store.read() as s:
        learner_ids = s.scalars(select(Target.learner_id).where(Target.status == "open")).all()
        learner_id = next(i for i in learner_ids if s.get(Learner, i).status == "active")
    review_id = reviews.start_draft(demo_store, learner_id, TEMPLATE, DEMO_TODAY)
    return review_id


@pytest.fixture
def wizard(qtbot, demo_store, draft):
    win = ReviewWizard(demo_store, draft)
    win.show_error = lambda title, text: pytest.fail(f"unexpected error: {title}: {text}")
    win.problems_shown = []
    win.show_problems = lambda readiness: win.problems_shown.append(readiness.messages())
    win.confirm = lambda title, text: True
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def _choose(qtbot, combo, value):
    index = combo.findData(value)
    assert index >= 0, f"{value!r} is not offered"
    combo.setFocus()
    while combo.currentIndex() != index:  # arrow keys, as a keyboard user picks from a drop-down
        qtbot.keyClick(combo, Qt.Key.Key_Down if combo.currentIndex() < index else Qt.Key.Key_Up)


def _type(qtbot, widget, text):
    widget.setFocus()
    qtbot.keyClicks(widget, text)


def _retype(qtbot, widget, text):
    """Type over what the app proposed, as a user does (select all, then type)."""
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(widget, text)


def _set_date(field, iso):
    """Type the date as DD/MM/YYYY, as an assessor would, replacing whatever the field held."""
    field.line.setFocus()
    field.line.selectAll()
    typed = dt.date.fromisoformat(iso).strftime("%d/%m/%Y")
    QTest.keyClicks(field.line, typed)


def enter(qtbot, editor, value):
    """Give an answer through the editor's own widgets."""
    if isinstance(editor, DerivedEditor):
        return
    if isinstance(editor, TextEditor | LongTextEditor):
        editor.edit.clear()
        _type(qtbot, editor.edit, value)
    elif isinstance(editor, ChoiceEditor | TimeEditor):
        _choose(qtbot, editor.combo, value)
    elif isinstance(editor, MultiChoiceEditor):
        for option, box in editor.boxes:
            if box.isChecked() != (option in value):
                qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(5, box.height() // 2))
    elif isinstance(editor, DateEditor):
        _set_date(editor.edit, value)
    elif isinstance(editor, NumberEditor):
        editor.spin.setFocus()
        editor.spin.setValue(value)
    elif isinstance(editor, FlagEditor):
        _choose(qtbot, editor.combo, value["raised"])
        if value.get("detail"):
            _type(qtbot, editor.detail, value["detail"])
    elif isinstance(editor, ScenarioEditor):
        _type(qtbot, editor.response, value["response"])
    elif isinstance(editor, PreviousTargetsEditor):
        for target_id, answer in value.items():
            outcome, comment, carry = editor.rows[target_id]
            _choose(qtbot, outcome, answer["status"])
            if answer.get("comment"):
                _type(qtbot, comment, answer["comment"])
            if answer.get("carry_forward"):
                qtbot.mouseClick(carry, Qt.MouseButton.LeftButton, pos=QPoint(5, carry.height() // 2))
    elif isinstance(editor, PlanProgressEditor):
        for item_id, answer in value.items():
            spin, _comment = editor.rows[item_id]
            spin.setFocus()
            spin.setValue(answer["progress"])
    elif isinstance(editor, TargetListEditor):
        for item in value:
            carried = [r for r in editor.rows if item.get("carried_from_id")
                       and r.carried_from_id == item["carried_from_id"]]
            if carried:  # ticking "Carry forward" put it here, in its old words, for the assessor to date
                assert carried[0].text.toPlainText() == item["text"] and carried[0].item()["due_date"] is None
                _set_date(carried[0].due, item["due_date"])
                continue
            qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
            row = editor.rows[-1]
            _type(qtbot, row.text, item["text"])
            _set_date(row.due, item["due_date"])
            _type(qtbot, row.actions, "\n".join(item["actions"]))
    else:  # pragma: no cover - a new editor type needs a way to be driven here
        pytest.fail(f"no way to drive {type(editor).__name__}")


def draw_signature(qtbot, pad):
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(30, 80))
    for x in range(40, 300, 20):
        qtbot.mouseMove(pad, QPoint(x, 60 + (x // 20 % 3) * 15))
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(310, 70))


def test_walk_the_whole_wizard_and_finalise(qtbot, wizard, demo_store, draft):
    answers = complete_answers(wizard.context, DEMO_TODAY)
    for index, section in enumerate(TEMPLATE.sections):
        qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton) if index else wizard.go_to(0)
        assert wizard.current_section().id == section.id
        for question in section.questions:
            if question.type == "signature":
                block = wizard.signature_blocks[question.role]
                proposed = {"learner": wizard.learner_name, "employer": answers["employer_rep_name"]}
                assert block.name.text() == proposed.get(question.role, "")  # nobody types a name the app knows
                _retype(qtbot, block.name, {"learner": wizard.learner_name, "employer": "Tom Clarke",
                                          "assessor": "Alex Morgan"}[question.role])
                qtbot.keyClick(block.name, Qt.Key.Key_Tab)
                draw_signature(qtbot, block.pad)
            elif question.id in answers and wizard.rows[question.id].isVisible():
                enter(qtbot, wizard.editors[question.id], answers[question.id])
    assert wizard.current_section().kind == "summary"
    assert "before finalising" in wizard.summary_intro_label.text()
    summary = wizard.summary.toPlainText()
    assert "Head office, Leeds" in summary and "Tom Clarke" in summary
    assert _debug_statuses(wizard) == []

    with qtbot.waitSignal(wizard.finalised, timeout=5000):
        qtbot.mouseClick(wizard.finalise_button, Qt.MouseButton.LeftButton)
    assert wizard.problems_shown == []

    with demo_store.read() as s:
        review, signatures = reviews.load_review(s, draft)
    assert review.status == "finalised"
    assert (review.next_review_time, review.next_review_minutes) == ("10:00", None)  # the record's own fields
    for key in ("visit_location", "welfare_own_words", "progress_rag", "otj_examples"):
        assert review.answers[key] == answers[key]
    assert answers["new_targets"][0]["text"] in [t["text"] for t in review.answers["new_targets"]]
    carried = [t for t in review.answers["new_targets"] if t.get("carried_from_id")]  # on the page they signed
    assert [(t["carried_from_id"], t["due_date"]) for t in carried] == [
        (answers["new_targets"][1]["carried_from_id"], answers["new_targets"][1]["due_date"])]
    assert {s.role for s in signatures} == {"learner", "employer", "assessor"}
    for signature in signatures:
        assert base64.b64decode(signature.image_png).startswith(b"\x89PNG")
        assert signature.strokes and len(signature.strokes[0]) > 5
    assert review.content_hash == review_content_hash(draft, review, signatures)
    assert not wizard.finalise_button.isVisible()
    assert wizard.print_button.isVisible()  # the next thing to do on site: print the signed copies
    location = wizard.editors["visit_location"]
    assert location.isEnabled() and is_read_only(location.focus_widget())  # read-only, in normal text
    intro = wizard.summary_intro_label.text()  # the draft's advice is replaced, in this very window
    assert "before finalising" not in intro and intro.startswith("This review was finalised on ")


def test_finalise_lists_what_is_missing_and_goes_there(qtbot, wizard, demo_store, draft):
    wizard.go_to(wizard.section_index("welfare"))
    qtbot.mouseClick(wizard.finalise_button, Qt.MouseButton.LeftButton)
    assert wizard.problems_shown and any("Visit" in m or "visit" in m for m in wizard.problems_shown[0])
    assert wizard.current_section().id == "visit"
    with demo_store.read() as s:
        assert s.get(Review, draft).status == "draft"


def test_answers_are_saved_within_the_throttle_window_and_on_leaving(qtbot, wizard, demo_store, draft):
    editor = wizard.editors["visit_location"]
    _type(qtbot, editor.edit, "Unit 4")
    with qtbot.waitSignal(wizard.saved, timeout=SAVE_WITHIN_MS * 4):
        pass
    with demo_store.read() as s:
        assert s.get(Review, draft).answers["visit_location"] == "Unit 4"
    _type(qtbot, editor.edit, ", Leeds")
    wizard.editors["visit_mode"].combo.setFocus()  # leaving the field saves at once
    with demo_store.read() as s:
        assert s.get(Review, draft).answers["visit_location"] == "Unit 4, Leeds"
        entries = s.scalars(select(OutboxEntry).where(OutboxEntry.record_id == draft)).all()
    assert len(entries) == 1  # coalesced: one pending change for the draft, however many saves


def test_show_if_reveals_questions_when_progress_is_behind(qtbot, wizard):
    wizard.go_to(wizard.section_index("progress"))
    assert not wizard.rows["behind_causes"].isVisible()
    _choose(qtbot, wizard.editors["progress_rag"].combo, "red")
    assert wizard.rows["behind_causes"].isVisible()


def test_vague_target_is_warned_about_not_blocked(qtbot, wizard):
    wizard.go_to(wizard.section_index("new_targets"))
    editor = wizard.editors["new_targets"]
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    _type(qtbot, editor.rows[0].text, "Try to improve")
    assert "⚠" in editor.rows[0].warnings.text()
    assert editor.value()[0]["text"] == "Try to improve"


def test_finalised_review_opens_read_only(qtbot, demo_store):
    with demo_store.read() as s:
        review_id = s.scalars(select(Review.id).where(Review.status == "finalised")).first()
    win = ReviewWizard(demo_store, review_id)
    qtbot.addWidget(win)
    assert win.read_only
    assert not win.finalise_button.isVisible()
    # Read-only in normal text, not disabled (tests/ui/test_read_only_review.py holds the rest).
    assert all(e.isEnabled() and is_read_only(e.focus_widget()) for e in win.editors.values()
               if not isinstance(e, DerivedEditor) and e.focus_widget() is not e)
    intro = win.summary_intro_label.text()
    assert "before finalising" not in intro and "cannot be changed" in intro and "add an addendum" in intro


def _debug_statuses(wizard):  # used when the walk-through fails, to say which sections are incomplete
    return [(wizard.section_model.item(i).text(), wizard.section_model.item(i).toolTip())
            for i in range(len(TEMPLATE.sections) - 1) if not wizard.section_model.item(i).text().startswith("✓")]


def test_could_not_sign_keeps_the_drawing_until_a_reason_is_given(qtbot, wizard, demo_store, draft):
    wizard.go_to(wizard.section_index("signatures"))
    block = wizard.signature_blocks["employer"]
    _retype(qtbot, block.name, "Tom Clarke")
    draw_signature(qtbot, block.pad)
    qtbot.mouseClick(block.absent, Qt.MouseButton.LeftButton, pos=QPoint(5, block.absent.height() // 2))
    with demo_store.read() as s:
        saved = {sig.role: sig for sig in reviews.load_review(s, draft)[1]}
    assert saved["employer"].image_png and not saved["employer"].absent_reason  # nothing replaced yet
    _type(qtbot, block.reason, "Called away to a delivery; will sign the copy tomorrow")
    qtbot.keyClick(block.reason, Qt.Key.Key_Tab)
    with demo_store.read() as s:
        saved = {sig.role: sig for sig in reviews.load_review(s, draft)[1]}
    assert saved["employer"].absent_reason.startswith("Called away") and saved["employer"].image_png is None
    reopened = ReviewWizard(demo_store, draft)
    qtbot.addWidget(reopened)
    assert reopened.signature_blocks["employer"].absent.isChecked()


def test_every_input_has_a_name_a_screen_reader_can_say(wizard):
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QPlainTextEdit

    unnamed = [w for w in wizard.findChildren(QWidget)
               if isinstance(w, QLineEdit | QPlainTextEdit | QComboBox | QAbstractSpinBox | QAbstractButton)
               and not w.accessibleName() and not (isinstance(w, QAbstractButton) and w.text())
               and not isinstance(w.parent(), QAbstractSpinBox | QComboBox)]
    assert unnamed == []


def test_the_next_review_is_booked_with_a_date_and_a_time_saved_and_shown(qtbot, wizard, demo_store, draft,
                                                                         tmp_path):
    from icalendar import Calendar

    wizard.go_to(wizard.section_index("comments_next"))
    next_q = TEMPLATE.question_for_record_field("next_review_date")
    time_q = TEMPLATE.question_for_record_field("next_review_time")
    minutes_q = TEMPLATE.question_for_record_field("next_review_minutes")
    _set_date(wizard.editors[next_q.id].edit, "2027-03-29")  # the Monday after the clocks go forward
    time_editor = wizard.editors[time_q.id]
    assert isinstance(time_editor, TimeEditor) and time_editor.combo.accessibleName() == "Time of the next review"
    _choose(qtbot, time_editor.combo, "14:30")
    assert time_editor.combo.currentText() == "14:30"
    minutes = wizard.editors[minutes_q.id]
    minutes.spin.setFocus()
    minutes.spin.setValue(45)
    time_editor.combo.setFocus()
    wizard.save_now()
    with demo_store.read() as s:
        saved = s.get(Review, draft).answers
    assert (saved[next_q.id], saved[time_q.id], saved[minutes_q.id]) == ("2027-03-29", "14:30", 45)
    assert wizard.rows[time_q.id].isVisible()
    wizard.resize(1366, 768)
    qtbot.wait(50)
    wizard.grab().save(str(tmp_path / "wizard-booked-time.png"))
    import shutil
    from pathlib import Path
    shots = Path("/tmp/booking-shots")
    shots.mkdir(exist_ok=True)
    shutil.copy(tmp_path / "wizard-booked-time.png", shots / "wizard-booked-time.png")

    reopened = ReviewWizard(demo_store, draft)  # shown again as saved
    qtbot.addWidget(reopened)
    assert reopened.editors[time_q.id].combo.currentText() == "14:30"
    assert reopened.editors[minutes_q.id].spin.value() == 45

    target = tmp_path / "next-review.ics"
    wizard.choose_save_path = lambda suggested: target
    assert wizard.save_calendar_file() == target
    [event] = Calendar.from_ical(target.read_bytes()).walk("VEVENT")
    start = event.decoded("dtstart")
    assert (start.date(), start.hour, start.minute, start.utcoffset()) == (dt.date(2027, 3, 29), 14, 30,
                                                                           dt.timedelta(hours=1))
    assert event.decoded("dtend") - start == dt.timedelta(minutes=45)
    assert "29/03/2027 14:30" in str(event["description"])


def test_the_next_review_goes_to_learner_and_employer_as_a_calendar_file(wizard, demo_store, tmp_path):
    from icalendar import Calendar

    from reviewapp.store.settings import set_settings

    # RFC 5545: attendees only with an organiser, here the assessor, whose address the laptop knows
    set_settings(demo_store, **{"assessor.email": "alex.morgan@provider.example.org"})

    with demo_store.read() as s:
        review = s.get(Review, wizard.review_id)
        learner = s.get(Learner, review.learner_id)
        employer = s.get(Employer, learner.employer_id)
        emails = {learner.email, employer.contact_email}
    next_q = TEMPLATE.question_for_record_field("next_review_date")
    wizard.answers[next_q.id] = "2027-03-29"  # the Monday after the clocks go forward
    target = tmp_path / "next-review.ics"
    wizard.choose_save_path = lambda suggested: target
    assert wizard.save_calendar_file() == target
    [event] = Calendar.from_ical(target.read_bytes()).walk("VEVENT")
    invited = {str(a).removeprefix("mailto:") for a in event.get("attendee")}
    assert invited == emails and all(emails)
    assert str(event["organizer"]) == "mailto:alex.morgan@provider.example.org"
    start = event.decoded("dtstart")
    assert (start.date(), start.hour, start.utcoffset()) == (dt.date(2027, 3, 29), 10, dt.timedelta(hours=1))
    assert learner.full_name in str(event.get("summary"))


def test_the_wizard_is_walked_with_the_keyboard_alone(wizard, qtbot):
    start = wizard.pages.currentIndex()
    qtbot.keyClick(wizard, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert wizard.pages.currentIndex() == start + 1
    qtbot.keyClick(wizard, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert wizard.pages.currentIndex() == start
    # The side list: focus it, move down with the arrow keys and press Enter to open that section.
    wizard.section_list.setFocus()
    qtbot.waitUntil(wizard.section_list.hasFocus)
    for _ in range(3):
        qtbot.keyClick(wizard.section_list, Qt.Key.Key_Down)
    qtbot.keyClick(wizard.section_list, Qt.Key.Key_Return)
    assert wizard.pages.currentIndex() == start + 3
    # Every control on a page is reached by Tab and has a name a screen reader can say.
    page = wizard.pages.currentWidget()
    reachable = [w for w in page.findChildren(QWidget)
                 if w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.isVisibleTo(page) and w.isEnabled()]
    assert reachable
    for widget in reachable:
        name = widget.accessibleName() or getattr(widget, "text", lambda: "")()
        assert name, f"{type(widget).__name__} {widget.objectName()!r} has no accessible name"


def test_signature_names_are_proposed_and_stay_editable(qtbot, demo_store, draft):
    from reviewapp.store.settings import set_settings

    set_settings(demo_store, assessor_display_name="Alex Morgan")  # as signing in to the server records it
    reviews.save_answers(demo_store, draft, {"employer_rep_name": "Sam Patel"})
    win = ReviewWizard(demo_store, draft)
    qtbot.addWidget(win)
    win.go_to(next(i for i, s in enumerate(TEMPLATE.sections) if any(q.type == "signature" for q in s.questions)))
    names = {role: block.name.text() for role, block in win.signature_blocks.items()}
    assert names == {"learner": win.learner_name, "employer": "Sam Patel", "assessor": "Alex Morgan"}
    block = win.signature_blocks["employer"]
    block.name.setText("Jo Bloggs")  # someone else signed for the employer
    win.go_to(0)
    win.go_to(next(i for i, s in enumerate(TEMPLATE.sections) if any(q.type == "signature" for q in s.questions)))
    assert block.name.text() == "Jo Bloggs"  # an edit is never overwritten


# --- Ticks that tell the truth (issue 13 item 10) -------------------------------------------------------------------


def _step(wizard, section_id):
    """The side list's line for a step: (shown text, what a screen reader says)."""
    item = wizard.section_model.item(wizard.section_index(section_id))
    return item.text(), item.data(Qt.ItemDataRole.AccessibleTextRole)


@pytest.fixture
def answered(qtbot, demo_store, draft):
    """A wizard on a draft whose every answer is given (signatures still to come)."""
    with demo_store.read() as s:
        context = reviews.review_context(s, s.get(Review, draft).learner_id, draft)
    reviews.save_answers(demo_store, draft, complete_answers(context, DEMO_TODAY))
    win = ReviewWizard(demo_store, draft)
    win.show_error = lambda title, text: pytest.fail(f"unexpected error: {title}: {text}")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_a_next_review_in_the_past_is_not_ticked_but_needs_attention_as_typed(qtbot, answered):
    wizard = answered
    wizard.go_to(wizard.section_index("comments_next"))
    text, spoken = _step(wizard, "comments_next")
    assert text.startswith("✓") and spoken.endswith("complete")
    next_q = TEMPLATE.question_for_record_field("next_review_date")
    agreed = wizard.answers[next_q.id]
    _set_date(wizard.editors[next_q.id].edit, (DEMO_TODAY - dt.timedelta(days=14)).isoformat())
    text, spoken = _step(wizard, "comments_next")
    assert not text.startswith("✓") and "Needs attention" in text  # in words, not only a sign or a colour
    assert "needs attention" in spoken and "must be after this one" in spoken
    notes = wizard.row_notes[next_q.id]
    assert notes.isVisible() and "The next review must be after this one" in notes.text()  # on the step itself
    assert "must be after this one" in wizard.editors[next_q.id].focus_widget().accessibleDescription()
    assert any("must be after this one" in p.message for p in wizard.readiness().problems)  # the same rule
    _set_date(wizard.editors[next_q.id].edit, agreed)
    assert _step(wizard, "comments_next")[0].startswith("✓") and not notes.isVisible()


def test_smart_warnings_show_on_the_new_targets_step_as_they_are_typed(qtbot, answered):
    wizard = answered
    wizard.go_to(wizard.section_index("new_targets"))
    assert _step(wizard, "new_targets")[0].startswith("✓") and "⚠" not in _step(wizard, "new_targets")[0]
    editor = wizard.editors["new_targets"]
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    _type(qtbot, editor.rows[-1].text, "Try to improve emails")
    text, spoken = _step(wizard, "new_targets")
    warnings = wizard.readiness().warnings
    assert warnings and f"{len(warnings)} points to check" in text and "points to check" in spoken
    assert "“try” cannot be measured" in spoken
    assert "⚠" in editor.rows[-1].warnings.text()  # beside the target itself
    assert wizard.readiness().ready is False  # signatures still missing, but nothing on this step blocks
    assert not any(p.section_id == "new_targets" for p in wizard.readiness().problems)


def test_every_step_of_a_finalised_demo_review_is_ticked(qtbot, demo_store):
    """The finalised demo reviews showed "Targets from the last review" incomplete: judged by the targets open now."""
    with demo_store.read() as s:
        followed = s.scalars(select(Target.followed_up_in_review_id).where(
            Target.followed_up_in_review_id.is_not(None))).all()
        review_id = s.scalars(select(Review.id).where(Review.status == "finalised", Review.id.in_(followed))).first()
    win = ReviewWizard(demo_store, review_id)
    qtbot.addWidget(win)
    assert win.editors["previous_targets"].rows  # the targets it followed up are shown, with their outcomes
    steps = [win.section_model.item(i).text() for i, s in enumerate(TEMPLATE.sections) if s.kind != "summary"]
    assert all(text.startswith("✓") for text in steps), steps


def test_each_targets_advice_is_the_finalise_checks_and_follows_the_next_review_date(qtbot, answered):
    """The advice beside each target and the side list's count come from the same check, with the same dates: a next
    review moved before a target's due date warns on that target at once, not at its next keystroke."""
    wizard = answered
    editor = wizard.editors["new_targets"]

    def shown():
        return sum(row.warnings.text().count("⚠") for row in editor.rows)

    assert shown() == len(wizard.readiness().warnings)
    first_due = dt.date.fromisoformat(editor.rows[0].item()["due_date"])
    wizard.go_to(wizard.section_index("comments_next"))
    next_q = TEMPLATE.question_for_record_field("next_review_date")
    _set_date(wizard.editors[next_q.id].edit, (first_due - dt.timedelta(days=1)).isoformat())
    assert "after the next review" in editor.rows[0].warnings.text()
    warnings = wizard.readiness().warnings
    assert shown() == len(warnings) and any("New target 1: Due" in w.message for w in warnings)
    assert "⚠" in _step(wizard, "new_targets")[0]


def test_next_and_back_put_the_cursor_in_the_first_field_of_each_step(wizard, qtbot):
    """Typing goes on from the keyboard after Alt+N: no click or Tab is needed to reach a step's first answer not
    yet given (the prefilled date and logged hours are passed over)."""
    wizard.activateWindow()
    qtbot.waitUntil(wizard.isActiveWindow, timeout=3000)
    visit = wizard.current_section()
    assert visit.id == "visit" and wizard.answers.get(visit.questions[0].id)  # the date is prefilled ...
    assert wizard.focusWidget() is wizard.editors[visit.questions[1].id].focus_widget()  # ... so "How" has the cursor
    seen = 0
    while wizard.next_button.isEnabled():
        before = wizard.pages.currentIndex()
        qtbot.keyClick(wizard.focusWidget() or wizard, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(lambda b=before: wizard.pages.currentIndex() == b + 1, timeout=2000)  # animated click
        section = wizard.current_section()
        focused = wizard.focusWidget()
        if section.kind == "summary":
            break
        page = wizard.pages.currentWidget()
        assert focused is not None and page.isAncestorOf(focused), section.id
        answerable = [q for q in section.questions if q.derived is None and (
            (q.id in wizard.editors and wizard.editors[q.id].isVisible()) or q.type == "signature")]
        blank = (None, "", [], {})
        unanswered = [q for q in answerable if (q.type != "signature" and wizard.answers.get(q.id) in blank)
                      or (q.type == "signature" and (q.role or "learner") not in wizard.signatures)]
        first = (unanswered or answerable)[0]
        owner = wizard.editors.get(first.id)
        expected_root = owner if owner is not None else next(
            b for b in wizard.signature_blocks.values() if b.question.id == first.id).name
        assert expected_root is focused or expected_root.isAncestorOf(focused), section.id
        seen += 1
    assert seen >= 10 and wizard.current_section().kind == "summary"  # Next from the signatures reaches the summary
    qtbot.keyClick(wizard.focusWidget() or wizard, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: wizard.current_section().kind != "summary", timeout=2000)
    assert wizard.signature_blocks and wizard.focusWidget() in [b.name for b in wizard.signature_blocks.values()]


def test_no_two_controls_on_a_step_share_a_mnemonic_with_the_buttons(wizard):
    """A clash makes Alt+letter cycle focus instead of pressing the button (three '&Name's took Alt+N from Next)."""
    import re

    from PySide6.QtWidgets import QAbstractButton, QLabel

    def mnemonic(text: str) -> str | None:
        found = re.search(r"&([^&])", text.replace("&&", ""))
        return found.group(1).casefold() if found else None

    buttons = [b for b in (wizard.back_button, wizard.next_button, wizard.finalise_button) if mnemonic(b.text())]
    for index in range(wizard.pages.count()):
        page = wizard.pages.widget(index)
        keys = [mnemonic(w.text()) for w in page.findChildren(QAbstractButton) + page.findChildren(QLabel)
                if mnemonic(w.text())]
        keys += [mnemonic(b.text()) for b in buttons]
        clashes = {k for k in keys if keys.count(k) > 1}
        assert not clashes & {mnemonic(b.text()) for b in buttons}, (wizard.template.sections[index].id, clashes)
