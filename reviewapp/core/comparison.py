"""Two reviews of one learner side by side: how ratings, hours, plan progress and targets moved between them.

Pure data in, rows of words out, so the comparison window and any report show progress over time the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reviewapp.core.caseload import RAG_WORDS
from reviewapp.core.dates import format_date
from reviewapp.core.learning_gain import learning_gain
from reviewapp.core.review_rules import TARGET_OUTCOMES, parse_iso_date
from reviewapp.core.templates import Template
from sync.protocol import ReviewData


@dataclass(frozen=True)
class ComparisonRow:
    label: str
    earlier: str
    later: str

    @property
    def changed(self) -> bool:
        return self.earlier != self.later


def _answer(template: Template, review: ReviewData, question_type: str) -> Any:
    question = next(iter(template.questions_of_type(question_type)), None)
    return review.answers.get(question.id) if question else None


def _record_answer(template: Template, review: ReviewData, record_field: str) -> Any:
    question = template.question_for_record_field(record_field)
    return review.answers.get(question.id) if question else None


def _hours(value: Any) -> str:
    return f"{value:g} hours" if isinstance(value, int | float) else "—"


def _outcomes(template: Template, review: ReviewData) -> str:
    """How the targets followed up in a review turned out, e.g. "2 met, 1 not met"."""
    counts: dict[str, int] = {}
    for entry in (_answer(template, review, "previous_targets") or {}).values():
        if isinstance(entry, dict) and entry.get("status") in TARGET_OUTCOMES:
            counts[entry["status"]] = counts.get(entry["status"], 0) + 1
    return ", ".join(f"{n} {TARGET_OUTCOMES[s]}" for s, n in counts.items()) or "—"


def _target_texts(targets: Any) -> str:
    """Each target set, with its due date, one a line: what the learner was asked to do next."""
    lines = [
        f"• {t.get('text', '')}" + (f" (due {format_date(parse_iso_date(t.get('due_date')))})"
                                    if parse_iso_date(t.get("due_date")) else "")
        for t in targets if isinstance(t, dict) and str(t.get("text", "")).strip()
    ] if isinstance(targets, list) else []
    return "\n".join(lines) or "—"


def compare_reviews(
    template: Template,
    earlier: ReviewData,
    later: ReviewData,
    plan_titles: Mapping[str, str],
    plan_starts: Mapping[str, int | None] | None = None,
) -> list[ComparisonRow]:
    """Rows comparing two reviews (of the same template family); `plan_titles` names plan items by id, and
    `plan_starts` gives their starting points, so each review shows start → progress then (learning gain)."""
    starts = plan_starts or {}
    rows = [
        ComparisonRow("Visit date", format_date(earlier.visit_date), format_date(later.visit_date)),
        ComparisonRow("Progress", RAG_WORDS.get(earlier.progress_rag or "", "—"),
                      RAG_WORDS.get(later.progress_rag or "", "—")),
        ComparisonRow("Welfare", RAG_WORDS.get(earlier.welfare_rag or "", "—"),
                      RAG_WORDS.get(later.welfare_rag or "", "—")),
    ]
    for prefill, label in (("otj_logged_to_date", "Off-the-job hours to date"),
                           ("otj_logged_since_last_review", "Off-the-job hours since the review before")):
        question = next((q for _, q in template.questions() if q.prefill == prefill), None)
        if question is not None:
            rows.append(ComparisonRow(label, _hours(earlier.answers.get(question.id)),
                                      _hours(later.answers.get(question.id))))
    shortfall = next((q for _, q in template.questions() if q.derived == "otj_shortfall"), None)
    if shortfall is not None:
        rows.append(ComparisonRow("Off-the-job shortfall", _hours(earlier.answers.get(shortfall.id)),
                                  _hours(later.answers.get(shortfall.id))))
    early_plan = _answer(template, earlier, "plan_progress_grid") or {}
    late_plan = _answer(template, later, "plan_progress_grid") or {}
    for item_id in [*early_plan, *(i for i in late_plan if i not in early_plan)]:
        def pct(plan: Mapping[str, Any], key: str = item_id) -> str:
            entry = plan.get(key)
            if not isinstance(entry, dict) or not isinstance(entry.get("progress", 0), int):
                return "—"
            return learning_gain(starts.get(key), entry.get("progress", 0)).start_to_now
        rows.append(ComparisonRow(f"Plan: {plan_titles.get(item_id, 'item no longer in the plan')}",
                                  pct(early_plan), pct(late_plan)))
    early_targets = _answer(template, earlier, "target_list") or []
    late_targets = _answer(template, later, "target_list") or []
    rows.append(ComparisonRow("New targets set", str(len(early_targets)), str(len(late_targets))))
    rows.append(ComparisonRow("The targets", _target_texts(early_targets), _target_texts(late_targets)))
    rows.append(ComparisonRow("Previous targets followed up", _outcomes(template, earlier),
                              _outcomes(template, later)))
    rows.append(ComparisonRow("Next review agreed", format_date(earlier.next_review_date),
                              format_date(later.next_review_date)))
    return rows
