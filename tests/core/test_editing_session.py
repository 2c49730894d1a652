"""The wizard's editing session without a window (issue 18): one copy of the draft, what is pending, and the rules it
applies while typing — a carried target, the proposed next review date, statuses, finalise readiness."""

from __future__ import annotations

from typing import Any

from reviewapp.core.editing_session import EditingSession
from reviewapp.core.review_rules import ReviewContext
from reviewapp.core.templates import Template, load_template_file


def _session(template: Template, context: ReviewContext, answers: dict[str, Any], **kw: Any) -> EditingSession:
    return EditingSession(template=template, context=context, answers=dict(answers), **kw)


def test_an_edit_is_the_draft_and_pending_until_taken_and_a_failed_save_gives_it_back(template, context) -> None:
    session = _session(template, context, {})
    assert not session.dirty
    assert session.edit("progress_summary", "Answers the phone alone") == {}
    assert session.answers["progress_summary"] == "Answers the phone alone" and session.dirty
    taken = session.take_pending()
    assert taken == {"progress_summary": "Answers the phone alone"} and not session.dirty
    session.edit("progress_summary", "Answers the phone and e-mail alone")  # typed while the save ran
    session.restore_pending(taken)  # the save failed: nothing is lost, the newer words win
    assert session.pending == {"progress_summary": "Answers the phone and e-mail alone"}


def test_ticking_carry_forward_adds_the_target_and_says_so(template, answers, context) -> None:
    answers["new_targets"] = answers["new_targets"][:1]
    session = _session(template, context, answers)
    changed = session.edit("previous_targets", answers["previous_targets"])
    assert [t.get("carried_from_id") for t in changed["new_targets"]] == [None, "t-not-met"]
    assert session.answers["new_targets"] == changed["new_targets"] == session.pending["new_targets"]


def test_the_next_review_date_is_proposed_on_reaching_its_step_only(template, answers, context) -> None:
    del answers["next_review_date"]
    answers["progress_rag"] = "red"
    session = _session(template, context, answers)
    first = template.sections[0]
    assert session.entering(first) == {}
    step = next(s for s in template.sections if any(q.record_field == "next_review_date" for q in s.questions))
    assert session.entering(step) == {"next_review_date": "2026-03-30"}
    assert session.pending == {"next_review_date": "2026-03-30"}


def test_a_finalised_review_takes_no_edits_and_has_nothing_to_save(template, answers, context) -> None:
    session = _session(template, context, answers, read_only=True)
    assert session.edit("progress_summary", "changed") == {}
    assert session.answers["progress_summary"] == answers["progress_summary"]
    assert not session.dirty and session.take_pending() == {} and session.proposed_names("Sam Patel") == {}


def test_statuses_and_readiness_follow_the_draft(template, answers, context, signatures) -> None:
    session = _session(template, context, answers, signatures={s.role: s for s in signatures})
    assert session.readiness().ready
    session.edit("progress_summary", "")
    assert not session.readiness().ready
    assert any(s.problems for s in session.statuses())


def test_the_calendar_location_is_the_question_the_template_marks(template, answers, context, tmp_path) -> None:
    session = _session(template, context, answers)
    assert template.question_for_key("visit_location").id == "visit_location"
    assert session.answer_for_key("visit_location") == "Head office, Leeds"
    # A template marking another question is followed, whatever the id...
    text = (template_path := _bundled("apprenticeship-progress-review.json")).read_text()
    renamed = tmp_path / template_path.name
    renamed.write_text(text.replace('"id": "visit_location"', '"id": "where_we_met"'))
    marked = load_template_file(renamed)
    assert marked.question_for_key("visit_location").id == "where_we_met"
    # ...and one made before the key existed still finds the question by its old id.
    unmarked = tmp_path / "old.json"
    unmarked.write_text(text.replace('"key": "visit_location",', ""))
    assert load_template_file(unmarked).question_for_key("visit_location").id == "visit_location"


def _bundled(name: str):
    from reviewapp.core.templates import templates_dir
    return templates_dir() / name
