"""The pre-visit pack and the blank paper form: what they must carry, read back from the PDF."""

from __future__ import annotations

import subprocess
from io import BytesIO

from PIL import Image, ImageStat
from pypdf import PdfReader
from sqlalchemy import select

from reviewapp.core import otj
from reviewapp.core.templates import load_template
from reviewapp.reports.blank_form import blank_form_pdf
from reviewapp.reports.pre_visit import pre_visit_pdf
from reviewapp.store.models import Learner
from reviewapp.store.review_documents import load_pre_visit_pack
from tests.conftest import DEMO_TODAY
from tests.reports.conftest import normalised, pdf_text


def _pack_with_most_targets(demo_store):
    with demo_store.read() as session:
        packs = [load_pre_visit_pack(session, lid) for lid in session.scalars(select(Learner.id))]
    return max(packs, key=lambda p: (len(p.open_targets), p.reviews_done))


def test_pre_visit_pack_has_targets_last_actions_plan_and_hours(demo_store):
    pack = _pack_with_most_targets(demo_store)
    assert pack.open_targets and pack.last_review is not None
    text = pdf_text(pre_visit_pdf(pack, as_of=DEMO_TODAY))
    assert normalised(pack.learner_name) in text
    for target in pack.open_targets.values():
        assert normalised(target.text) in text
        for action in target.actions:
            assert normalised(action) in text
    for item in pack.plan_items.values():
        assert normalised(item.title) in text
    position = otj.otj_position(pack.learner, pack.otj_entries, DEMO_TODAY)
    assert f"Logged to date {position.logged_to_date:g} hours" in text
    if position.planned_to_date is not None:
        assert f"Planned by today {position.planned_to_date:g} hours" in text
    assert normalised(pack.last_review.answers["employer_opportunities"]) in text


def test_pre_visit_pack_for_a_learner_with_no_reviews(demo_store):
    with demo_store.read() as session:
        learners = [load_pre_visit_pack(session, lid) for lid in session.scalars(select(Learner.id))]
    first_timer = next(p for p in learners if p.last_review is None)
    assert "this will be the first" in pdf_text(pre_visit_pdf(first_timer, as_of=DEMO_TODAY))


def test_blank_form_asks_every_question_of_the_template(tmp_path):
    template = load_template("apprenticeship-progress-review")
    data = blank_form_pdf(template)
    text = pdf_text(data)
    for section, question in template.questions():
        assert normalised(question.label) in text, (section.id, question.id)
        for option in question.options:
            assert normalised(option.label) in text
        for scenario in question.scenarios:
            assert normalised(scenario.text) in text
    assert "Answer only if “Overall progress” is Amber" in text
    pdf = tmp_path / "form.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "2", "-l", "2", str(pdf), str(tmp_path / "p")], check=True)
    page = Image.open(next(tmp_path.glob("p*.png"))).convert("L")
    assert ImageStat.Stat(page).stddev[0] > 15
    assert len(PdfReader(BytesIO(data)).pages) > 5


#: The most pages the paper form may take. Its ruled space alone (three college-ruled lines per written answer, the
#: target, plan and signature tables) fills about 5.5 A4 pages, and the template's own words (questions, options,
#: guidance and three scenario banks printed in full) about 3.8, so about 9.3 pages is the least it can take
#: without less room to write; one more page allows for breaks between questions. It was 16 pages.
BLANK_FORM_MAX_PAGES = 10


def test_the_blank_form_is_compact_and_still_has_room_to_write():
    from reportlab.lib.units import mm

    from reviewapp.reports.blank_form import WritingLines, _answer_space, form_styles

    template = load_template("apprenticeship-progress-review")
    assert len(PdfReader(BytesIO(blank_form_pdf(template))).pages) <= BLANK_FORM_MAX_PAGES
    st = form_styles()
    for _, question in template.questions():
        lines = [f for f in _answer_space(question, st) if isinstance(f, WritingLines)]
        if question.type == "long_text":
            assert [(line.count, line.spacing) for line in lines] == [(3, 7 * mm)], question.id
        assert all(line.spacing >= 7 * mm for line in lines), question.id
