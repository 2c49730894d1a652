"""The review in words: option labels, UK dates, concerns with their detail, targets and signatures."""

from __future__ import annotations

import datetime as dt

from reviewapp.core.summary import NOT_ANSWERED, answer_text, review_summary, summary_intro
from reviewapp.core.templates import choose_scenario
from sync.protocol import ReviewData, SignatureData


def rows(template, answers, signatures, context) -> dict[str, str]:
    return {row.question_id: row.text
            for section in review_summary(template, answers, signatures, context) for row in section.rows}


def test_summary_covers_every_section_but_itself_and_shows_words(template, answers, signatures, context) -> None:
    summary = review_summary(template, answers, signatures, context)
    assert [s.section_id for s in summary] == [s.id for s in template.sections if s.kind != "summary"]
    assert all(s.complete and not s.problems for s in summary)
    text = rows(template, answers, signatures, context)
    assert text["visit_date"] == "02/03/2026"
    assert text["visit_mode"] == "In person at the workplace"
    assert text["progress_rag"] == "Green — on track or ahead of the learning plan"
    assert text["otj_planned_to_date"] == "133.3 hours"
    assert text["otj_paid_hours"] == "Yes"
    assert text["hs_concern"] == "No"
    assert text["next_review_proposed"] == "27/04/2026"
    assert text["sig_learner"] == "Signed by Priya Shah on 02/03/2026 11:30"


def test_hidden_questions_are_left_out_and_blanks_say_so(template, answers, signatures, context) -> None:
    answers["english_exam_date"] = "2026-05-01"
    del answers["employer_feedback"]
    text = rows(template, answers, signatures, context)
    assert "english_exam_date" not in text and "behind_causes" not in text
    assert text["employer_feedback"] == NOT_ANSWERED
    employer = next(s for s in review_summary(template, answers, signatures, context) if s.section_id == "employer")
    assert not employer.complete and employer.problems


def test_targets_plan_and_scenarios_read_as_text(template, answers, signatures, context) -> None:
    text = rows(template, answers, signatures, context)
    assert text["previous_targets"].splitlines() == [
        "Complete the customer service unit workbook — met",
        "Write a reflective account of two team meetings — not met: Meetings cancelled in February "
        "(carried forward)",
    ]
    assert text["plan_progress"].splitlines() == [
        "K1 Organisational purpose: 55% (was 40%) — Project plan seen", "S3 Communication: 25%"]
    assert text["new_targets"].splitlines() == [
        "1. Complete the stock-take spreadsheet for April and present it to the office manager (by 17/04/2026)",
        "   – Collect counts", "   – Build the sheet",
        "2. Write a reflective account of two team meetings in April (by 24/04/2026)",
        "   – Chair one meeting", "   – Take minutes"]
    scenario = choose_scenario(template.question("edi_scenario"), context.review_id)
    assert text["edi_scenario"].startswith(f"{scenario.title}: {scenario.text}\nLearner's answer: It is harassment")


def test_raised_concern_and_absent_signature(template, context) -> None:
    flag = template.question("employer_concern")
    assert answer_text(flag, {"raised": True, "detail": "Late twice a week"}, context) == "Yes — Late twice a week"
    signature = template.question("sig_employer")
    absent = [SignatureData(review_id=context.review_id, role="employer", absent_reason="On leave",
                            signed_at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC))]
    assert answer_text(signature, None, context, absent) == "Did not sign: On leave"
    assert answer_text(signature, None, context, []) == "Not signed yet"


def test_summary_intro_fits_the_review_as_it_now_stands(template) -> None:
    """The template's "before finalising" advice is for a draft; a finalised review says when, and how to correct."""
    intro = next(s.intro for s in template.sections if s.kind == "summary")
    draft = ReviewData(learner_id="L1", template_id=template.id, template_version=template.version)
    assert summary_intro(intro, draft) == intro and "before finalising" in intro
    done = draft.model_copy(update={"status": "finalised",
                                    "finalised_at": dt.datetime(2026, 3, 12, 14, 5, tzinfo=dt.UTC)})
    assert summary_intro(intro, done) == (
        "This review was finalised on 12/03/2026 14:05 and cannot be changed. To correct it, add an addendum "
        "(Review menu, \u201cAdd an addendum to the selected review\u201d).")
    addendum = done.model_copy(update={"addendum_to_id": "R1"})
    assert summary_intro(intro, addendum) == "This addendum was finalised on 12/03/2026 14:05 and cannot be changed."
    voided = draft.model_copy(update={"status": "void"})
    assert "before finalising" not in summary_intro(intro, voided) and "voided" in summary_intro(intro, voided)
