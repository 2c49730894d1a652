"""The review wizard's view: one step per template section, a side list showing which are complete, finalise.

Built entirely from the template, so a new template version needs no code. Widgets only: the draft is the core
editing session's (`reviewapp.core.editing_session`), and saving it — every answer within 500 ms of being typed and
at once when a field is left — is the controller's (`controller.py`), through the review operations. A finalised
review opens read-only. The view never opens a store session.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from reviewapp.core.dates import format_datetime
from reviewapp.core.finalise import ReviewNotReady
from reviewapp.core.review_rules import Problem, Readiness, is_visible, parse_iso_date
from reviewapp.core.scheduling import DEFAULT_RULES, ScheduleRules
from reviewapp.core.summary import summary_intro
from reviewapp.core.templates import Section, Template
from reviewapp.store.database import Store
from reviewapp.ui.plain_label import plain_label
from reviewapp.ui.wheel_guard import WheelGuard
from reviewapp.ui.window_fit import fit_window
from reviewapp.ui.wizard.controller import SAVE_WITHIN_MS, WizardController  # noqa: F401 (tests, benchmarks)
from reviewapp.ui.wizard.editors import AnswerEditor, DerivedEditor, TargetListEditor, editor_for
from reviewapp.ui.wizard.not_ready import NotReadyDialog
from reviewapp.ui.wizard.signature_block import SignatureBlock
from reviewapp.ui.wizard.step_marks import attention_problems, step_mark
from reviewapp.ui.wizard.summary_html import summary_html

WARNINGS_LISTED = 5  # in the finalise confirmation; the rest are counted


def _tab_reachable_within(root: QWidget) -> QWidget | None:
    """`root`, or the first widget inside it in Tab order, that can take focus now (shown, enabled, Tab-focusable)."""
    def reachable(widget: QWidget) -> bool:
        return bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus) and widget.isVisibleTo(widget.window()) \
            and widget.isEnabled()

    if reachable(root):
        return root
    widget = root.nextInFocusChain()
    while widget is not root and root.isAncestorOf(widget):
        if reachable(widget):
            return widget
        widget = widget.nextInFocusChain()
    return None


def _is_given(value: Any) -> bool:
    return value not in (None, "", [], {})


def finalise_question(warnings: list[str]) -> str:
    """The finalise confirmation, naming at most WARNINGS_LISTED warnings: a message box grows with its text, and a
    long list of vague targets pushed its Yes / No off a 1280×720 screen."""
    question = "Once finalised, this review cannot be changed. Finalise it now?"
    if not warnings:
        return question
    listed = warnings[:WARNINGS_LISTED]
    more = len(warnings) - len(listed)
    lines = "\n• ".join(listed) + (f"\n• …and {more} more: choose No to go back and look" if more else "")
    return f"Please check:\n• {lines}\n\n{question}"


class ReviewWizard(QWidget):
    finalised = Signal(str)
    saved = Signal()
    print_requested = Signal(str)
    print_reading_requested = Signal(str)

    def __init__(self, store: Store, review_id: str, *, rules: ScheduleRules = DEFAULT_RULES,
                 template: Template | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.review_id = review_id
        self.rules = rules
        self.controller = WizardController(store, review_id, rules=rules, template=template, parent=self)
        self.controller.saved.connect(self._saved)
        self.controller.save_failed.connect(lambda title, text: self.show_error(title, text))  # tests replace it
        self.draft = self.controller.session
        self.context = self.draft.context
        self.template = self.draft.template
        self.samples = self.controller.opened.samples
        self.portal = self.controller.opened.portal
        self.editors: dict[str, AnswerEditor] = {}
        self.rows: dict[str, QWidget] = {}
        self.row_notes: dict[str, QLabel] = {}
        self.signature_blocks: dict[str, SignatureBlock] = {}
        self.summary_intro_label: QLabel | None = None
        learner = self.context.learner
        name = f"{learner.first_name} {learner.last_name}" if learner else "learner"
        self.learner_name = name
        self.setWindowTitle(f"Progress review — {name}" + (" (finalised, read-only)" if self.read_only else ""))
        self._build()
        self._load_values()
        self._refresh()
        self.go_to(0)
        self._focus_first_field()
        # The wheel scrolls the page; it changes an answer only in the control the user has chosen. Each editor is
        # watched as well, for controls it adds later (a new target's due date).
        self.wheel_guard = WheelGuard(self)
        self.wheel_guard.guard(self)
        for editor in self.editors.values():
            self.wheel_guard.guard(editor)
        self.problems_dialog: NotReadyDialog | None = None
        fit_window(self, "review_wizard", QSize(1100, 780))

    # --- building ------------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.section_model = QStandardItemModel(self)
        self.section_list = QListView()
        self.section_list.setObjectName("sections")
        self.section_list.setAccessibleName("Review sections")
        self.section_list.setModel(self.section_model)
        self.section_list.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.section_list.setSpacing(3)
        self.section_list.setWordWrap(True)
        self.section_list.setMinimumWidth(300)
        self.section_list.setMaximumWidth(340)
        self.section_list.clicked.connect(lambda index: self.go_to(index.row()))
        self.section_list.activated.connect(lambda index: self.go_to(index.row()))
        self.pages = QStackedWidget()
        for section in self.template.sections:
            self.section_model.appendRow(QStandardItem(section.title))
            self.pages.addWidget(self._page(section))

        self.back_button = QPushButton("← &Back")
        self.next_button = QPushButton("&Next →")
        self.finalise_button = QPushButton("&Finalise review…")
        self.finalise_button.setObjectName("finalise")
        self.status_label = QLabel()
        self.status_label.setObjectName("wizardStatus")
        self.status_label.setWordWrap(True)  # a long message wraps rather than widening the window past the screen
        self.back_button.clicked.connect(lambda: self.step_by(-1))
        self.next_button.clicked.connect(lambda: self.step_by(+1))
        self.finalise_button.clicked.connect(self.finalise)
        QShortcut(QKeySequence("Alt+Left"), self, activated=self.back_button.click)
        QShortcut(QKeySequence("Alt+Right"), self, activated=self.next_button.click)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save_now)

        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.finalise_button)
        self.print_button = QPushButton("&Print signed copies…")
        self.print_button.setObjectName("print")
        self.print_button.clicked.connect(lambda: self.print_requested.emit(self.review_id))
        self.print_button.setVisible(self.review.status == "finalised")
        buttons.addWidget(self.print_button)
        self.print_draft_button = QPushButton("Print a rea&ding copy…")
        self.print_draft_button.setToolTip("A copy to read through before signing, marked DRAFT — not signed on "
                                           "every page; it is not saved")
        self.print_draft_button.clicked.connect(lambda: self.print_reading_requested.emit(self.review_id))
        self.print_draft_button.setVisible(self.review.status == "draft")
        buttons.insertWidget(0, self.print_draft_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.pages, 1)
        right_layout.addLayout(buttons)
        splitter = QSplitter()
        splitter.addWidget(self.section_list)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        banner = QLabel(f"<b>{escape(self.learner_name)}</b> — {escape(self.template.title)}"
                        + (" — <b>finalised: read-only</b>" if self.read_only else ""))
        banner.setObjectName("wizardBanner")
        layout.addWidget(banner)
        layout.addWidget(splitter, 1)
        if self.read_only:
            self.finalise_button.hide()

    # The draft is the editing session's; these read it for the view and the tests.
    @property
    def review(self) -> Any:
        return self.controller.review

    @property
    def answers(self) -> dict[str, Any]:
        return self.draft.answers

    @property
    def signatures(self) -> dict[str, Any]:
        return self.draft.signatures

    @property
    def read_only(self) -> bool:
        return self.draft.read_only

    def _saved(self) -> None:
        self.status_label.setText("All answers saved")
        self.saved.emit()

    def _show_summary_intro(self) -> None:
        """The summary step's intro as fits the review now: the template's advice for a draft, and for a finalised
        review when it was finalised (the draft's "before finalising" would be wrong)."""
        section = next((s for s in self.template.sections if s.kind == "summary"), None)
        if section is None or self.summary_intro_label is None:
            return
        text = summary_intro(section.intro, self.review)
        self.summary_intro_label.setText(text)
        self.summary_intro_label.setVisible(bool(text))

    def _page(self, section: Section) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        title = QLabel(f"<h2>{escape(section.title)}</h2>")
        layout.addWidget(title)
        if section.intro or section.kind == "summary":
            intro = plain_label(section.intro, wrap=True)
            layout.addWidget(intro)
            if section.kind == "summary":
                self.summary_intro_label = intro  # reworded once the review is finalised (_show_summary_intro)
                self._show_summary_intro()
        portal = {"previous_targets": ("From the learner's log book in the portal", self.portal.ticks),
                  "employer": ("From the employer in the portal", self.portal.feedback)}.get(section.id)
        if portal and portal[1]:
            box = QLabel(f"<b>{escape(portal[0])}</b><ul style='margin:0'>"
                         + "".join(f"<li>{escape(line)}</li>" for line in portal[1]) + "</ul>")
            box.setObjectName(f"portalNotes_{section.id}")
            box.setWordWrap(True)
            box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            box.setAccessibleName(portal[0])
            layout.addWidget(box)
        if section.kind == "summary":
            self.summary = QTextBrowser()
            self.summary.setObjectName("summary")
            self.summary.setAccessibleName("Summary of the review")
            layout.addWidget(self.summary, 1)
            if not self.read_only:
                self.calendar_button = QPushButton("Add the next review to a &calendar (.ics)…")
                self.calendar_button.clicked.connect(self.save_calendar_file)
                layout.addWidget(self.calendar_button, alignment=Qt.AlignmentFlag.AlignLeft)
            return page
        for question in section.questions:
            row = QWidget()
            row_layout = QVBoxLayout(row)
            row_layout.setContentsMargins(0, 6, 0, 6)
            label = QLabel(f"<b>{escape(question.label)}</b>" + (" <span style='color:#a00'>*</span>"
                                                                   if question.required else ""))
            label.setWordWrap(True)
            row_layout.addWidget(label)
            if question.help:
                help_label = plain_label(question.help, wrap=True)
                help_label.setStyleSheet("color: #505050;")
                row_layout.addWidget(help_label)
            if question.prompts:  # questions to ask, kept in view while the answer is typed
                prompts = QLabel("<b>Ask:</b><ul style='margin:0'>"
                                 + "".join(f"<li>{escape(p)}</li>" for p in question.prompts) + "</ul>")
                prompts.setWordWrap(True)
                row_layout.addWidget(prompts)
            if question.type == "signature":
                block = SignatureBlock(question)
                block.changed.connect(self._signature_changed)
                self.signature_blocks[block.role] = block
                row_layout.addWidget(block)
                label.setBuddy(block.name)
            else:
                editor = editor_for(question, self.context)
                editor.edited.connect(lambda q=question.id: self._edited(q))
                editor.left.connect(self.save_now)
                self.editors[question.id] = editor
                row_layout.addWidget(editor)
                label.setBuddy(editor.focus_widget())
                if question.help:
                    editor.focus_widget().setAccessibleDescription(question.help)
            # What finalising would refuse in this answer, and what the checks advise, shown under it as it is
            # typed: in words, so colour is never the only cue, and read out with the field (see _show_notes).
            notes = plain_label(wrap=True)
            notes.setObjectName("answerNotes")
            notes.setStyleSheet("color: #8a1f00;")
            notes.setAccessibleName(f"{question.label}: what to check")
            notes.setVisible(False)
            row_layout.addWidget(notes)
            self.row_notes[question.id] = notes
            self.rows[question.id] = row
            layout.addWidget(row)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(page)
        return scroll

    def _load_values(self) -> None:
        for question_id, editor in self.editors.items():
            editor.set_value(self.answers.get(question_id))
            editor.set_read_only(self.read_only)
        for role, block in self.signature_blocks.items():
            block.show_signature(self.signatures.get(role))
            block.set_read_only(self.read_only)

    # --- navigation ---------------------------------------------------------------------------------------

    def go_to(self, index: int) -> None:
        if not 0 <= index < self.pages.count():
            return
        section = self.template.sections[index]
        self._show_answers(self.controller.entering(index))
        if not self.read_only and any(q.type == "signature" for q in section.questions):
            self._propose_signature_names()
        self.pages.setCurrentIndex(index)
        self.section_list.setCurrentIndex(self.section_model.index(index, 0))
        self.back_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < self.pages.count() - 1)
        if section.kind == "summary":
            self._render_summary()
        self._refresh()

    def step_by(self, offset: int) -> None:
        """Back or Next: show the step and put the cursor in its first field, so typing goes on from the keyboard
        (the walkthrough found focus left on the buttons: a click or a Tab on every one of the 14 steps)."""
        self.go_to(self.pages.currentIndex() + offset)
        self._focus_first_field()

    def _focus_first_field(self) -> None:
        page = self.pages.currentWidget()
        if isinstance(page, QScrollArea):
            page.verticalScrollBar().setValue(0)
        field = self._first_field()
        if field is not None:
            field.setFocus(Qt.FocusReason.TabFocusReason)
            if isinstance(page, QScrollArea) and self.isVisible():  # laid out: before, it scrolled the title away
                page.ensureWidgetVisible(field)

    def _first_field(self) -> QWidget | None:
        """Where typing should go on the current step: the first answer not yet given that Tab would reach (a
        drop-down, a text box, a signature's name), else the first answer; None on a step with none (the summary).
        Prefilled answers (the date, the logged hours) are passed over: they are there to confirm, not to type."""
        fields: list[tuple[QWidget, bool]] = []
        for question in self.current_section().questions:
            if question.derived is not None:
                continue  # worked out by the app (planned hours, shortfall): shown, never typed
            editor = self.editors.get(question.id)
            block = next((b for b in self.signature_blocks.values() if b.question.id == question.id), None)
            root = editor.focus_widget() if editor is not None else block.name if block is not None else None
            field = _tab_reachable_within(root) if root is not None else None
            if field is not None:
                given = (block.role in self.signatures) if block is not None else _is_given(
                    self.answers.get(question.id))
                fields.append((field, given))
        if self.read_only:
            return fields[0][0] if fields else None
        return next((f for f, given in fields if not given), fields[0][0] if fields else None)

    def go_to_problem(self, problem: Problem) -> None:
        """Show the step a problem is on and put the cursor in its field (scrolled into view), when it has one."""
        self.go_to(self.section_index(problem.section_id))
        question_id = problem.question_id
        row = self.rows.get(question_id) if question_id else None
        if row is None:
            return
        page = self.pages.currentWidget()
        if isinstance(page, QScrollArea):
            page.ensureWidgetVisible(row)
        editor = self.editors.get(question_id) if question_id else None
        block = next((b for b in self.signature_blocks.values() if b.question.id == question_id), None)
        target = editor.focus_widget() if editor is not None else block.name if block is not None else row
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def _propose_signature_names(self) -> None:
        """Fill the name beside each signature not yet given with the name the app knows (editable); it is saved
        with the signature, so nothing is recorded until someone signs."""
        for role, name in self.controller.proposed_names().items():
            block = self.signature_blocks.get(role)
            if block is not None and not block.name.text().strip():
                block.name.setText(name)

    def current_section(self) -> Section:
        return self.template.sections[self.pages.currentIndex()]

    # --- editing and saving ----------------------------------------------------------------------------------

    def _edited(self, question_id: str) -> None:
        self._show_answers(self.controller.edited(question_id, self.editors[question_id].value()))
        self._refresh()

    def _show_answers(self, answers: dict[str, Any]) -> None:
        """Show the answers a rule worked out (a carried target added to the new targets, say) in their editors."""
        for key, value in answers.items():
            if key in self.editors:
                self.editors[key].set_value(value)

    def save_now(self) -> None:
        """Write pending answers now (leaving a field, Ctrl+S and closing call it; the controller's timer too)."""
        self.controller.save_now()

    def _signature_changed(self, role: str) -> None:
        if self.read_only:
            return  # a signed review's names stay focusable (read-only, not disabled): leaving one saves nothing
        block = self.signature_blocks[role]
        if block.absent.isChecked() and not block.reason.text().strip():
            return  # "could not sign" is recorded once the reason is given
        name = block.name.text().strip()
        if block.absent.isChecked():
            signature = self.controller.signature_changed(role, name=name, absent_reason=block.reason.text().strip())
        elif block.pad.is_empty() and not name:
            signature = self.controller.signature_changed(role, name=name, empty=True)
        else:
            signature = self.controller.signature_changed(
                role, name=name, image_png=None if block.pad.is_empty() else block.pad.png(),
                strokes=block.pad.strokes())
        if signature is False:
            return
        block.signed_label.setText(f"Signed {format_datetime(signature.signed_at)}"
                                   if signature and signature.signed_at else "")
        self._refresh()

    # --- derived state ------------------------------------------------------------------------------------

    def _refresh(self) -> None:
        effective = self.draft.effective()
        for question_id, editor in self.editors.items():
            if isinstance(editor, DerivedEditor):
                editor.set_value(effective.get(question_id))
            if isinstance(editor, TargetListEditor):
                # The dates finalising judges the targets by (review_warnings), so a target's advice matches it.
                next_q = self.template.question_for_record_field("next_review_date")
                visit_q = self.template.question_for_record_field("visit_date")
                editor.set_dates(parse_iso_date(effective.get(visit_q.id)) if visit_q else None,
                                 parse_iso_date(effective.get(next_q.id)) if next_q else None)
        for section in self.template.sections:
            for question in section.questions:
                row = self.rows.get(question.id)
                if row is not None:
                    row.setVisible(is_visible(question, effective))
        statuses = self.draft.statuses()
        by_id = {s.section_id: s for s in statuses}
        for row, section in enumerate(self.template.sections):
            item = self.section_model.item(row)
            status = by_id.get(section.id)
            if section.kind == "summary" or status is None:
                item.setText(f"   {section.title}")
                continue
            mark = step_mark(status, self.answers)
            item.setText(mark.text)
            item.setData(mark.accessible, Qt.ItemDataRole.AccessibleTextRole)
            item.setToolTip(mark.tooltip)
            self._show_notes(section, status.problems, status.warnings)

    def _show_notes(self, section: Section, problems: Sequence[Problem], warnings: Sequence[Problem]) -> None:
        """Under each answer of a step, what finalising would refuse in it and what the checks advise.

        A required answer not yet given is left to the side list ("to do"), so a fresh step is not a wall of
        red; the new targets' SMART advice is shown by each target (TargetListEditor), so it is not repeated here.
        """
        attention = attention_problems(problems, self.answers)
        for question in section.questions:
            notes = self.row_notes.get(question.id)
            if notes is None:
                continue
            lines = [f"Needs attention: {p.message}" for p in attention if p.question_id == question.id]
            if question.type != "target_list":
                lines += [f"⚠ Worth checking: {w.message}" for w in warnings if w.question_id == question.id]
            text = "\n".join(lines)
            if notes.text() != text:
                notes.setText(text)
                notes.setVisible(bool(text))
                editor = self.editors.get(question.id)
                if editor is not None:
                    editor.focus_widget().setAccessibleDescription(" ".join(filter(None, (question.help, text))))

    def _render_summary(self) -> None:
        self.summary.setHtml(summary_html(self.draft, self.samples))

    # --- finalising ---------------------------------------------------------------------------------------

    def readiness(self) -> Readiness:
        return self.draft.readiness()

    def finalise(self) -> bool:
        """Check, confirm and finalise. Returns True when the review was finalised."""
        self.save_now()
        readiness = self.readiness()
        if not readiness.ready:
            self.show_problems(readiness)
            first = readiness.problems[0].section_id
            self.go_to(next(i for i, s in enumerate(self.template.sections) if s.id == first))
            return False
        if not self.confirm("Finalise review", finalise_question(readiness.warning_messages())):
            return False
        try:
            self.controller.finalise()  # the session now holds exactly what was signed (hidden answers dropped)
        except ReviewNotReady as exc:
            self.show_problems(exc.readiness)
            return False
        except Exception as exc:  # shown, never swallowed: the draft is untouched (finalising is all or nothing)
            self.show_error("The review could not be finalised", str(exc))
            return False
        self._show_summary_intro()
        self._load_values()
        self.finalise_button.hide()
        self.print_draft_button.hide()
        self.print_button.show()
        self.print_button.setFocus()
        self.setWindowTitle(f"Progress review — {self.learner_name} (finalised, read-only)")
        self.status_label.setText("Finalised")
        self.finalised.emit(self.review_id)
        return True

    def save_calendar_file(self) -> Path | None:
        ics = self.controller.calendar_file(self.learner_name)
        if ics is None:
            self.show_error("No next review date", "Set the next review date first.")
            return None
        path = self.choose_save_path(f"next-review-{self.learner_name.replace(' ', '-').lower()}.ics")
        if path is None:
            return None
        path.write_bytes(ics)
        self.status_label.setText(f"Calendar file saved: {path.name}")
        return path

    # --- dialogs (tests replace these) --------------------------------------------------------------------------

    def show_problems(self, readiness: Readiness) -> None:
        """The problems as a list that fits the screen; choosing one goes to its field. Not blocking (`open`)."""
        if self.problems_dialog is not None:  # one list at a time: the newest is the true one
            self.problems_dialog.close()
            self.problems_dialog.deleteLater()
        self.problems_dialog = NotReadyDialog(readiness, self.go_to_problem, self)
        self.problems_dialog.open()

    def show_error(self, title: str, text: str) -> None:
        QMessageBox.critical(self, title, text)

    def confirm(self, title: str, text: str) -> bool:
        return QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes

    def choose_save_path(self, suggested: str) -> Path | None:
        chosen, _ = QFileDialog.getSaveFileName(self, "Save calendar file", suggested, "Calendar (*.ics)")
        return Path(chosen) if chosen else None

    def closeEvent(self, event: Any) -> None:
        self.save_now()
        super().closeEvent(event)

    def section_index(self, section_id: str) -> int:
        return next(i for i, s in enumerate(self.template.sections) if s.id == section_id)
