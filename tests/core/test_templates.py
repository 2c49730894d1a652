"""Templates: the shipped one loads and covers the review; each kind of broken template is refused by name."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewapp.core.resources import resource_path
from reviewapp.core.templates import (
    Template,
    TemplateError,
    available_templates,
    choose_scenario,
    load_template,
    parse_template,
    scenario_shown,
)

TEMPLATE_FILE = resource_path("templates", "apprenticeship-progress-review.json")


def raw_template() -> dict[str, Any]:
    return json.loads(TEMPLATE_FILE.read_text(encoding="utf-8"))


def test_shipped_template_loads_by_name_and_by_path(template: Template) -> None:
    by_path = load_template(TEMPLATE_FILE)
    assert by_path == template
    # 2: fitted help, print labels; 3: the next review's booked time
    assert (template.id, template.version) == ("apprenticeship-progress-review", 3)
    assert ("apprenticeship-progress-review", 3, template.title) in available_templates()
    # Version 2 (issue 14: three calendar months, not twelve weeks); reviews begun on version 1 still open with it.
    assert load_template("apprenticeship-progress-review", version=1).version == 1


def test_shipped_template_has_every_section_of_a_review_in_order(template: Template) -> None:
    assert [s.id for s in template.sections] == [
        "visit", "previous_targets", "progress", "otj", "english_maths", "health_safety", "equality",
        "safeguarding", "welfare", "learning_support", "employer", "new_targets", "comments_next", "signatures",
        "summary",
    ]
    assert template.sections[-1].kind == "summary"


def test_themes_each_have_prompts_a_scenario_bank_a_rating_and_a_concern_flag(template: Template) -> None:
    for section_id, prefix in (("health_safety", "hs"), ("equality", "edi"), ("safeguarding", "sg")):
        types = {q.id: q for q in template.section(section_id).questions}
        assert len(types[f"{prefix}_discussion"].prompts) >= 3
        assert 3 <= len(types[f"{prefix}_scenario"].scenarios) <= 5
        assert types[f"{prefix}_understanding"].type == "choice"
        assert types[f"{prefix}_concern"].type == "flag"


def test_rag_options_carry_words(template: Template) -> None:
    rags = template.questions_of_type("rag")
    assert {q.record_field for q in rags} == {"progress_rag", "welfare_rag"}
    for question in rags:
        for option in question.options:
            assert " — " in option.label and len(option.label) > 15


def test_three_signatures_and_the_assessor_cannot_be_absent(template: Template) -> None:
    signatures = {q.role: q for q in template.questions_of_type("signature")}
    assert set(signatures) == {"learner", "employer", "assessor"}
    assert not signatures["assessor"].allow_absence
    assert signatures["learner"].allow_absence and signatures["employer"].allow_absence


def test_every_question_has_a_label_and_required_free_text_has_help(template: Template) -> None:
    for _, question in template.questions():
        assert question.label.strip()
        if question.required and question.type in ("long_text", "previous_targets", "target_list"):
            assert question.help, question.id


def test_scenario_choice_is_stable_per_review_and_varies_across_reviews(template: Template) -> None:
    question = template.question("hs_scenario")
    first = choose_scenario(question, "review-a")
    assert all(choose_scenario(question, "review-a") == first for _ in range(5))
    drawn = {choose_scenario(question, f"review-{n}").id for n in range(200)}
    assert drawn == {s.id for s in question.scenarios}


@given(st.text(min_size=1, max_size=40))
def test_a_recorded_scenario_wins_over_the_draw(review_id: str) -> None:
    question = load_template("apprenticeship-progress-review").question("edi_scenario")
    recorded = question.scenarios[-1]
    assert scenario_shown(question, review_id, {"scenario_id": recorded.id, "response": "x"}) == recorded
    assert scenario_shown(question, review_id, None) == choose_scenario(question, review_id)


# --- Broken templates ------------------------------------------------------------------------------------------------


def _question(raw: dict[str, Any], question_id: str) -> dict[str, Any]:
    for section in raw["sections"]:
        for question in section.get("questions", []):
            if question["id"] == question_id:
                return question
    raise KeyError(question_id)


def _break_duplicate_id(raw: dict[str, Any]) -> None:
    _question(raw, "visit_location")["id"] = "visit_mode"


def _break_unknown_type(raw: dict[str, Any]) -> None:
    _question(raw, "visit_location")["type"] = "essay"


def _break_choice_without_options(raw: dict[str, Any]) -> None:
    _question(raw, "visit_mode")["options"] = []


def _break_show_if_unknown(raw: dict[str, Any]) -> None:
    _question(raw, "behind_causes")["show_if"] = {"question": "progress_rating", "one_of": ["red"]}


def _break_show_if_later(raw: dict[str, Any]) -> None:
    _question(raw, "visit_location")["show_if"] = {"question": "welfare_rag", "equals": "red"}


def _break_show_if_bad_value(raw: dict[str, Any]) -> None:
    _question(raw, "behind_causes")["show_if"] = {"question": "progress_rag", "one_of": ["purple"]}


def _break_show_if_two_conditions(raw: dict[str, Any]) -> None:
    _question(raw, "behind_causes")["show_if"] = {"question": "progress_rag", "one_of": ["red"], "equals": "red"}


def _break_rag_without_words(raw: dict[str, Any]) -> None:
    _question(raw, "welfare_rag")["options"] = [{"value": v, "label": v} for v in ("red", "amber", "green")]


def _break_rag_wrong_values(raw: dict[str, Any]) -> None:
    _question(raw, "welfare_rag")["options"][0]["value"] = "blue"


def _break_misspelt_field(raw: dict[str, Any]) -> None:
    _question(raw, "otj_examples")["requried"] = True


def _break_empty_scenario_bank(raw: dict[str, Any]) -> None:
    _question(raw, "sg_scenario")["scenarios"] = []


def _break_assessor_absence(raw: dict[str, Any]) -> None:
    _question(raw, "sig_assessor")["allow_absence"] = True


def _break_second_learner_signature(raw: dict[str, Any]) -> None:
    _question(raw, "sig_employer")["role"] = "learner"


def _break_flag_without_detail_label(raw: dict[str, Any]) -> None:
    del _question(raw, "employer_concern")["detail_label"]


def _break_record_field_type(raw: dict[str, Any]) -> None:
    _question(raw, "progress_summary")["record_field"] = "progress_rag"
    del _question(raw, "progress_rag")["record_field"]


def _break_required_derived(raw: dict[str, Any]) -> None:
    _question(raw, "otj_shortfall")["required"] = True


def _break_prefill_on_text(raw: dict[str, Any]) -> None:
    _question(raw, "otj_examples")["prefill"] = "otj_logged_to_date"


def _break_shortfall_without_logged_hours(raw: dict[str, Any]) -> None:
    del _question(raw, "otj_hours_to_date")["prefill"]


def _break_unknown_audience(raw: dict[str, Any]) -> None:
    _question(raw, "welfare_own_words")["audience"] = ["learner", "parents", "provider"]


def _break_audience_without_provider(raw: dict[str, Any]) -> None:
    _question(raw, "welfare_own_words")["audience"] = ["learner"]


def _break_follow_up_wider_than_its_condition(raw: dict[str, Any]) -> None:
    _question(raw, "welfare_concerns")["audience"] = ["learner", "employer", "provider"]


def _break_options_on_text(raw: dict[str, Any]) -> None:
    _question(raw, "visit_location")["options"] = [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]


@pytest.mark.parametrize(
    ("breakage", "question_id", "words"),
    [
        (_break_duplicate_id, "visit_mode", "duplicate question id"),
        (_break_unknown_type, "visit_location", "field type"),
        (_break_choice_without_options, "visit_mode", "at least two options"),
        (_break_show_if_unknown, "behind_causes", "'progress_rating'"),
        (_break_show_if_later, "visit_location", "not a question asked before"),
        (_break_show_if_bad_value, "behind_causes", "not options of 'progress_rag'"),
        (_break_show_if_two_conditions, "behind_causes", "exactly one of"),
        (_break_rag_without_words, "welfare_rag", "needs words"),
        (_break_rag_wrong_values, "welfare_rag", "red, amber and green"),
        (_break_misspelt_field, "otj_examples", "requried"),
        (_break_empty_scenario_bank, "sg_scenario", "bank"),
        (_break_assessor_absence, "sig_assessor", "must always sign"),
        (_break_second_learner_signature, "sig_employer", "second signature"),
        (_break_flag_without_detail_label, "employer_concern", "detail_label"),
        (_break_record_field_type, "progress_summary", "needs a rag question"),
        (_break_required_derived, "otj_shortfall", "cannot be required"),
        (_break_options_on_text, "visit_location", "takes no options"),
        (_break_shortfall_without_logged_hours, "otj_shortfall", "prefilled with otj_logged_to_date"),
        (_break_prefill_on_text, "otj_examples", "needs an hours or number question"),
        (_break_unknown_audience, "welfare_own_words", "audience 'parents' is not a copy"),
        (_break_audience_without_provider, "welfare_own_words", "must include provider"),
        (_break_follow_up_wider_than_its_condition, "welfare_concerns", "not 'welfare_rag'"),
    ],
)
def test_broken_template_names_the_question(breakage: Any, question_id: str, words: str) -> None:
    raw = raw_template()
    breakage(raw)
    with pytest.raises(TemplateError) as caught:
        parse_template(raw, source="broken.json")
    message = str(caught.value)
    assert f"question '{question_id}'" in message
    assert "broken.json" in message
    assert words in message


def test_broken_template_names_the_section(tmp_path: Path) -> None:
    raw = raw_template()
    raw["sections"][2]["questions"] = []
    with pytest.raises(TemplateError, match="section 'progress': section has no questions"):
        parse_template(raw)
    raw = raw_template()
    raw["sections"][1]["id"] = "visit"
    with pytest.raises(TemplateError, match="section 'visit': duplicate section id"):
        parse_template(raw)


def test_unknown_template_and_bad_json_give_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="No review template"):
        load_template("no-such-template")
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"bad\.json is not valid JSON"):
        load_template(bad)


def test_untouched_copy_still_parses() -> None:
    """The breakages above are the only reason those cases fail."""
    assert parse_template(copy.deepcopy(raw_template())).id == "apprenticeship-progress-review"


def test_a_past_version_is_found_beside_the_current_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past reviews open with the template version they were made with, while new ones get the current one."""
    import reviewapp.core.templates as templates

    raw = raw_template()
    raw["version"] = 1
    (tmp_path / "apprenticeship-progress-review.v1.json").write_text(json.dumps(raw), encoding="utf-8")
    raw["version"] = 2
    raw["title"] = "Apprenticeship progress review (2027)"
    (tmp_path / "apprenticeship-progress-review.json").write_text(json.dumps(raw), encoding="utf-8")
    monkeypatch.setattr(templates, "templates_dir", lambda: tmp_path)

    assert load_template("apprenticeship-progress-review").version == 2
    assert load_template("apprenticeship-progress-review", version=1).version == 1
    assert load_template("apprenticeship-progress-review", version=2).title.endswith("(2027)")
    assert available_templates() == [("apprenticeship-progress-review", 2, "Apprenticeship progress review (2027)")]
    with pytest.raises(TemplateError, match="Version 3 of the review template"):
        load_template("apprenticeship-progress-review", version=3)


def test_an_unknown_section_audience_names_the_section() -> None:
    raw = raw_template()
    next(s for s in raw["sections"] if s["id"] == "welfare")["audience"] = ["learner", "employers", "provider"]
    with pytest.raises(TemplateError, match="section 'welfare': audience 'employers' is not a copy"):
        parse_template(raw)


#: What an employer must never read of a learner's disclosures, by question id, in any template that asks it.
EMPLOYER_WITHHELD = ("welfare_own_words", "welfare_rag", "welfare_concerns", "refer_safeguarding",
                     "refer_learning_support", "welfare_signposting", "sg_feels_safe", "sg_discussion", "sg_concern",
                     "als_in_place", "als_needs", "als_support_given", "als_impact", "als_changes", "edi_concern",
                     "behind_explanation")


def test_every_version_of_every_shipped_template_withholds_disclosures_from_the_employer() -> None:
    """Old reviews print with the template version they were made with, so every kept version must be marked."""
    from reviewapp.core.audience import answer_visible_to

    paths = sorted(resource_path("templates").glob("*.json"))
    assert len(paths) >= 2
    for path in paths:
        template = load_template(path)
        for _, question in template.questions():
            for audience in ("learner", "provider"):
                assert answer_visible_to(template, question, audience, {}), (path.name, question.id, audience)
            if question.id in EMPLOYER_WITHHELD:
                assert not answer_visible_to(template, question, "employer", {}), (path.name, question.id)
            if question.type == "signature" or question.id in ("new_targets", "behind_actions", "otj_recovery_plan"):
                assert answer_visible_to(template, question, "employer", {}), (path.name, question.id)
