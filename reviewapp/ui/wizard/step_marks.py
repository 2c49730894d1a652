"""How the wizard marks a step, in words as well as signs, from the same statuses the finalise check gives.

The side list used to tick a step whose answers finalising would refuse (a next review in the past) and one with
four SMART warnings, because it ran its own, shorter, check. Now each step's mark is worked out here from
`review_rules.section_statuses` (the finalise check grouped by step), and says which of four states it is in:

- to do: something required is not answered yet (nothing is wrong with what is there);
- needs attention: an answer given would stop finalising (it must be changed, not just filled in);
- complete, with points to check: nothing blocks finalising, but the checks found something worth a second look;
- complete.

The words are in the text, the tooltip and the screen reader's text alike, so colour or a sign is never the only cue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reviewapp.core.review_rules import Problem, SectionStatus


@dataclass(frozen=True)
class StepMark:
    """A step's line in the side list: `text` as shown, `accessible` as a screen reader says it, `tooltip`."""

    text: str
    accessible: str
    tooltip: str
    state: str  # "complete", "check", "attention" or "to_do"


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value in ([], {})


def needs_attention(problem: Problem, answers: Mapping[str, Any]) -> bool:
    """Whether a problem is about an answer already given (so it must be changed) rather than one still to give."""
    return problem.question_id is not None and not _is_blank(answers.get(problem.question_id))


def attention_problems(problems: Sequence[Problem], answers: Mapping[str, Any]) -> list[Problem]:
    return [p for p in problems if needs_attention(p, answers)]


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def step_mark(status: SectionStatus, answers: Mapping[str, Any]) -> StepMark:
    """The side list's line for one (non-summary) step."""
    title = status.title
    attention = attention_problems(status.problems, answers)
    if attention:
        count = _count(len(attention), "answer to change", "answers to change")
        lines = [p.message for p in attention] + [p.message for p in status.problems if p not in attention]
        return StepMark(f"✗ {title}\n      Needs attention: {count}",
                        f"{title}, needs attention: " + " ".join(lines), "Needs attention:\n" + "\n".join(lines),
                        "attention")
    if status.problems:
        return StepMark(f"○ {title}", f"{title}, incomplete: " + " ".join(p.message for p in status.problems),
                        "To do:\n" + "\n".join(p.message for p in status.problems), "to_do")
    if status.warnings:
        count = _count(len(status.warnings), "point to check", "points to check")
        messages = [w.message for w in status.warnings]
        return StepMark(f"✓ {title}\n      ⚠ {count}", f"{title}, complete, {count}: " + " ".join(messages),
                        "Complete, but worth checking (finalising is not stopped):\n" + "\n".join(messages), "check")
    return StepMark(f"✓ {title}", f"{title}, complete", "Complete", "complete")
