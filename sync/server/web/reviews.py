"""A finalised review in the office web app: readable in the browser (`/reviews/{id}`) and as its PDF
(`/reviews/{id}.pdf`).

Both are made by the laptop's own code from the same frozen record (`reviewapp.core.documents.ReviewDocument`): the
page words every answer with `reviewapp.core.summary.answer_text` as the printed copy does (`printed=True`, section
by section, the questions the template shows), and the PDF is `reviewapp.reports.review_pdf`. The office gets the
provider copy: it is the provider's own record of the review, the one copy that withholds nothing (the employer's
copy leaves out the learner's welfare disclosures), and the one a quality lead or an inspector asks for.

A review is found only through the caller's scope (`scope.Caller.visible`), and only once finalised: another
caseload's review, a draft, a voided one and an unknown id all get the same 403.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewapp.core.audience import answer_visible_to, asked_on_copy, withheld_text
from reviewapp.core.documents import DEFAULT_PROVIDER_NAME, ReportSettings, ReviewDocument
from reviewapp.core.review_rules import (
    is_visible,
    plan_items_covered,
    target_order,
    targets_followed_up_in,
    visible_answers,
)
from reviewapp.core.summary import answer_text
from reviewapp.core.templates import Template
from reviewapp.reports.review_pdf import review_context
from sync.protocol import EmployerData, LearnerData, OtjEntryData, PlanItemData, ReviewData, SignatureData, TargetData

from ..finalisation_rules import installed_template
from ..models import Employer, Learner, OtjEntry, PlanItem, ProviderSetting, Review, Signature, Target
from ..provider_settings import LOGO, NAME, public_address
from ..scope import Caller

#: The copy the office reads and prints (see the module's docstring for why).
OFFICE_COPY = "provider"
NOT_YOURS = "There is no finalised review here that you may see."
ROLE_ORDER = {"learner": 0, "employer": 1, "assessor": 2}


@dataclass(frozen=True)
class ShownAnswer:
    label: str
    text: str
    rag: str | None = None


@dataclass(frozen=True)
class ShownSection:
    title: str
    answers: tuple[ShownAnswer, ...]


def load_review_document(session: Session, caller: Caller, review_id: str) -> ReviewDocument | None:
    """The finalised review with everything its copy prints, if `caller` may see it; None otherwise (another
    caseload's, a draft, a voided one and an unknown id alike). As the laptop's `reviewapp.store.review_documents`,
    from the server's wire documents."""
    if len(review_id) > 36:
        return None
    row = session.execute(
        select(Review).where(Review.id == review_id, Review.deleted.is_(False), caller.visible(Review))
    ).scalar_one_or_none()
    if row is None:
        return None
    review = ReviewData.model_validate(row.data)
    if review.status != "finalised":
        return None
    learner_row = session.get(Learner, row.learner_id)
    if learner_row is None or learner_row.deleted:
        return None
    employer_row = session.get(Employer, learner_row.employer_id) if learner_row.employer_id else None
    signatures = sorted(
        (SignatureData.model_validate(d) for d in session.scalars(
            select(Signature.data).where(Signature.review_id == review_id, Signature.deleted.is_(False)))),
        key=lambda s: ROLE_ORDER.get(s.role, 9))
    targets = [(tid, TargetData.model_validate(d)) for tid, d in session.execute(
        select(Target.id, Target.data).where(Target.learner_id == row.learner_id, Target.deleted.is_(False)))]
    plan = sorted(((pid, PlanItemData.model_validate(d)) for pid, d in session.execute(
        select(PlanItem.id, PlanItem.data).where(PlanItem.learner_id == row.learner_id,
                                                 PlanItem.deleted.is_(False)))),
        key=lambda item: (item[1].position, item[1].code))
    otj = sorted((OtjEntryData.model_validate(d) for d in session.scalars(
        select(OtjEntry.data).where(OtjEntry.learner_id == row.learner_id, OtjEntry.deleted.is_(False)))),
        key=lambda e: e.date)
    set_here = sorted(((tid, t) for tid, t in targets if t.set_in_review_id == review_id),
                      key=lambda i: target_order(i[1]))
    return ReviewDocument(
        review_id=review_id, review=review, learner_id=row.learner_id,
        learner=LearnerData.model_validate(learner_row.data),
        employer=EmployerData.model_validate(employer_row.data) if employer_row and not employer_row.deleted
        else None,
        signatures=tuple(signatures),
        followed_up_targets=targets_followed_up_in(review_id, review.status, targets),
        set_targets=dict(set_here),
        plan_items=plan_items_covered(review.template_id, review.template_version, review.status, review.answers,
                                      dict(plan)),
        otj_entries=tuple(otj),
        last_review_date=_previous_visit(session, row.learner_id, review_id, review.visit_date),
    )


def _previous_visit(session: Session, learner_id: str, review_id: str, visit: dt.date | None) -> dt.date | None:
    """The visit date of the learner's finalised progress review before this one (the laptop's `last_review_date`)."""
    earlier = [r for r in (ReviewData.model_validate(d) for d in session.scalars(
        select(Review.data).where(Review.learner_id == learner_id, Review.id != review_id,
                                  Review.deleted.is_(False))))
        if r.status == "finalised" and r.addendum_to_id is None and r.visit_date
        and r.visit_date < (visit or dt.date.max)]
    return max((r.visit_date for r in earlier if r.visit_date), default=None)


def template_of(session: Session, document: ReviewDocument) -> Template:
    """The template version the review was finalised on, as installed with the server or added at the office."""
    return installed_template(document.review.template_id, document.review.template_version, session)


@contextmanager
def report_settings(session: Session) -> Iterator[ReportSettings]:
    """The provider's name, logo and public address as the office set them (provider_settings.py), as every laptop
    prints them. The
    PDF code reads the logo from a file, so it is written to a temporary one for as long as the copy is made."""
    values = {row.key: row.value for row in session.scalars(
        select(ProviderSetting).where(ProviderSetting.key.in_([NAME, LOGO])))}
    name = str(values.get(NAME) or "").strip() or DEFAULT_PROVIDER_NAME
    logo = values.get(LOGO)
    with tempfile.TemporaryDirectory(prefix="reviewapp-logo-") as folder:
        path = None
        if isinstance(logo, dict) and logo.get("data"):
            try:
                data = base64.b64decode(logo["data"], validate=True)
            except (binascii.Error, ValueError):
                data = b""
            if data:
                path = Path(folder) / ("logo.png" if logo.get("media_type") == "image/png" else "logo.jpg")
                path.write_bytes(data)
        yield ReportSettings(name, path, verify_address=public_address(session))  # the QR's address


def shown_sections(template: Template, document: ReviewDocument) -> list[ShownSection]:
    """The sections and answers as the provider copy prints them (reviewapp.reports.review_pdf._sections): the
    template's shown questions, each answer in the printed words of `answer_text`."""
    context = review_context(document)
    shown = visible_answers(template, document.review.answers)
    result = []
    for section in template.sections:
        if section.kind == "summary":
            continue
        answers = []
        for question in section.questions:
            if not (is_visible(question, shown) and asked_on_copy(template, question, OFFICE_COPY, shown)):
                continue
            value = shown.get(question.id)
            if not answer_visible_to(template, question, OFFICE_COPY, shown):
                words = withheld_text(template, question, shown)
            else:
                words = answer_text(question, value, context, document.signatures, printed=True)
            rag = value if question.type == "rag" and isinstance(value, str) else None
            answers.append(ShownAnswer(question.printed_label, words, rag))
        if answers:
            result.append(ShownSection(section.title, tuple(answers)))
    return result
