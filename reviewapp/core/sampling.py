"""Quality sampling of finalised reviews: what a sample asks and how its answers read, for the office web app that
records samples and the laptop that shows them (the record itself is `sync.protocol.ReviewSampleData`)."""

from __future__ import annotations

from reviewapp.core.dates import format_datetime
from sync.protocol import SAMPLE_CHECKS, ReviewSampleData

#: Each check's question, as the form asks it and the laptop shows it.
CHECK_QUESTIONS: dict[str, str] = {
    "targets_smart": "Were the targets SMART?",
    "learning_plan_used": "Was the learning plan used?",
    "safety_equality_reinforced": "Were health and safety and equality reinforced?",
    "welfare_followed_up": "Was welfare followed up?",
}
#: The answers, in words.
ANSWER_WORDS: dict[str, str] = {"yes": "Yes", "partly": "Partly", "no": "No"}
#: The longest note or feedback a form takes.
MAX_NOTE_CHARS = 2000
MAX_FEEDBACK_CHARS = 5000

assert tuple(CHECK_QUESTIONS) == SAMPLE_CHECKS


def sample_lines(sample: ReviewSampleData) -> list[tuple[str, str, str]]:
    """(question, answer in words, note) for each check, in order."""
    return [(CHECK_QUESTIONS[name], ANSWER_WORDS.get(getattr(sample, name) or "", "Not answered"),
             getattr(sample, f"{name}_note")) for name in SAMPLE_CHECKS]


def sampled_by_line(sample: ReviewSampleData) -> str:
    """"Sampled by Quinn Lead on 01/12/2026 14:05" (London time)."""
    when = format_datetime(sample.sampled_at)
    return f"Sampled by {sample.sampled_by or 'the office'}" + (f" on {when}" if when else "")


def sample_text(sample: ReviewSampleData) -> str:
    """The whole sample as plain lines: who and when, each judgement with its note, then the feedback."""
    lines = [sampled_by_line(sample)]
    for question, answer, note in sample_lines(sample):
        lines.append(f"{question} {answer}" + (f": {note}" if note else ""))
    if sample.feedback:
        lines.append(f"Feedback: {sample.feedback}")
    return "\n".join(lines)
