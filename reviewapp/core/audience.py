"""Which copy of a review carries which answer: one rule, used by every printed document.

A review holds things a learner tells their assessor in confidence (welfare in their own words, safeguarding,
learning support needs). The employer signs the same review and takes a copy of it, so the template marks, per
section or question, the copies that carry each answer (`audience`). A copy that may not carry an answer keeps the
question's label with `withheld_text` in place of the answer, so its reader still sees that the review was whole.

Withholding changes what a copy shows, never what was signed: the content hash covers every answer, and a copy with
withheld answers says so beside the hash.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reviewapp.core.templates import AUDIENCES, Audience, Question, Section, Template

_NAMES: dict[str, str] = {"learner": "the learner", "employer": "the employer", "provider": "the provider"}

#: Said beside the fingerprint on a copy that withholds answers, so a verifier does not expect its text to hash.
WITHHELD_NOTE = ("Some answers are withheld on this copy. The content hash covers the whole signed review, as the "
                 "provider holds it, not only the answers printed here.")


def declared_audience(template: Template, section: Section | None, question: Question) -> tuple[str, ...]:
    """The copies a question's answer is marked for: the question's own audience, else its section's, else all."""
    section = section if section is not None else template.section_of(question.id)
    chosen = question.audience if question.audience is not None else section.audience
    return tuple(a for a in AUDIENCES if chosen is None or a in chosen)


def answer_audience(template: Template, question: Question, answers: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The copies that carry this answer in this review: the declared audience, narrowed by `audience_if` when its
    condition holds. With no answers to test the condition against, the narrower audience applies (fail closed)."""
    from reviewapp.core.review_rules import condition_holds  # review_rules imports templates; keep this one-way

    audience = declared_audience(template, None, question)
    rule = question.audience_if
    if rule is not None and (answers is None or condition_holds(rule.when, answers)):
        audience = tuple(a for a in audience if a in rule.audience)
    return audience


def answer_visible_to(template: Template, question: Question, audience: Audience,
                      answers: Mapping[str, Any] | None = None) -> bool:
    """Whether the copy for `audience` carries this question's answer (the provider's copy carries every one)."""
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}; choose learner, employer or provider")
    return audience in answer_audience(template, question, answers)


def withheld_text(template: Template, question: Question, answers: Mapping[str, Any] | None = None) -> str:
    """What a copy prints in place of an answer it does not carry, naming who the answer is shared with."""
    names = [_NAMES[a] for a in answer_audience(template, question, answers)]
    shared = " and ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"Withheld: shared only with {shared}."


def asked_on_copy(template: Template, question: Question, audience: Audience,
                  answers: Mapping[str, Any] | None = None) -> bool:
    """Whether a copy shows a (visible) question at all, answered or withheld. A withheld question asked only
    because of a withheld answer is left out: showing that it was asked would tell the reader that answer."""
    condition = question.show_if
    if condition is None:
        return True
    for other_id in (condition.question, condition.differs_from):
        if other_id and not answer_visible_to(template, template.question(other_id), audience, answers):
            return False
    return True
