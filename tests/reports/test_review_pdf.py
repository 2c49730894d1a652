"""The signed review PDF, read back as a person or an auditor would: its text, its images, its pages."""

from __future__ import annotations

import dataclasses
import subprocess
from io import BytesIO

import pytest
from PIL import Image, ImageStat
from pypdf import PdfReader

from reviewapp.core.dates import format_datetime
from reviewapp.core.review_rules import TARGET_OUTCOMES, is_visible, visible_answers
from reviewapp.core.summary import answer_text
from reviewapp.core.templates import load_template
from reviewapp.reports.review_pdf import (
    DRAFT_WATERMARK,
    ContentHashMismatchError,
    NotSignedError,
    review_context,
    review_pdf,
)
from reviewapp.store.models import Setting
from reviewapp.store.review_documents import (
    PROVIDER_LOGO_SETTING,
    PROVIDER_NAME_SETTING,
    ReportSettings,
    load_review_document,
    report_settings,
)
from tests.reports.conftest import normalised, pdf_text, rehashed

TABLE_TYPES = {"previous_targets", "plan_progress_grid", "target_list", "signature"}


def expected_texts(document) -> list[str]:
    """Every answer as the app words it, plus each target, plan item and signatory: all must be in the PDF."""
    template = load_template(document.review.template_id, document.review.template_version)
    answers = document.review.answers
    shown = visible_answers(template, answers)
    context = review_context(document)
    texts = [document.learner_name, document.learner.uln, document.review.content_hash]
    for _, question in template.questions():
        if not is_visible(question, shown) or question.type in TABLE_TYPES:
            continue
        words = answer_text(question, answers.get(question.id), context, document.signatures, printed=True)
        if question.type == "scenario":  # printed as "Title. Text" then the learner's answer
            words = words.replace(": ", "\n", 1).replace("Learner's answer: ", "\n")
        texts += [part for part in words.split("\n") if part.strip()]
    for target_id, target in document.followed_up_targets.items():
        outcome = answers["previous_targets"][target_id]
        texts += [target.text, TARGET_OUTCOMES[outcome["status"]].capitalize(), outcome["comment"]]
    for item_id, item in document.plan_items.items():
        texts += [item.title, f"{answers['plan_progress'][item_id]['progress']}%"]
    for item in answers["new_targets"]:
        texts += [item["text"], *item["actions"]]
    texts += [s.name for s in document.signatures]
    texts += [format_datetime(s.signed_at) for s in document.signatures]  # DD/MM/YYYY HH:MM, London time
    return [t for t in texts if t.strip()]


def missing_from(data: bytes, texts: list[str]) -> list[str]:
    found = pdf_text(data)
    return [t for t in texts if normalised(t) not in found]


def test_every_answer_target_and_name_is_in_the_pdf(demo_documents, typical):
    for document in [typical, demo_documents[0], demo_documents[-1]]:
        data = review_pdf(document, copy="learner")
        assert missing_from(data, expected_texts(document)) == []


def test_the_check_can_fail(typical):
    """The extraction check above is not vacuous: text that is not printed is reported missing."""
    data = review_pdf(typical)
    assert missing_from(data, ["An answer nobody gave"]) == ["An answer nobody gave"]


def test_header_shows_provider_copy_and_hash(typical):
    data = review_pdf(typical, copy="employer", settings=ReportSettings("Northfield Training Ltd"))
    text = pdf_text(data)
    full = normalised("".join(p.extract_text() for p in PdfReader(BytesIO(data)).pages))
    assert "Northfield Training Ltd" in full
    assert typical.review.content_hash in text
    assert "Employer copy" in full and "Learner copy" not in full
    pages = len(PdfReader(BytesIO(data)).pages)
    assert f"Page {pages} of {pages}" in full


def test_signature_images_are_embedded(typical):
    reader = PdfReader(BytesIO(review_pdf(typical)))
    images = {image.data for page in reader.pages for image in page.images}
    distinct_signatures = {s.image_png for s in typical.signatures if s.image_png}
    assert len(distinct_signatures) >= 1
    assert len(images) == len(distinct_signatures)


def test_provider_name_and_logo_come_from_the_settings(demo_store, typical, tmp_path):
    logo = tmp_path / "logo.png"
    Image.new("RGB", (300, 100), (29, 78, 137)).save(logo)
    with demo_store.write() as session:
        session.add(Setting(key=PROVIDER_NAME_SETTING, value="Northfield Training Ltd"))
        session.add(Setting(key=PROVIDER_LOGO_SETTING, value=str(logo)))
    with demo_store.read() as session:
        settings = report_settings(session)
    assert settings == ReportSettings("Northfield Training Ltd", logo)
    reader = PdfReader(BytesIO(review_pdf(typical, settings=settings)))
    images = {image.data for page in reader.pages for image in page.images}
    assert len(images) == len({s.image_png for s in typical.signatures}) + 1
    assert "Northfield Training Ltd" in reader.pages[0].extract_text()
    review_pdf(typical, settings=ReportSettings("X", tmp_path / "missing.png"))  # a lost logo is left out


def test_absent_party_shows_the_recorded_reason(typical):
    signatures = tuple(
        s.model_copy(update={"image_png": None, "strokes": [], "absent_reason": "Called away to an emergency"})
        if s.role == "employer" else s for s in typical.signatures
    )
    document = rehashed(dataclasses.replace(typical, signatures=signatures))
    data = review_pdf(document)
    assert "Did not sign: Called away to an emergency" in pdf_text(data)
    assert len({i.data for p in PdfReader(BytesIO(data)).pages for i in p.images}) <= 2


def long_review(document):
    template = load_template(document.review.template_id, document.review.template_version)
    answers = dict(document.review.answers)
    sentence = "The learner described, step by step and in their own words, how the work was planned and checked. "
    for _, question in template.questions():
        if question.type == "long_text" and question.id in answers:
            answers[question.id] = f"START-{question.id} " + sentence * 60 + f"END-{question.id}"
    answers["new_targets"] = [
        {"text": f"Complete workplace task number {n} and upload the evidence to the portfolio",
         "due_date": answers["next_review_date"], "actions": [f"Step {n}.{k} agreed with the line manager"
                                                              for k in range(1, 5)], "carried_from_id": None}
        for n in range(1, 31)
    ]
    return rehashed(document, answers=answers)


def test_a_long_review_flows_over_pages_and_loses_nothing(typical):
    document = long_review(typical)
    data = review_pdf(document)
    assert len(PdfReader(BytesIO(data)).pages) > 2
    assert missing_from(data, expected_texts(document)) == []


def test_a_rendered_page_is_not_blank(typical, tmp_path):
    pdf = tmp_path / "review.pdf"
    pdf.write_bytes(review_pdf(typical))
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True)
    page = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    assert ImageStat.Stat(page).stddev[0] > 20
    assert ImageStat.Stat(Image.new("L", page.size, 255)).stddev[0] == 0  # what a blank page would measure


def test_accented_names_print_and_extract(typical):
    learner = typical.learner.model_copy(update={"first_name": "Zoë", "last_name": "Ødegård"})
    signatures = tuple(
        s.model_copy(update={"name": {"learner": "Zoë Ødegård", "employer": "Siobhán Ó Briain"}.get(s.role, s.name)})
        for s in typical.signatures
    )
    answers = dict(typical.review.answers, employer_rep_name="Siobhán Ó Briain",
                   learner_comments="Diolch yn fawr — Dafydd ap Siôn helped; Łucja and Ștefan too.")
    document = rehashed(dataclasses.replace(typical, learner=learner, signatures=signatures), answers=answers)
    data = review_pdf(document)
    text = pdf_text(data)
    for name in ("Zoë Ødegård", "Siobhán Ó Briain", "Dafydd ap Siôn", "Łucja and Ștefan"):
        assert name in text
    fonts = {str(f) for page in PdfReader(BytesIO(data)).pages
             for f in page["/Resources"]["/Font"].values()}
    assert fonts  # and every font is the embedded DejaVu, never a standard 14 font without accents
    reader = PdfReader(BytesIO(data))
    names = {font.get_object()["/BaseFont"] for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    assert all("DejaVu" in name for name in names)


def test_a_draft_is_refused_as_signed_and_watermarked_for_reading(demo_store, draft_id):
    with demo_store.read() as session:
        draft = load_review_document(session, draft_id)
    with pytest.raises(NotSignedError, match="draft"):
        review_pdf(draft)
    data = review_pdf(draft, purpose="reading")
    pages = PdfReader(BytesIO(data)).pages
    assert all(DRAFT_WATERMARK in page.extract_text() for page in pages)
    assert "Half way through the chat." in pdf_text(data)


def test_a_drafts_header_gives_the_next_review_date_its_body_gives(demo_store, draft_id):
    """A draft has no next-review record yet (finalising fills it in from the answer); the header reads the same
    answer the body prints, so the reading copy never says "Not set" above a date."""
    from reviewapp.store import reviews

    reviews.save_answers(demo_store, draft_id, {"next_review_date": "2027-01-18"})
    with demo_store.read() as session:
        draft = load_review_document(session, draft_id)
    assert draft.review.next_review_date is None and draft.review.answers["next_review_date"] == "2027-01-18"
    first_page = normalised(PdfReader(BytesIO(review_pdf(draft, purpose="reading"))).pages[0].extract_text())
    header = first_page.partition("The visit")[0]
    assert "Next review 18/01/2027" in header and "Not set" not in header
    words = pdf_text(review_pdf(draft, purpose="reading"))
    assert "Date of the next review 18/01/2027" in words


def test_a_tampered_review_is_refused(typical):
    changed = dict(typical.review.answers, progress_summary="Rewritten after everyone signed.")
    tampered = dataclasses.replace(typical, review=typical.review.model_copy(update={"answers": changed}))
    with pytest.raises(ContentHashMismatchError, match="changed since it was signed"):
        review_pdf(tampered)
    with pytest.raises(ContentHashMismatchError):
        review_pdf(tampered, purpose="reading")  # a finalised review is always checked
    forged_signature = tuple(s.model_copy(update={"name": "Someone Else"}) if s.role == "learner" else s
                             for s in typical.signatures)
    with pytest.raises(ContentHashMismatchError):
        review_pdf(dataclasses.replace(typical, signatures=forged_signature))
    review_pdf(typical)  # the untouched review prints


def test_an_unknown_copy_is_refused(typical):
    with pytest.raises(ValueError, match="unknown copy"):
        review_pdf(typical, copy="manager")  # type: ignore[arg-type]
