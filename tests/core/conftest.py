"""A learner, their open targets and plan, and a fully answered draft of the real template, for the core tests."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from reviewapp.core.review_rules import ReviewContext
from reviewapp.core.templates import Template, load_template
from sync.protocol import LearnerData, PlanItemData, SignatureData, TargetData

REVIEW_ID = "7d2f7a0e-3c1b-4a53-9a55-0d3d3f1c2b10"
LEARNER_ID = "0b8f6c1e-9a27-4a7c-8c57-2c1f5b1d9e01"
VISIT = dt.date(2026, 3, 2)


@pytest.fixture(scope="session")
def template() -> Template:
    return load_template("apprenticeship-progress-review")


@pytest.fixture
def learner() -> LearnerData:
    return LearnerData(
        uln="1234567890", first_name="Priya", last_name="Shah", email="priya.shah@example.co.uk",
        start_date=dt.date(2025, 9, 1), planned_end_date=dt.date(2027, 3, 1), planned_otj_hours=400,
        programme="Business administrator (level 3)",
    )


@pytest.fixture
def context(learner: LearnerData) -> ReviewContext:
    return ReviewContext(
        review_id=REVIEW_ID,
        learner=learner,
        open_targets={
            "t-met": TargetData(learner_id=LEARNER_ID, text="Complete the customer service unit workbook",
                                due_date=dt.date(2026, 2, 20)),
            "t-not-met": TargetData(learner_id=LEARNER_ID, text="Write a reflective account of two team meetings",
                                    due_date=dt.date(2026, 2, 27), actions=["Chair one meeting", "Take minutes"]),
        },
        plan_items={
            "p-1": PlanItemData(learner_id=LEARNER_ID, title="K1 Organisational purpose", progress=40),
            "p-2": PlanItemData(learner_id=LEARNER_ID, title="S3 Communication", progress=25),
        },
        last_review_date=dt.date(2026, 1, 5),
    )


_COMPLETE: dict[str, Any] = {
    "visit_date": VISIT.isoformat(),
    "visit_mode": "in_person",
    "visit_location": "Head office, Leeds",
    "attendees": ["learner", "employer", "assessor"],
    "employer_rep_name": "Tom Clarke",
    "employer_rep_role": "Office manager",
    "evidence_seen": ["work_products", "otj_log"],
    "previous_targets": {
        "t-met": {"status": "met", "comment": ""},
        "t-not-met": {"status": "not_met", "comment": "Meetings cancelled in February", "carry_forward": True},
    },
    "plan_progress": {"p-1": {"progress": 55, "comment": "Project plan seen"}, "p-2": {"progress": 25}},
    "progress_summary": "Has taken over the post log and answers customer emails alone.",
    "progress_rag": "green",
    "otj_hours_since_last": 30,
    "otj_hours_to_date": 140,
    "otj_activities": ["teaching", "shadowing"],
    "otj_examples": "Shadowed the finance officer for two days and learnt purchase ordering.",
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
    "employer_contribution": "Weekly one-to-ones with her mentor.",
    "employer_opportunities": "Will run the April stock take.",
    "employer_feedback": "Reliable and keen.",
    "employer_concern": {"raised": False, "detail": ""},
    "new_targets": [
        {"text": "Complete the stock-take spreadsheet for April and present it to the office manager",
         "due_date": "2026-04-17", "actions": ["Collect counts", "Build the sheet"]},
        {"text": "Write a reflective account of two team meetings in April", "due_date": "2026-04-24",
         "actions": ["Chair one meeting", "Take minutes"], "carried_from_id": "t-not-met"},
    ],
    "next_review_date": "2026-04-27",
}


@pytest.fixture
def answers() -> dict[str, Any]:
    """Every required answer of the real template, with green ratings (so an 8-week next review)."""
    return copy.deepcopy(_COMPLETE)


def drawn(role: str, name: str) -> SignatureData:
    return SignatureData(review_id=REVIEW_ID, role=role, name=name, strokes=[[[0.0, 0.0], [1.0, 1.0]]],
                         signed_at=dt.datetime(2026, 3, 2, 11, 30, tzinfo=dt.UTC))


@pytest.fixture(name="drawn")
def drawn_fixture() -> Callable[[str, str], SignatureData]:
    """Makes a drawn signature for a role and name."""
    return drawn


@pytest.fixture
def signatures() -> list[SignatureData]:
    return [drawn("learner", "Priya Shah"), drawn("employer", "Tom Clarke"), drawn("assessor", "Sam Jones")]
