"""What a draft review still needs: per-section completeness and the check before finalising.

The wizard's side list, its finalise button and the store's finalise transaction must agree exactly on what
"complete" means, so the rules live here once, as pure functions over the template, the answers, the signatures
and a `ReviewContext` (the learner's records the review is about). Conditions (`show_if`) are honoured: a hidden
question is never required, and an answer to it does not count.

The finalise check comes in two parts from one set of rules: `signed_review_readiness`, which needs nothing but the
review as signed (its answers and signatures) and which the sync server enforces too, and the rest, which judges
the answers against the learner's records; `finalise_readiness` (the laptop's check) is both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from reviewapp.core import otj
from reviewapp.core.dates import format_date, parse_time
from reviewapp.core.review_frequency import learner_interval
from reviewapp.core.scheduling import (
    DEFAULT_RULES,
    FUNDING_CEILING,
    ProposedReviewDate,
    ScheduleRules,
    propose_next_review,
)
from reviewapp.core.smart import check_target_items
from reviewapp.core.templates import Question, Section, ShowIf, Template, TemplateError, load_template
from sync.protocol import EmployerData, LearnerData, PlanItemData, SignatureData, TargetData

TARGET_OUTCOMES: dict[str, str] = {
    "met": "met",
    "partly_met": "partly met",
    "not_met": "not met",
    "no_longer_relevant": "no longer relevant",
}
#: Outcomes that need a comment saying why; "met" is evidence enough on its own.
_OUTCOMES_NEEDING_COMMENT = frozenset({"partly_met", "not_met", "no_longer_relevant"})
#: Outcomes that may be carried forward as a new target.
CARRYABLE_OUTCOMES = frozenset({"partly_met", "not_met"})


@dataclass(frozen=True)
class ReviewContext:
    """The records a review is about, as the store holds them when the wizard opens."""

    review_id: str
    learner: LearnerData | None = None
    open_targets: Mapping[str, TargetData] = field(default_factory=dict)
    plan_items: Mapping[str, PlanItemData] = field(default_factory=dict)
    last_review_date: dt.date | None = None
    rules: ScheduleRules = DEFAULT_RULES
    employer: EmployerData | None = None


@dataclass(frozen=True)
class Problem:
    """Something a user must fix, worded for them; `question_id` lets the wizard jump to the question."""

    section_id: str
    question_id: str | None
    message: str


@dataclass(frozen=True)
class SectionStatus:
    """One step as the side list shows it: `problems` block finalising; `warnings` do not (vague targets)."""

    section_id: str
    title: str
    complete: bool
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Readiness:
    """Whether a draft can be finalised, and if not, what is missing section by section."""

    problems: tuple[Problem, ...]
    section_titles: Mapping[str, str]
    warnings: tuple[Problem, ...] = ()

    @property
    def ready(self) -> bool:
        return not self.problems

    def by_section(self) -> dict[str, list[Problem]]:
        grouped: dict[str, list[Problem]] = {}
        for problem in self.problems:
            grouped.setdefault(problem.section_id, []).append(problem)
        return grouped

    def messages(self) -> list[str]:
        """One line per problem, prefixed by its section's title, for the finalise dialog."""
        return [f"{self.section_titles.get(p.section_id, p.section_id)}: {p.message}" for p in self.problems]

    def warning_messages(self) -> list[str]:
        """Points worth a second look that do not stop finalising (vague targets, for example)."""
        return [f"{self.section_titles.get(p.section_id, p.section_id)}: {p.message}" for p in self.warnings]


# --- Answers the app works out ------------------------------------------------------------------------------------


def parse_iso_date(value: Any) -> dt.date | None:
    """A stored date answer as a date; None for blanks and anything that is not an ISO date."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def proposed_next_review(template: Template, answers: Mapping[str, Any], context: ReviewContext
                         ) -> ProposedReviewDate | None:
    """The scheduling rules' proposal from this draft's visit date and ratings; None until the visit date is set."""
    visit = _record_answer(template, answers, "visit_date")
    visit_date = parse_iso_date(visit)
    if visit_date is None:
        return None
    support = _record_answer(template, answers, "has_support_needs")
    if not isinstance(support, bool):
        support = bool(context.learner and context.learner.support_needs.strip())
    return propose_next_review(
        visit_date,
        progress_rag=_record_answer(template, answers, "progress_rag"),
        welfare_rag=_record_answer(template, answers, "welfare_rag"),
        has_support_needs=support,
        rules=context.rules,
        learner_interval=learner_interval(context.learner),
    )


def effective_answers(template: Template, answers: Mapping[str, Any], context: ReviewContext) -> dict[str, Any]:
    """The answers with the app's own figures (planned hours, shortfall, proposed date) filled in.

    Derived values always overwrite whatever is stored, so a stale figure cannot survive a change of the
    answers it depends on.
    """
    result = dict(answers)
    for _, question in template.questions():
        if question.derived is None:
            continue
        result.pop(question.id, None)
        value = _derived_value(template, question.derived, result, context)
        if value is not None:
            result[question.id] = value
    return result


def _derived_value(template: Template, name: str, answers: Mapping[str, Any], context: ReviewContext) -> Any:
    if name == "otj_planned_to_date":
        visit_date = parse_iso_date(_record_answer(template, answers, "visit_date"))
        learner = context.learner
        if learner is None or visit_date is None:
            return None
        return otj.planned_hours_to_date(
            learner.planned_otj_hours, learner.start_date, learner.planned_end_date, visit_date
        )
    if name == "otj_shortfall":
        planned_q = next(q for _, q in template.questions() if q.derived == "otj_planned_to_date")
        logged_q = next(q for _, q in template.questions() if q.prefill == "otj_logged_to_date")
        to_date = answers.get(logged_q.id)
        return otj.shortfall(answers.get(planned_q.id), to_date if _is_number(to_date) else None)
    if name == "next_review_proposed":
        proposal = proposed_next_review(template, answers, context)
        return proposal.date.isoformat() if proposal else None
    raise ValueError(f"unknown derived value {name!r}")


def _record_answer(template: Template, answers: Mapping[str, Any], record_field: str) -> Any:
    question = template.question_for_record_field(record_field)
    return answers.get(question.id) if question is not None else None


# --- Visibility -----------------------------------------------------------------------------------------------------


def visible_answers(template: Template, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Only the answers to questions currently shown, in template order: what the summary shows and what is signed.

    Conditions refer only to earlier questions, so one pass in order settles chains (a question hidden because
    the question it depends on is hidden).
    """
    shown: dict[str, Any] = {}
    for _, question in template.questions():
        if is_visible(question, shown) and question.id in answers:
            shown[question.id] = answers[question.id]
    return shown


def visible_questions(
    template: Template, section: Section, answers: Mapping[str, Any], context: ReviewContext
) -> list[Question]:
    """The questions of a section the wizard shows for these answers (derived values count in conditions)."""
    shown = visible_answers(template, effective_answers(template, answers, context))
    return [q for q in section.questions if is_visible(q, shown)]


def is_visible(question: Question, answers: Mapping[str, Any]) -> bool:
    """Whether a question is shown; a condition on an unanswered question is false, so follow-ups wait."""
    return question.show_if is None or condition_holds(question.show_if, answers)


def condition_holds(condition: ShowIf, answers: Mapping[str, Any]) -> bool:
    """Whether answers meet a template condition (a `show_if`, or the `when` of an `audience_if`)."""
    value = answers.get(condition.question)
    if _is_blank(value):
        return False
    operator = condition.operator
    if operator == "equals":
        if isinstance(value, dict):  # a flag: compare whether it was raised
            value = value.get("raised")
        return value == condition.equals
    if operator == "one_of":
        return isinstance(value, str) and value in (condition.one_of or [])
    if operator == "includes":
        return isinstance(value, list) and condition.includes in value
    if operator == "excludes":
        return isinstance(value, list) and condition.excludes not in value
    if operator == "greater_than":
        return _is_number(value) and value > (condition.greater_than or 0)
    if operator == "differs_from":
        other = answers.get(condition.differs_from or "")
        return not _is_blank(other) and other != value
    raise ValueError(f"unknown show_if operator {operator!r}")


# --- Checking answers -------------------------------------------------------------------------------------------------


def section_statuses(
    template: Template,
    answers: Mapping[str, Any],
    signatures: Sequence[SignatureData],
    context: ReviewContext,
) -> list[SectionStatus]:
    """Complete or not, with what blocks finalising and what is worth a second look, for every section: what the
    wizard's side list and each step show.

    Built from `finalise_readiness` itself, so a step is ticked exactly when finalising would find nothing wrong in
    it: a rule added there (a next review in the past, a carried target missing from the new targets) can never be
    missed here. The summary section holds whatever belongs to no step (the assessor's own signature, when a
    template forgot to ask) and is complete when every other section is, so the side list reads as a checklist.
    """
    readiness = finalise_readiness(template, answers, signatures, context)
    problems = readiness.by_section()
    warnings: dict[str, list[Problem]] = {}
    for warning in readiness.warnings:
        warnings.setdefault(warning.section_id, []).append(warning)
    statuses = {
        section.id: SectionStatus(section.id, section.title, not problems.get(section.id),
                                  tuple(problems.get(section.id, ())), tuple(warnings.get(section.id, ())))
        for section in template.sections if section.kind != "summary"
    }
    incomplete = [s.title for s in statuses.values() if not s.complete]
    result: list[SectionStatus] = []
    for section in template.sections:
        if section.kind != "summary":
            result.append(statuses[section.id])
            continue
        own = tuple(problems.get(section.id, ()))
        if incomplete:
            own += (Problem(section.id, None, "Still to complete: " + ", ".join(incomplete) + "."),)
        result.append(SectionStatus(section.id, section.title, not own, own, tuple(warnings.get(section.id, ()))))
    return result


#: Question types whose rows come from the learner's records (the targets open, the plan items held), so whether
#: their answer is complete depends on those records as they stood when the review was signed, not on the answer.
RECORD_DEPENDENT_TYPES = frozenset({"previous_targets", "plan_progress_grid"})


def finalise_readiness(
    template: Template,
    answers: Mapping[str, Any],
    signatures: Sequence[SignatureData],
    context: ReviewContext,
) -> Readiness:
    """Every problem that stops this draft being finalised, in wizard order, worded for the assessor.

    The laptop's whole check: the app's figures are worked out from `context` first, and the follow-up of each open
    target and the progress of each plan item are checked against `context` too.
    """
    problems = _finalise_problems(template, effective_answers(template, answers, context), signatures, context)
    return Readiness(tuple(problems), _section_titles(template), tuple(review_warnings(template, answers, context)))


def signed_review_readiness(
    template: Template,
    answers: Mapping[str, Any],
    signatures: Sequence[SignatureData],
) -> Readiness:
    """The part of `finalise_readiness` that depends on nothing but the review as it was signed.

    `answers` are a finalised review's answers, the app's figures (planned hours, shortfall, proposed date) as they
    were stamped. Checked: every party has signed (with a name) or, where the template allows it, has a reason
    recorded for their absence, and the assessor has signed; every required question that these answers show is
    answered, and every answer is valid for its question's type; the next review date keeps to the funding rules.

    This is what the sync server enforces before it accepts a finalised review, because nothing else in the laptop's
    check can be repeated faithfully later, elsewhere: which targets had to be followed up and which plan items
    needed a progress figure depend on the learner's records on the laptop when the review was signed (a review
    finalised offline may reach the server after the office has added a plan item or closed a target, and the
    review's own follow-ups close targets in the same push), and the app's figures depend on the learner's OTJ plan
    and the laptop's scheduling rules at that moment. Recomputing those on the server would refuse genuine reviews
    signed offline, so they are taken as signed (which also means a client that forges a figure, a shortfall of 0
    to skip the recovery plan say, is not caught here). Nothing here reads the date or the time zone either.

    Whatever this finds over a finalised review, `finalise_readiness` found over the draft it was finalised from
    (the signed answers are that draft's shown answers with the figures stamped, checked by the same rules), so a
    review the laptop finalised always passes it.
    """
    return Readiness(tuple(_finalise_problems(template, answers, signatures, None)), _section_titles(template))


def _finalise_problems(
    template: Template,
    answers: Mapping[str, Any],
    signatures: Sequence[SignatureData],
    context: ReviewContext | None,
) -> list[Problem]:
    """The problems that block finalising, in wizard order; without a context, questions whose rows come from the
    learner's records (`RECORD_DEPENDENT_TYPES`) are left out rather than judged against records not at hand."""
    shown = visible_answers(template, answers)
    problems: list[Problem] = []
    for section in template.sections:
        if section.kind == "summary":
            continue
        for question in section.questions:
            if not is_visible(question, shown):
                continue
            value = shown.get(question.id)
            if question.type not in RECORD_DEPENDENT_TYPES:
                problems.extend(answer_problems(section, question, value, signatures))
            elif context is not None:
                problems.extend(question_problems(section, question, value, context, signatures))
    if context is not None:
        problems.extend(_carried_target_problems(template, shown, context))
    problems.extend(_next_review_problems(template, answers))
    problems.extend(_assessor_signature_problems(template, signatures))
    return problems


def targets_to_carry(template: Template, answers: Mapping[str, Any], context: ReviewContext
                     ) -> dict[str, TargetData]:
    """The open targets this draft's follow-up marks "carry forward" (partly met or not met only), by id."""
    question = next(iter(template.questions_of_type("previous_targets")), None)
    outcomes = answers.get(question.id) if question else None
    outcomes = outcomes if isinstance(outcomes, dict) else {}
    carried: dict[str, TargetData] = {}
    for target_id, target in context.open_targets.items():
        outcome = outcomes.get(target_id)
        if (isinstance(outcome, dict) and outcome.get("carry_forward")
                and outcome.get("status") in CARRYABLE_OUTCOMES):
            carried[target_id] = target
    return carried


def carried_ids_listed(template: Template, answers: Mapping[str, Any]) -> set[str]:
    """The ids of the targets the new-targets list carries forward (its items' `carried_from_id`)."""
    question = next(iter(template.questions_of_type("target_list")), None)
    items = answers.get(question.id) if question else None
    return {str(item["carried_from_id"]) for item in (items if isinstance(items, list) else [])
            if isinstance(item, dict) and item.get("carried_from_id")}


def _carried_target_problems(template: Template, answers: Mapping[str, Any], context: ReviewContext
                             ) -> list[Problem]:
    """A target to carry forward must be among the new targets, where the learner sees it on the page they sign,
    reworded and dated by the assessor; finalising never creates one behind their back. Laptop only: which targets
    were open is the laptop's record at signing, which the server cannot repeat (see `signed_review_readiness`)."""
    missing = {tid: t for tid, t in targets_to_carry(template, answers, context).items()
               if tid not in carried_ids_listed(template, answers)}
    if not missing:
        return []
    section, question = next((s, q) for s, q in template.questions() if q.type == "previous_targets")
    return [Problem(section.id, question.id,
                    f"Target “{_short(target.text)}” is to be carried forward but is not among the new targets: "
                    "add it back there, or untick “Carry forward as a new target”.")
            for target in missing.values()]


def _section_titles(template: Template) -> dict[str, str]:
    return {s.id: s.title for s in template.sections}


def review_warnings(template: Template, answers: Mapping[str, Any], context: ReviewContext) -> list[Problem]:
    """Non-blocking warnings: each new target the SMART checker finds vague, judged against this review's date
    and the next review date."""
    effective = effective_answers(template, answers, context)
    warnings: list[Problem] = []
    visit = parse_iso_date(_record_answer(template, effective, "visit_date"))
    next_review = parse_iso_date(_record_answer(template, effective, "next_review_date"))
    for section, question in template.questions():
        if question.type != "target_list" or not isinstance(effective.get(question.id), list):
            continue
        items = [i if isinstance(i, dict) else {} for i in effective[question.id]]
        for index, found in check_target_items(items, next_review_date=next_review, today=visit).items():
            warnings.extend(Problem(section.id, question.id, f"New target {index + 1}: {w.message}") for w in found)
    return warnings


def _next_review_problems(template: Template, answers: Mapping[str, Any]) -> list[Problem]:
    """Funding rules: the next review after the visit and no more than three calendar months later."""
    date_q = template.question_for_record_field("next_review_date")
    visit = parse_iso_date(_record_answer(template, answers, "visit_date"))
    if date_q is None or visit is None:
        return []
    chosen = parse_iso_date(answers.get(date_q.id))
    if chosen is None:
        return []
    section = next(s for s, q in template.questions() if q.id == date_q.id)
    try:
        latest = FUNDING_CEILING.after(visit)
    except OverflowError:  # a visit in the calendar's last weeks: nothing after it can be too late
        latest = dt.date.max
    if chosen <= visit:
        return [Problem(section.id, date_q.id, f"The next review must be after this one ({format_date(visit)}).")]
    if chosen > latest:
        return [Problem(section.id, date_q.id,
                        f"The next review must be no more than {FUNDING_CEILING.in_full} after this one "
                        f"(by {format_date(latest)}), under the funding rules.")]
    return []


def _assessor_signature_problems(template: Template, signatures: Sequence[SignatureData]) -> list[Problem]:
    """The assessor signs every review, even if a template forgot to ask."""
    if any(q.role == "assessor" for q in template.questions_of_type("signature")):
        return []
    if any(s.role == "assessor" and _is_drawn(s) for s in signatures):
        return []
    last = template.sections[-1]
    return [Problem(last.id, None, "You (the assessor) must sign the review.")]


def question_problems(
    section: Section,
    question: Question,
    value: Any,
    context: ReviewContext,
    signatures: Sequence[SignatureData] = (),
) -> list[Problem]:
    """What is wrong with one visible question's answer: missing when required, or not a valid answer at all."""
    if question.type == "previous_targets":
        messages = _previous_target_messages(value, context, question.required)
    elif question.type == "plan_progress_grid":
        messages = _plan_grid_messages(value, context, question.required)
    else:
        return answer_problems(section, question, value, signatures)
    return [Problem(section.id, question.id, message) for message in messages]


def answer_problems(
    section: Section,
    question: Question,
    value: Any,
    signatures: Sequence[SignatureData] = (),
) -> list[Problem]:
    """`question_problems` for a question whose answer is judged on its own (any type but those in
    `RECORD_DEPENDENT_TYPES`): no learner's records needed, so the server can judge it as the laptop does."""
    if question.type in RECORD_DEPENDENT_TYPES:
        raise ValueError(f"a {question.type} answer is judged against the learner's records: use question_problems")
    return [Problem(section.id, question.id, message) for message in _messages_for(question, value, signatures)]


def _messages_for(question: Question, value: Any, signatures: Sequence[SignatureData]) -> list[str]:
    kind = question.type
    label = f"“{question.label}”"
    if kind == "signature":
        return _signature_messages(question, signatures)
    if question.derived is not None:
        return []
    if _is_blank(value):
        if not question.required:
            return []
        if kind == "target_list":
            return ["Set at least one new target."]
        if kind == "scenario":
            return [f"Record the learner's answer to the scenario ({question.label.lower()})."]
        if kind in ("choice", "rag", "yes_no", "flag"):
            return [f"Choose an answer for {label}."]
        if kind == "multi_choice":
            return [f"Tick at least one answer for {label}."]
        return [f"Answer {label}."]
    if kind in ("text", "long_text"):
        return [] if isinstance(value, str) else [f"{label} must be text."]
    if kind in ("choice", "rag"):
        if isinstance(value, str) and value in {o.value for o in question.options}:
            return []
        return [f"Choose one of the listed answers for {label}."]
    if kind == "multi_choice":
        allowed = {o.value for o in question.options}
        if not isinstance(value, list) or any(not isinstance(v, str) or v not in allowed for v in value):
            return [f"Choose from the listed answers for {label}."]
        if question.min_items and len(value) < question.min_items:
            return [f"Tick at least {question.min_items} answers for {label}."]
        return []
    if kind == "yes_no":
        return [] if isinstance(value, bool) else [f"Answer yes or no to {label}."]
    if kind == "date":
        return [] if parse_iso_date(value) else [f"{label} is not a date."]
    if kind == "time":
        return [] if parse_time(value) else [f"{label} is not a time (HH:MM, 24-hour)."]
    if kind in ("number", "hours"):
        return _number_messages(question, value)
    if kind == "flag":
        return _flag_messages(question, value)
    if kind == "scenario":
        response = value.get("response") if isinstance(value, dict) else value
        if response is not None and not isinstance(response, str):
            return [f"The answer to the {question.label.lower()} must be text."]
        if question.required and _is_blank(response):
            return [f"Record the learner's answer to the scenario ({question.label.lower()})."]
        return []
    if kind == "target_list":
        return _target_list_messages(question, value)
    raise ValueError(f"no rule for question type {kind!r}")


def _number_messages(question: Question, value: Any) -> list[str]:
    label = f"“{question.label}”"
    if not _is_number(value):
        return [f"{label} must be a number."]
    if question.min is not None and value < question.min:
        return [f"{label} cannot be less than {question.min:g}."]
    if question.max is not None and value > question.max:
        return [f"{label} cannot be more than {question.max:g}."]
    return []


def _flag_messages(question: Question, value: Any) -> list[str]:
    if not isinstance(value, dict) or not isinstance(value.get("raised"), bool):
        return [f"Choose an answer for “{question.label}”."]
    if value["raised"] and _is_blank(value.get("detail")):
        return [f"“{question.label}” is ticked: fill in “{question.detail_label}”."]
    return []


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _previous_target_messages(value: Any, context: ReviewContext, required: bool) -> list[str]:
    outcomes = value if isinstance(value, dict) else {}
    messages: list[str] = []
    for target_id, target in context.open_targets.items():
        outcome = outcomes.get(target_id)
        outcome = outcome if isinstance(outcome, dict) else {}
        status = outcome.get("status") if isinstance(outcome.get("status"), str) else None
        name = f"Target “{_short(target.text)}”"
        if status not in TARGET_OUTCOMES:
            if required:
                messages.append(f"{name}: choose met, partly met, not met or no longer relevant.")
            continue
        if status in _OUTCOMES_NEEDING_COMMENT and _is_blank(outcome.get("comment")):
            messages.append(f"{name}: say why it was {TARGET_OUTCOMES[status]}.")
        if outcome.get("carry_forward") and status not in CARRYABLE_OUTCOMES:
            messages.append(f"{name}: only a target partly met or not met can be carried forward.")
    return messages


def _plan_grid_messages(value: Any, context: ReviewContext, required: bool) -> list[str]:
    rows = value if isinstance(value, dict) else {}
    messages: list[str] = []
    for item_id, item in context.plan_items.items():
        row = rows.get(item_id)
        progress = row.get("progress") if isinstance(row, dict) else None
        if progress is None:
            if required:
                messages.append(f"“{_short(item.title)}”: give its progress (0 to 100%).")
            continue
        if not _is_number(progress) or not 0 <= progress <= 100:
            messages.append(f"“{_short(item.title)}”: progress must be between 0 and 100%.")
    return messages


def _target_list_messages(question: Question, value: Any) -> list[str]:
    if not isinstance(value, list):
        return ["The new targets are not in a form the app understands."]
    messages: list[str] = []
    for number, target in enumerate(value, start=1):
        if not isinstance(target, dict) or _is_blank(target.get("text")):
            messages.append(f"New target {number} has no wording: write it, or remove it.")
            continue
        due = target.get("due_date")
        if not _is_blank(due) and parse_iso_date(due) is None:
            messages.append(f"New target {number}: the due date is not a date.")
    if question.min_items and len(value) < question.min_items:
        messages.append("Set at least one new target." if question.min_items == 1
                        else f"Set at least {question.min_items} new targets.")
    return messages


_ROLE_NAMES = {"learner": "the learner", "employer": "the employer's representative", "assessor": "you (the assessor)"}


def _signature_messages(question: Question, signatures: Sequence[SignatureData]) -> list[str]:
    role = question.role or ""
    who = _ROLE_NAMES.get(role, role)
    signature = next((s for s in signatures if s.role == role), None)
    if signature is not None and _is_drawn(signature):
        if _is_blank(signature.name):
            return [f"Add the name of {who} beside the signature."]
        return []
    if signature is not None and not _is_blank(signature.absent_reason) and question.allow_absence:
        return []
    if not question.required and signature is None:
        return []
    if not question.allow_absence:
        return [f"{who[0].upper()}{who[1:]} must sign the review."]
    return [f"{who[0].upper()}{who[1:]} has not signed: ask them to sign, or record why they cannot."]


def _is_drawn(signature: SignatureData) -> bool:
    return bool(signature.image_png) or any(signature.strokes)


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | dict | tuple):
        return not value
    return False


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def targets_to_follow_up(targets: Iterable[tuple[str, TargetData]]) -> dict[str, TargetData]:
    """The targets a review must follow up: those still open, in due-date order (undated last)."""
    return _by_due_date([(tid, t) for tid, t in targets if t.status == "open"])


def targets_followed_up_in(review_id: str, review_status: str, targets: Iterable[tuple[str, TargetData]]
                           ) -> dict[str, TargetData]:
    """The targets a review follows up, in due-date order: what its "Targets from the last review" step lists.

    A draft follows up the learner's targets open now, except any it set itself. A finalised (or voided) review
    followed up those it closed when it was finalised: they are closed by now, and the targets open now include the
    ones it set, so judging it by "open now" listed its own new targets as unanswered and marked a finished review's
    step incomplete.
    """
    if review_status == "draft":
        chosen = [(tid, t) for tid, t in targets if t.status == "open" and t.set_in_review_id != review_id]
    else:
        chosen = [(tid, t) for tid, t in targets if t.followed_up_in_review_id == review_id]
    return _by_due_date(chosen)


def plan_items_covered(template_id: str, template_version: int, review_status: str, answers: Mapping[str, Any],
                       plan_items: Mapping[str, PlanItemData]) -> dict[str, PlanItemData]:
    """The plan items a review gives progress for: what its "Progress against the learning plan" step lists.

    A draft covers the learner's plan as it is now. A finalised (or voided) review covered the items its progress
    grid recorded when it was signed: an item added since (by an MIS import, say) was never part of it, and judging
    it by the plan now would mark a finished review's step incomplete and print the new item as unanswered. A
    template that cannot be loaded leaves the plan as it is (the wizard will say why it cannot open the review).
    """
    if review_status == "draft":
        return dict(plan_items)
    try:
        template = load_template(template_id, version=template_version)
    except TemplateError:
        return dict(plan_items)
    recorded: set[str] = set()
    for question in template.questions_of_type("plan_progress_grid"):
        value = answers.get(question.id)
        recorded |= set(value) if isinstance(value, dict) else set()
    return {item_id: item for item_id, item in plan_items.items() if item_id in recorded}


class _ListedTarget(Protocol):
    """What the order needs of a target: a record, a summary row or a stored row alike."""

    @property
    def due_date(self) -> dt.date | None: ...

    @property
    def text(self) -> str: ...


def target_order(target: _ListedTarget) -> tuple[bool, dt.date, str]:
    """The one order targets are listed in, everywhere (wizard, printed copy, learner panel, pre-visit pack, the
    office's pages): soonest due first, those with no due date last, ties by their words, so two targets due the
    same day come out the same way on every screen and copy."""
    return (target.due_date is None, target.due_date or dt.date.min, target.text)


def _by_due_date(targets: list[tuple[str, TargetData]]) -> dict[str, TargetData]:
    targets.sort(key=lambda pair: target_order(pair[1]))
    return dict(targets)
