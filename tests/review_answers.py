"""A complete set of answers to the real template for any learner's review context (shared by store/UI tests)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from reviewapp.core.review_rules import ReviewContext


def complete_answers(context: ReviewContext, visit: dt.date) -> dict[str, Any]:
    """Every required answer, green ratings, each open target followed up (the first carried forward)."""
    targets = list(context.open_targets)
    previous = {tid: {"status": "met", "comment": ""} for tid in targets}
    if targets:
        previous[targets[0]] = {"status": "not_met", "comment": "Shift pattern changed", "carry_forward": True}
    return {
        "visit_date": visit.isoformat(),
        "visit_mode": "in_person",
        "visit_location": "Head office, Leeds",
        "attendees": ["learner", "employer", "assessor"],
        "employer_rep_name": "Tom Clarke",
        "employer_rep_role": "Office manager",
        "evidence_seen": ["work_products", "otj_log"],
        "previous_targets": previous,
        "plan_progress": {pid: {"progress": min(100, item.progress + 10), "comment": ""}
                          for pid, item in context.plan_items.items()},
        "progress_summary": "Has taken over the post log and answers customer emails alone.",
        "progress_rag": "green",
        "otj_hours_since_last": 30,
        "otj_hours_to_date": 140,
        "otj_activities": ["teaching", "shadowing"],
        "otj_examples": "Shadowed the finance officer for two days.",
        "otj_paid_hours": True,
        "english_status": "achieved_prior",
        "maths_status": "working_towards",
        "maths_level": "fs_level_2",
        "hs_incidents": {"raised": False, "detail": ""},
        "hs_discussion": "Knows the fire marshal and how to log a near miss.",
        "hs_scenario": {"response": "Unplug it, warn people and tell my supervisor."},
        "hs_understanding": "secure",
        "hs_concern": {"raised": False, "detail": ""},
        "edi_discussion": "Named five protected characteristics.",
        "edi_scenario": {"response": "It is harassment; I would report it to my manager."},
        "edi_understanding": "developing",
        "edi_concern": {"raised": False, "detail": ""},
        "sg_feels_safe": True,
        "sg_knows_contact": True,
        "sg_discussion": "Knows the safeguarding email and what Prevent is for.",
        "sg_scenario": {"response": "Tell the safeguarding lead the same day."},
        "sg_understanding": "secure",
        "sg_concern": {"raised": False, "detail": ""},
        "welfare_own_words": "Enjoying the job, a bit tired with college work.",
        "welfare_rag": "green",
        "refer_safeguarding": {"raised": False, "detail": ""},
        "refer_learning_support": {"raised": False, "detail": ""},
        "als_in_place": False,
        "employer_contribution": "Weekly one-to-ones with a mentor.",
        "employer_opportunities": "Will run the April stock take.",
        "employer_feedback": "Reliable and keen.",
        "employer_concern": {"raised": False, "detail": ""},
        "new_targets": [
            {"text": "Complete the stock-take spreadsheet and present it to the office manager",
             "due_date": (visit + dt.timedelta(weeks=4)).isoformat(), "actions": ["Collect counts"]},
        ],
        "next_review_date": (visit + dt.timedelta(weeks=8)).isoformat(),
    }
