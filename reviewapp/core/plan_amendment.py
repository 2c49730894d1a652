"""Whether a review amended the learner's learning plan (the health check's "can you show that individual learning
plans are amended at reviews?", issue 15 item 4): what its plan progress grid recorded, in a form the office stores
beside each review (record_columns.py), and the rule comparing it with the learner's review before, which the office
applies to each review held as it stores its neighbours (due_dates.py): one implementation, no copy in SQL.

A review amends the plan when its grid records a progress for a plan item different from the review before it, or
a comment on an item (the template asks for one "where progress has changed"); a learner's first review amends it
when it records any plan progress at all, having nothing before it to differ from.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reviewapp.core.templates import Template


def plan_progress_record(template: Template, answers: Mapping[str, Any]) -> tuple[str | None, bool]:
    """(the grid's progress as "item=percent;..." sorted by item, None without a grid answer; whether any item
    has a comment). Two reviews recorded the same progress exactly when their texts are equal."""
    question = next(iter(template.questions_of_type("plan_progress_grid")), None)
    rows = answers.get(question.id) if question is not None else None
    if not isinstance(rows, Mapping) or not rows:
        return None, False
    parts, commented = [], False
    for item_id in sorted(str(key) for key in rows):
        row = rows[item_id]
        if not isinstance(row, Mapping):
            continue
        progress = row.get("progress")
        if isinstance(progress, int | float) and not isinstance(progress, bool):
            parts.append(f"{item_id}={min(max(round(progress), 0), 100)}")
        commented = commented or bool(str(row.get("comment") or "").strip())
    return (";".join(parts) or None), commented


def amended(progress: str | None, commented: bool, previous: str | None, first: bool) -> bool:
    """Whether a review amended the plan, from its stored plan columns and the review before's progress (`first`:
    the learner's first review held)."""
    if commented:
        return True
    if first:
        return progress is not None
    return progress is not None and progress != previous
