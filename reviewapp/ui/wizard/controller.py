"""The wizard's controller: between the editing session (core), the review operations and the view.

It owns when things are saved (every answer within SAVE_WITHIN_MS of being typed — a throttle, not a debounce, so
continuous typing still saves every half second — and at once when a field is left, the step changes or the window
closes) and runs every read and write through one seam, `_run`. Today `_run` calls the operation on the UI thread
(synchronously, so a close can never lose an answer); it is the one line the lead switches to the database worker
in `ui/tasks.py` once that lands. Nothing here opens a store session.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal

from reviewapp.core.calendar import Attendee, booked_duration, booked_start, next_review_ics
from reviewapp.core.editing_session import EditingSession
from reviewapp.core.review_rules import parse_iso_date
from reviewapp.core.scheduling import DEFAULT_RULES, ScheduleRules
from reviewapp.core.templates import Template, load_template
from reviewapp.operations import reviews as review_ops
from reviewapp.operations.changes import Changes, Outcome
from reviewapp.store.database import Store
from sync.protocol import SignatureData

SAVE_WITHIN_MS = 500
T = TypeVar("T")


class WizardController(QObject):
    """One open review: its editing session, its autosave, and the operations that read and write it.

    `saved` follows each successful save; `save_failed(title, text)` a failed one (the answers stay pending and the
    next save retries); `changed` carries what an operation changed, for the main window's models.
    """

    saved = Signal()
    save_failed = Signal(str, str)
    changed = Signal(object)

    def __init__(self, store: Store, review_id: str, *, rules: ScheduleRules = DEFAULT_RULES,
                 template: Template | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.rules = rules
        self.review_id = review_id
        self.opened = self._run(review_ops.open_review, review_id, rules)
        self.review = self.opened.review
        self.template = template or load_template(self.review.template_id, version=self.review.template_version)
        self.session = EditingSession(template=self.template, context=self.opened.context,
                                      answers=dict(self.review.answers),
                                      signatures={s.role: s for s in self.opened.signatures},
                                      read_only=self.review.status != "draft")
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_WITHIN_MS)
        self._save_timer.timeout.connect(self.save_now)

    def _run(self, operation: Callable[..., Outcome[T]], *args: Any, **kwargs: Any) -> T:
        """The one seam to the store: run an operation, announce what it changed, return its value."""
        outcome = operation(self._store, *args, **kwargs)
        if outcome.changes:
            self.changed.emit(outcome.changes)
        return outcome.value

    # --- answers -------------------------------------------------------------------------------------------

    def edited(self, question_id: str, value: Any) -> dict[str, Any]:
        """An answer was typed: keep it, save it within SAVE_WITHIN_MS; returns other answers a rule changed."""
        changes = self.session.edit(question_id, value)
        if self.session.dirty and not self._save_timer.isActive():
            self._save_timer.start()
        return changes

    def entering(self, index: int) -> dict[str, Any]:
        """The view is about to show step `index`: save, and take what reaching it proposes (saved at once)."""
        self.save_now()
        changes = self.session.entering(self.template.sections[index])
        if changes:
            self.save_now()
        return changes

    def save_now(self) -> bool:
        """Write pending answers (the timer, leaving a field, changing step and closing call it); False if a save
        failed (the answers stay pending)."""
        self._save_timer.stop()
        pending = self.session.take_pending()
        if not pending:
            return True
        try:
            self._run(review_ops.save_answers, self.review_id, self.review.learner_id, pending)
        except Exception as exc:
            self.session.restore_pending(pending)  # keep them; the next save retries
            self.save_failed.emit("Your answers could not be saved", str(exc))
            return False
        self.saved.emit()
        return True

    # --- signatures --------------------------------------------------------------------------------------

    def signature_changed(self, role: str, *, name: str, absent_reason: str = "", image_png: str | None = None,
                          strokes: Any = None, empty: bool = False) -> SignatureData | bool | None:
        """Save (or, when `empty`, clear) one signature; returns it as stored (None when cleared), False on failure."""
        try:
            if empty:
                signatures = self._run(review_ops.clear_signature, self.review_id, self.review.learner_id, role)
            else:
                signatures = self._run(review_ops.save_signature, self.review_id, self.review.learner_id, role,
                                       name=name, absent_reason=absent_reason, image_png=image_png, strokes=strokes)
        except Exception as exc:
            self.save_failed.emit("The signature could not be saved", str(exc))
            return False
        self.session.set_signatures(signatures)
        return self.session.signatures.get(role)

    def proposed_names(self) -> dict[str, str]:
        """The names to fill beside the signatures not yet given (the assessor's from the settings)."""
        return self.session.proposed_names(self._run(review_ops.assessor)[0])

    # --- finalising --------------------------------------------------------------------------------------

    def finalise(self) -> None:
        """Finalise (raises ReviewNotReady or the store's error; the draft is then untouched)."""
        review, signatures = self._run(review_ops.finalise, self.review_id, self.review.learner_id, self.template,
                                       self.rules)
        self.review = review
        self.session.finalised(review.answers, signatures)

    # --- the next review's calendar file ------------------------------------------------------------------

    def calendar_file(self, learner_name: str) -> bytes | None:
        """The next review as an .ics event; None when no next review date is set."""
        session = self.session
        day = parse_iso_date(session.effective_record_field("next_review_date"))
        if day is None:
            return None
        context = session.context
        learner = context.learner
        attendees = []
        if learner and learner.email:
            attendees.append(Attendee(learner_name, learner.email))
        employer = context.employer
        if employer and employer.contact_email:
            attendees.append(Attendee(employer.contact_name or employer.name, employer.contact_email))
        # The time and length as booked (10:00 for an hour when not recorded: the server's invitation says the same).
        start = booked_start(day, session.effective_record_field("next_review_time"))
        # RFC 5545: attendees only with an organiser, the assessor, when this laptop knows their address; otherwise
        # a plain event (the invitations themselves go from the server).
        name, email = self._run(review_ops.assessor)
        organiser = Attendee(name or "Assessor", email) if email else None
        return next_review_ics(review_id=self.review_id, date=day, learner_name=learner_name,
                               start_time=start.time(),
                               duration=booked_duration(session.effective_record_field("next_review_minutes")),
                               location=str(session.answer_for_key("visit_location") or ""), organiser=organiser,
                               attendees=tuple(attendees), programme=learner.programme if learner else "")


__all__ = ["SAVE_WITHIN_MS", "Changes", "WizardController"]
