"""The review being edited in the wizard: its one copy of the draft, what is not yet saved, and what follows from it.

The wizard's view shows this and its controller saves it; neither keeps answers of its own (the wizard held a second
copy of the draft beside its widgets, and the two could disagree). Pure Python, no Qt and no store, so every rule
the wizard applies while typing — carried targets, the proposed next review date, step statuses, what finalising
would refuse — is tested without a window (tests/core/test_editing_session.py). The rules themselves live in
`review_rules` and `drafts`; this module only decides when they run and keeps the result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reviewapp.core.drafts import proposed_signature_names, with_carried_targets, with_proposed_next_review
from reviewapp.core.review_rules import (
    Readiness,
    ReviewContext,
    SectionStatus,
    effective_answers,
    finalise_readiness,
    section_statuses,
)
from reviewapp.core.templates import Section, Template
from sync.protocol import SignatureData


@dataclass
class EditingSession:
    """One review's answers and signatures as the wizard shows them, and the answers not yet written to the store.

    `answers` is the draft; `pending` the answers changed since the last save (taken by `take_pending` when a save
    starts, and given back by `restore_pending` if it fails, so nothing typed is lost). A finalised review is
    `read_only`: edits are refused and nothing is ever pending.
    """

    template: Template
    context: ReviewContext
    answers: dict[str, Any]
    signatures: dict[str, SignatureData] = field(default_factory=dict)
    read_only: bool = False
    pending: dict[str, Any] = field(default_factory=dict)

    # --- editing -------------------------------------------------------------------------------------------

    def edit(self, question_id: str, value: Any) -> dict[str, Any]:
        """Take an answer the user gave; returns the other answers a rule changed because of it (a target carried
        forward from the last review added to the new targets), for the view to show."""
        if self.read_only:
            return {}
        self.answers[question_id] = value
        self.pending[question_id] = value
        question = next((q for _, q in self.template.questions() if q.id == question_id), None)
        if question is not None and question.type == "previous_targets":
            return self.take(with_carried_targets(self.template, self.answers, self.context))
        return {}

    def take(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        """Take the answers a rule worked out; returns those that differ from the draft (now pending)."""
        changes = {k: v for k, v in answers.items() if self.answers.get(k) != v}
        self.answers.update(changes)
        self.pending.update(changes)
        return changes

    def entering(self, section: Section) -> dict[str, Any]:
        """What reaching a step changes: the next review date is proposed on the step that asks it, because the
        proposal depends on the ratings given in earlier steps. Returns the answers changed."""
        if self.read_only or not any(q.record_field == "next_review_date" for q in section.questions):
            return {}
        return self.take(with_proposed_next_review(self.template, self.answers, self.context))

    def proposed_names(self, assessor_name: str) -> dict[str, str]:
        """The name to fill beside each signature not yet given (editable; saved only with the signature)."""
        if self.read_only:
            return {}
        names = proposed_signature_names(self.template, self.answers, self.context, assessor_name)
        return {role: name for role, name in names.items() if role not in self.signatures}

    # --- saving --------------------------------------------------------------------------------------------

    @property
    def dirty(self) -> bool:
        """Answers changed and not yet saved."""
        return bool(self.pending) and not self.read_only

    def take_pending(self) -> dict[str, Any]:
        """The answers to save now; they are no longer pending (give them back with `restore_pending` on failure)."""
        if self.read_only:
            return {}
        pending, self.pending = self.pending, {}
        return pending

    def restore_pending(self, unsaved: Mapping[str, Any]) -> None:
        """A save failed: its answers are pending again, under any typed since (the newer value wins)."""
        self.pending = dict(unsaved) | self.pending

    def set_signatures(self, signatures: Sequence[SignatureData]) -> None:
        """The signatures as the store holds them after a signature was saved or cleared."""
        self.signatures = {s.role: s for s in signatures}

    def finalised(self, answers: Mapping[str, Any], signatures: Sequence[SignatureData]) -> None:
        """The review as finalised (hidden answers dropped): shown exactly as signed, read-only from now on."""
        self.answers = dict(answers)
        self.set_signatures(signatures)
        self.pending = {}
        self.read_only = True

    # --- what follows from the draft ---------------------------------------------------------------------

    def effective(self) -> dict[str, Any]:
        """The answers with the derived ones worked out (planned hours, shortfall, proposed date)."""
        return effective_answers(self.template, self.answers, self.context)

    def effective_record_field(self, record_field: str) -> Any:
        """The effective answer to the question that sets `record_field` (None if the template has none)."""
        question = self.template.question_for_record_field(record_field)
        return self.effective().get(question.id) if question else None

    def answer_for_key(self, key: str) -> Any:
        """The answer to the question the template marks with `key` (None if it marks none)."""
        question = self.template.question_for_key(key)
        return self.answers.get(question.id) if question else None

    def statuses(self) -> list[SectionStatus]:
        return section_statuses(self.template, self.answers, list(self.signatures.values()), self.context)

    def readiness(self) -> Readiness:
        return finalise_readiness(self.template, self.answers, list(self.signatures.values()), self.context)

    def section_index(self, section_id: str) -> int:
        return next(i for i, s in enumerate(self.template.sections) if s.id == section_id)
