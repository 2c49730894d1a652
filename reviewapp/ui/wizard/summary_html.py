"""The wizard's summary step as HTML: the office's quality samples of the review first, then each section's answers."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from reviewapp.core.editing_session import EditingSession
from reviewapp.core.sampling import sample_lines, sampled_by_line
from reviewapp.core.summary import review_summary


def summary_html(session: EditingSession, samples: Sequence[Any]) -> str:
    """The review as the summary step shows it (the office's word on a finalised review first: what the assessor
    looks for), with each incomplete section and its problems marked in words as well as colour."""
    parts = sample_parts(samples)
    for section in review_summary(session.template, session.answers, list(session.signatures.values()),
                                  session.context):
        state = "" if section.complete else " <span style='color:#a00'>(incomplete)</span>"
        parts.append(f"<h3>{escape(section.title)}{state}</h3><table cellspacing='4'>")
        for row in section.rows:
            text = escape(row.text).replace("\n", "<br>")
            parts.append(f"<tr><td valign='top' width='40%'><b>{escape(row.label)}</b></td><td>{text}</td></tr>")
        parts.append("</table>")
        if section.problems:
            parts.append("<ul>" + "".join(f"<li style='color:#a00'>{escape(p)}</li>"
                                          for p in section.problems) + "</ul>")
    return "".join(parts)


def sample_parts(samples: Sequence[Any]) -> list[str]:
    """The office's quality samples of this review (read-only, from the last sync), as summary HTML."""
    parts = []
    for sample in samples:
        parts.append(f"<h3>Quality sample</h3><p>{escape(sampled_by_line(sample))}</p><table cellspacing='4'>")
        for question, answer, note in sample_lines(sample):
            said = escape(answer) + (f": {escape(note)}" if note else "")
            parts.append(f"<tr><td valign='top' width='40%'><b>{escape(question)}</b></td><td>{said}</td></tr>")
        feedback = escape(sample.feedback).replace("\n", "<br>")
        parts.append(f"<tr><td valign='top' width='40%'><b>Feedback for you</b></td><td>{feedback}</td></tr>"
                     "</table>")
    return parts
