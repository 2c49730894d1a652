"""The printed copies speak to their readers: the learner and employer read them, so no label on a copy may address
the assessor ("What evidence did you look at?", "You (the assessor)"). Questions whose on-screen label does carry a
reader-facing `print_label` in the template; the copies print it, the wizard keeps the assessor's wording."""

from __future__ import annotations

import copy
import re

import pytest

from reviewapp.core.review_rules import ReviewContext
from reviewapp.core.summary import answer_text
from reviewapp.core.templates import TemplateError, available_templates, load_template, parse_template
from reviewapp.reports.review_pdf import review_pdf
from tests.reports.conftest import normalised, pdf_text, rehashed

#: Words that address whoever is reading: on a printed copy that is the learner or employer, never the assessor.
ADDRESSES_THE_READER = re.compile(r"\b(you|your|yours|yourself)\b", re.IGNORECASE)


def current_templates():
    """Every template offered for new reviews and addenda (kept past versions print as they were signed)."""
    return [load_template(template_id) for kind in ("review", "addendum")
            for template_id, _, _ in available_templates(kind)]


def test_no_printed_label_of_any_template_addresses_the_assessor() -> None:
    templates = current_templates()
    assert {t.id for t in templates} >= {"apprenticeship-progress-review", "review-addendum"}
    offending = [
        (template.id, question.id, words)
        for template in templates
        for _, question in template.questions()
        for words in [question.printed_label, *(o.words(printed=True) for o in question.options)]
        if ADDRESSES_THE_READER.search(words)
    ]
    assert offending == []


def test_the_wizard_keeps_the_assessor_wording_and_the_copy_takes_the_readers() -> None:
    template = load_template("apprenticeship-progress-review")
    evidence, attendees = template.question("evidence_seen"), template.question("attendees")
    assert evidence.label == "What evidence did you look at?" and evidence.printed_label == "Evidence looked at"
    context = ReviewContext(review_id="r")
    assert answer_text(attendees, ["learner", "assessor"], context) == "The learner; You (the assessor)"
    assert answer_text(attendees, ["learner", "assessor"], context, printed=True) == "The learner; The assessor"


@pytest.mark.parametrize("copy_name", ["learner", "employer", "provider"])
def test_every_copy_prints_the_reader_facing_wording(typical, copy_name: str) -> None:
    answers = {**typical.review.answers, "attendees": ["learner", "employer", "assessor"], "welfare_rag": "green",
               "hs_understanding": "secure"}
    document = rehashed(typical, answers=answers)
    assert document.review.template_version == load_template("apprenticeship-progress-review").version
    words = pdf_text(review_pdf(document, copy=copy_name))
    for assessor_wording in ("did you", "You (the assessor)", "Your judgement", "Your rating"):
        assert assessor_wording.lower() not in words.lower(), assessor_wording
    assert "Evidence looked at" in words
    assert "The assessor" in words
    assert normalised("The assessor's judgement of the learner's understanding") in words
    if copy_name != "employer":  # welfare is withheld from the employer's copy, label and all
        assert normalised("The assessor's rating of the learner's welfare") in words


def test_a_blank_print_label_is_refused_naming_the_question() -> None:
    raw = copy.deepcopy(load_template("apprenticeship-progress-review").model_dump(mode="json", exclude_defaults=True))
    raw["sections"][0]["questions"][0]["print_label"] = "   "
    with pytest.raises(TemplateError, match="question 'visit_date': print_label is blank"):
        parse_template(raw)
