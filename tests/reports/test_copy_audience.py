"""What each copy carries: the employer's copy withholds the learner's disclosures, the learner's and provider's
copies carry everything, and the pre-visit pack sets the employer-withheld actions apart. Read back from the PDF."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select

from reviewapp.core.audience import WITHHELD_NOTE
from reviewapp.reports.pre_visit import PRIVATE_HEADING, pre_visit_pdf
from reviewapp.reports.review_pdf import review_pdf
from reviewapp.store.models import Learner
from reviewapp.store.review_documents import load_pre_visit_pack
from tests.conftest import DEMO_TODAY
from tests.reports.conftest import normalised, pdf_text, rehashed

WITHHELD = "Withheld: shared only with the learner and the provider."
#: Distinctive words put into each kind of disclosure, so their absence from a copy means something.
DISCLOSURES = {
    "welfare_own_words": "Things at home are hard since my dad moved out (tangerine-heron)",
    "welfare_concerns": "Learner is sleeping at a friend's flat (cobalt-lantern)",
    "sg_discussion": "Said a colleague messages her late at night (saffron-otter)",
    "als_needs": "Dyslexia, diagnosed at school (juniper-anvil)",
    "behind_explanation": "Off sick with anxiety for three weeks (umber-falcon)",
}


def disclosing(document):
    """The review with a disclosure in each confidential answer, re-signed as finalising would."""
    answers = {**document.review.answers, **DISCLOSURES, "welfare_rag": "amber", "als_in_place": True,
               "progress_rag": "amber", "behind_actions": "Manager to release Friday afternoons (teal-meadow)"}
    answers["sg_concern"] = {"raised": True, "detail": "Told the DSL on the day (ochre-sparrow)"}
    return rehashed(document, answers=answers)


def test_the_employer_copy_withholds_disclosures_and_keeps_their_labels(typical):
    document = disclosing(typical)
    employer = pdf_text(review_pdf(document, copy="employer"))
    for words in [*DISCLOSURES.values(), "ochre-sparrow"]:
        assert normalised(words) not in employer
    assert WITHHELD in employer
    assert normalised("How are things going, at work and outside it? (the learner's own words)") in employer
    assert "Has a safeguarding or Prevent concern been raised?" in employer
    # Asked only because of a withheld answer: printing the question alone would tell the employer that answer.
    assert "What are the concerns, and what has been agreed?" not in employer
    assert "What are the learner's needs?" not in employer
    # What the employer agreed to do is theirs to read; the hash stays that of the whole review, and says so.
    assert "teal-meadow" in employer
    assert document.review.content_hash in employer and normalised(WITHHELD_NOTE) in employer


def test_the_learner_and_provider_copies_carry_every_disclosure(typical):
    document = disclosing(typical)
    for copy in ("learner", "provider"):
        text = pdf_text(review_pdf(document, copy=copy))
        for words in [*DISCLOSURES.values(), "ochre-sparrow"]:
            assert normalised(words) in text, (copy, words)
        assert WITHHELD not in text and normalised(WITHHELD_NOTE) not in text


def test_an_addendum_correcting_a_welfare_entry_withholds_it_from_the_employer(demo_documents):
    addendum = next((d for d in demo_documents if d.review.template_id == "review-addendum"), demo_documents[0])
    answers = {"visit_date": "2026-11-20", "corrects_review": "The progress review of 06/11/2026",
               "original_entry": "Learner said all is well (amber-quill)",
               "correction": "Learner said she is being bullied by her supervisor (violet-harbour)",
               "correction_reason": "Entered against the wrong learner", "correction_effect": ""}
    for part, withheld in (("welfare", True), ("otj", False)):
        document = rehashed(addendum, template_id="review-addendum", template_version=1,
                            answers={**answers, "corrected_part": part})
        employer = pdf_text(review_pdf(document, copy="employer"))
        assert ("violet-harbour" not in employer) is withheld, part
        assert "violet-harbour" in pdf_text(review_pdf(document, copy="learner"))


def test_the_pre_visit_pack_sets_apart_what_the_employer_copy_withheld(demo_store):
    with demo_store.read() as session:
        packs = [load_pre_visit_pack(session, lid) for lid in session.scalars(select(Learner.id))]
    pack = next(p for p in packs if p.last_review is not None)
    review = pack.last_review.model_copy(update={"answers": {
        **pack.last_review.answers, "welfare_rag": "red", "welfare_concerns": DISCLOSURES["welfare_concerns"],
        "employer_opportunities": "Lead the Tuesday stock take (teal-meadow)"}})
    text = pdf_text(pre_visit_pdf(dataclasses.replace(pack, last_review=review), as_of=DEMO_TODAY))
    private = text.index(normalised(PRIVATE_HEADING))
    assert text.index("teal-meadow") < private < text.index(normalised(DISCLOSURES["welfare_concerns"]))
