"""What learners and employers wrote in the portal (issue 17 item 2), in the words the wizard shows it: who wrote it
and when (DD/MM/YYYY HH:MM, London). Pure: no Qt, no SQL."""

from __future__ import annotations

import datetime as dt

from reviewapp.core.dates import format_datetime


def tick_words(action: str, target_text: str | None, written_by: str, written_at: dt.datetime | None) -> str:
    """'Done: "Watch the pivot video" (target: Build a pivot table) — ticked off by Ann Archer (learner),
    01/12/2026 19:55'."""
    target = f" (target: {target_text})" if target_text else ""
    when = f", {format_datetime(written_at)}" if written_at else ""
    return f"Done: “{action}”{target} — ticked off in the portal by {written_by or 'the learner'}{when}"


def feedback_words(text: str, written_by: str, written_at: dt.datetime | None) -> str:
    """'“Good month” — written in the portal by Pat Boss, Acme Ltd (employer), 01/12/2026 19:55'."""
    when = f", {format_datetime(written_at)}" if written_at else ""
    return f"“{text}” — written in the portal by {written_by or 'the employer'}{when}"
