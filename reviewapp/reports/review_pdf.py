"""The signed copy of a review: the A4 PDF the assessor prints on site and leaves with the learner and employer.

It must say exactly what was signed, so a finalised review prints its stored answers (never recomputed ones), and
only after its content hash has been checked: a review changed after signing is refused rather than printed as
signed. A draft can be printed for reading only, marked "DRAFT — not signed" on every page. The wording of answers
comes from `reviewapp.core.summary.answer_text`, so the PDF and the app's own summary never disagree.

The three copies differ only in what they withhold: an answer the template keeps from a copy's reader (the
learner's welfare and safeguarding disclosures, on the employer's copy) is printed as its label with the words of
`reviewapp.core.audience.withheld_text`, by the one rule `answer_visible_to`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, KeepTogether, Paragraph, Spacer, Table, TableStyle

from reviewapp.core.audience import WITHHELD_NOTE, answer_visible_to, asked_on_copy, withheld_text
from reviewapp.core.copy_check import copy_fingerprint, qr_value, verify_url
from reviewapp.core.dates import format_date, format_datetime, parse_time
from reviewapp.core.documents import ReportSettings, ReviewDocument
from reviewapp.core.finalise import finalised_answers
from reviewapp.core.review_rules import TARGET_OUTCOMES, ReviewContext, is_visible, parse_iso_date, visible_answers
from reviewapp.core.summary import NOT_ANSWERED, answer_text
from reviewapp.core.templates import Question, Template, TemplateError, load_template
from reviewapp.reports.layout import (
    FONT_COMMAND,
    FRAME_WIDTH,
    MUTED,
    RULE,
    SHADE,
    PageFurniture,
    Styles,
    build_pdf,
    grid,
    heading,
    label,
    para,
    rag_badge,
    styles,
    text,
)
from sync.protocol import SignatureData, review_content_hash

Copy = Literal["learner", "employer", "provider"]
Purpose = Literal["signed", "reading"]

COPY_NAMES: dict[str, str] = {"learner": "Learner copy", "employer": "Employer copy", "provider": "Provider copy"}
DRAFT_WATERMARK = "DRAFT — not signed"
ROLE_NAMES = {"learner": "Learner", "employer": "Employer representative", "assessor": "Assessor"}

#: Answers short enough to sit in a two-column label/answer table; the rest get a paragraph under their label.
_SHORT_TYPES = frozenset({"text", "choice", "multi_choice", "yes_no", "date", "number", "hours", "flag"})


class ReviewPdfError(Exception):
    """A review that cannot be printed as asked; the message says why and what to do, for the user."""


class NotSignedError(ReviewPdfError):
    """A draft or void review asked for as a signed copy."""


class ContentHashMismatchError(ReviewPdfError):
    """A finalised review whose content no longer matches the hash stamped when it was signed."""


def verify_signed(document: ReviewDocument) -> None:
    """Raise unless the review is finalised and its stored content hash matches what is stored now."""
    review = document.review
    if review.status == "draft":
        raise NotSignedError(
            "This review is still a draft, so it cannot be printed as a signed copy. Finalise it with all three "
            "signatures first, or print it for reading (it will be marked as a draft)."
        )
    if review.status != "finalised":
        raise NotSignedError(f"This review was voided ({review.void_reason or 'no reason recorded'}) and cannot "
                             "be printed as a signed copy.")
    expected = review_content_hash(document.review_id, review, list(document.signatures))
    if review.content_hash != expected:
        raise ContentHashMismatchError(
            f"Review {document.review_id} has changed since it was signed: its content no longer matches the "
            "fingerprint (content hash) stamped when it was finalised. It will not be printed as a signed copy. "
            "Sync with the server and try again, or contact support."
        )


def review_context(document: ReviewDocument) -> ReviewContext:
    """The records the answers refer to: the targets followed up in this review and the learner's plan."""
    return ReviewContext(
        review_id=document.review_id,
        learner=document.learner,
        open_targets=document.followed_up_targets,
        plan_items=document.plan_items,
        last_review_date=document.last_review_date,
    )


def review_pdf(
    document: ReviewDocument,
    *,
    copy: Copy = "provider",
    settings: ReportSettings | None = None,
    purpose: Purpose = "signed",
    template: Template | None = None,
) -> bytes:
    """The review as an A4 PDF (bytes).

    purpose="signed" (the default) needs a finalised review with a matching content hash, else a ReviewPdfError;
    purpose="reading" also accepts a draft, watermarked on every page. A finalised review is always checked.
    """
    if copy not in COPY_NAMES:
        raise ValueError(f"unknown copy {copy!r}; choose learner, employer or provider")
    settings = settings or ReportSettings()
    review = document.review
    if purpose == "signed" or review.status != "draft":
        verify_signed(document)
    try:
        template = template or load_template(review.template_id, review.template_version)
    except TemplateError as exc:
        raise ReviewPdfError(f"This review cannot be printed: {exc}.") from exc
    st = styles()
    context = review_context(document)
    answers = review.answers if review.status == "finalised" else finalised_answers(template, review.answers, context)
    when = format_date(_record_date(template, "visit_date", review.visit_date, answers)) or "undated"
    story: list[Flowable] = [*_header(document, template, settings, copy, when, answers, st)]
    sections, withheld = _sections(template, answers, document, context, copy, st)
    story += sections
    story.append(_closing(document, st, withheld=withheld, copy=copy, address=settings.verify_address))
    watermark = DRAFT_WATERMARK if review.status == "draft" else None
    furniture = PageFurniture(
        running_header=f"{template.title} — {document.learner_name} (ULN {document.learner.uln}) — {when}",
        footer_left=COPY_NAMES[copy] + (" — draft for reading" if watermark else ""),
        footer_centre=settings.provider_name,
        watermark=watermark,
    )
    return build_pdf(story, furniture, title=f"{template.title}: {document.learner_name}, {when}",
                     subject=COPY_NAMES[copy], author=settings.provider_name)


def write_review_pdf(document: ReviewDocument, path: Path, **options: Any) -> Path:
    """`review_pdf` written to a file (folders made as needed); the path written."""
    data = review_pdf(document, **options)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# --- Header -----------------------------------------------------------------------------------------------------------


def _assessor_name(document: ReviewDocument) -> str:
    signed = next((s.name for s in document.signatures if s.role == "assessor" and s.name.strip()), "")
    return signed or document.review.assessor or document.learner.assessor


def _programme(document: ReviewDocument) -> str:
    learner = document.learner
    level = f", level {learner.level}" if learner.level else ""
    return (learner.programme or "Not recorded") + level


def _logo(settings: ReportSettings) -> Flowable | None:
    if settings.logo_path is None or not settings.logo_path.is_file():
        return None
    try:
        logo = Image(str(settings.logo_path))
    except OSError:
        return None
    scale = min(40 * mm / logo.imageWidth, 16 * mm / logo.imageHeight)
    logo.drawWidth, logo.drawHeight = logo.imageWidth * scale, logo.imageHeight * scale
    return logo


def _record_date(template: Template, record_field: str, recorded: dt.date | None,
                 answers: Mapping[str, Any]) -> dt.date | None:
    """A date the header states (the review's, the next review's): the record's once finalised, else the answer the
    body prints (the record is filled in from that answer on finalising). One rule, so a draft's header never says
    "Not set" above a body that gives the date."""
    if recorded is not None:
        return recorded
    question = template.question_for_record_field(record_field)
    return parse_iso_date(answers.get(question.id)) if question else None


def _next_review_text(template: Template, review: Any, answers: Mapping[str, Any]) -> str:
    """The next review as booked, DD/MM/YYYY HH:MM (the time when one was recorded), or "Not set"."""
    day = _record_date(template, "next_review_date", review.next_review_date, answers)
    if day is None:
        return "Not set"
    booked = getattr(review, "next_review_time", None)
    if booked is None and review.status == "draft":
        question = template.question_for_record_field("next_review_time")
        booked = answers.get(question.id) if question else None
    return _booked(day, booked)


def _booked(day: dt.date | None, booked: Any) -> str:
    start = parse_time(booked)
    return f"{format_date(day)} {start:%H:%M}" if day and start else format_date(day)


def _header(document: ReviewDocument, template: Template, settings: ReportSettings, copy: str, when: str,
            answers: Mapping[str, Any], st: Styles) -> list[Flowable]:
    review = document.review
    top = Table(
        [[[para(settings.provider_name, st.provider), para(template.title, st.title)],
          _logo(settings) or "", para(COPY_NAMES[copy], st.badge)]],
        colWidths=[FRAME_WIDTH - 76 * mm, 44 * mm, 32 * mm], hAlign="LEFT",
    )
    top.setStyle(TableStyle([
        FONT_COMMAND, ("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (1, 0), (1, 0), "RIGHT"),
        ("BOX", (2, 0), (2, 0), 0.8, MUTED), ("VALIGN", (2, 0), (2, 0), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (0, 0), 0),
    ]))
    status = (f"Finalised {format_datetime(review.finalised_at)}" if review.status == "finalised"
              else DRAFT_WATERMARK if review.status == "draft" else f"Void: {review.void_reason}")
    employer = document.employer.name if document.employer else "Not recorded"
    addendum = template.kind == "addendum"
    facts = [
        ("Learner", document.learner_name, "ULN", document.learner.uln),
        ("Employer", employer, "Dated" if addendum else "Review date", when),
        ("Programme", _programme(document), "Assessor", _assessor_name(document)),
        ("Status", status, *(("Corrects", f"Review {(review.addendum_to_id or '')[:8]}") if addendum else
                             ("Next review", _next_review_text(template, review, answers)))),
    ]
    label_w, value_w = 27 * mm, FRAME_WIDTH / 2 - 27 * mm
    rows = [[para(a, st.cell_bold), para(b, st.cell), para(c, st.cell_bold), para(d, st.cell)]
            for a, b, c, d in facts]
    table = Table(rows, colWidths=[label_w, value_w, label_w, value_w], hAlign="LEFT")
    table.setStyle(TableStyle([
        FONT_COMMAND, ("BACKGROUND", (0, 0), (-1, -1), SHADE), ("BOX", (0, 0), (-1, -1), 0.5, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]))
    return [top, Spacer(1, 3 * mm), table, Spacer(1, 2 * mm)]


# --- Sections ---------------------------------------------------------------------------------------------------------


def _sections(template: Template, answers: Mapping[str, Any], document: ReviewDocument, context: ReviewContext,
              copy: Copy, st: Styles) -> tuple[list[Flowable], bool]:
    """The sections as printed on `copy`, and whether any answer was withheld from it."""
    shown = visible_answers(template, answers)
    story: list[Flowable] = []
    withheld = False
    for section in template.sections:
        if section.kind == "summary":
            continue
        questions = [q for q in section.questions if is_visible(q, shown) and asked_on_copy(template, q, copy, shown)]
        if not questions:
            continue
        if all(q.type == "signature" for q in questions):  # the heading stays with the signatures it names
            story.append(KeepTogether([para(section.title, st.heading), _signatures(questions, document.signatures,
                                                                                     st)]))
            continue
        hidden = {q.id for q in questions if not answer_visible_to(template, q, copy, shown)}
        withheld = withheld or bool(hidden)
        story += heading(section.title, st)
        story += _section_body(template, questions, shown, document, context, hidden, st)
    return story, withheld


def _section_body(template: Template, questions: list[Question], answers: Mapping[str, Any],
                  document: ReviewDocument, context: ReviewContext, hidden: set[str], st: Styles) -> list[Flowable]:
    """Runs of short answers become one label/answer table; long answers, ratings and lists stand alone."""
    story: list[Flowable] = []
    run: list[list[Paragraph]] = []

    def flush() -> None:
        if run:
            story.append(grid(list(run), [68 * mm, FRAME_WIDTH - 68 * mm], header=False))
            story.append(Spacer(1, 2.5 * mm))
            run.clear()

    for question in questions:
        value = answers.get(question.id)
        if question.id in hidden:  # the label stays, so the reader sees the review was whole
            words = withheld_text(template, question, answers)
            if question.type in _SHORT_TYPES:
                run.append([para(question.printed_label, st.cell_bold), para(words, st.withheld)])
                continue
            flush()
            story += [*label(question.printed_label, st), para(words, st.withheld), Spacer(1, 1.5 * mm)]
            continue
        if question.type in _SHORT_TYPES:
            run.append([para(question.printed_label, st.cell_bold),
                        para(answer_text(question, value, context, document.signatures, printed=True), st.cell)])
            continue
        flush()
        story += label(question.printed_label, st)
        story += _long_answer(question, value, document, context, st)
    flush()
    return story


def _long_answer(question: Question, value: Any, document: ReviewDocument, context: ReviewContext,
                 st: Styles) -> list[Flowable]:
    if question.type == "rag" and isinstance(value, str):
        return [rag_badge(value, question.option_label(value, printed=True), st), Spacer(1, 2.5 * mm)]
    if question.type == "previous_targets":
        return _previous_targets(value, document, context, st)
    if question.type == "plan_progress_grid":
        return _plan_progress(value, document, context, st)
    if question.type == "target_list":
        return _new_targets(value, st)
    if question.type == "signature":
        return [_signatures([question], document.signatures, st)]
    words = answer_text(question, value, context, document.signatures, printed=True)
    if question.type == "scenario":
        scenario, _, response = words.partition("\nLearner's answer: ")
        title, _, body = scenario.partition(": ")
        return [Paragraph(f"<b>{text(_sentence(title))}</b> {text(body)}", st.body),
                Paragraph(f"<b>Learner's answer:</b> {text(response)}", st.body)]
    return [para(line, st.body) for line in words.split("\n") if line.strip()] or [para(NOT_ANSWERED, st.body)]


def _previous_targets(value: Any, document: ReviewDocument, context: ReviewContext, st: Styles) -> list[Flowable]:
    if not context.open_targets:
        return [para("No targets were open.", st.body)]
    outcomes = value if isinstance(value, dict) else {}
    rows: list[list[Any]] = [[para(h, st.cell_bold) for h in ("Target", "Due", "Outcome", "Comment")]]
    for target_id, target in context.open_targets.items():
        outcome = outcomes.get(target_id) if isinstance(outcomes.get(target_id), dict) else {}
        words = TARGET_OUTCOMES.get(str(outcome.get("status")), "not yet reviewed").capitalize()
        if outcome.get("carry_forward"):
            words += " (carried forward)"
        rows.append([para(target.text, st.cell), para(format_date(target.due_date) or "—", st.cell),
                     para(words, st.cell_bold), para(outcome.get("comment") or "", st.cell)])
    return [grid(rows, [66 * mm, 24 * mm, 26 * mm, FRAME_WIDTH - 116 * mm]), Spacer(1, 3 * mm)]  # a date fits whole


def _plan_progress(value: Any, document: ReviewDocument, context: ReviewContext, st: Styles) -> list[Flowable]:
    if not context.plan_items:
        return [para("No learning plan items.", st.body)]
    rows_by_id = value if isinstance(value, dict) else {}
    rows: list[list[Any]] = [[para(h, st.cell_bold) for h in ("Code", "Plan item", "Progress", "Comment")]]
    for item_id, item in context.plan_items.items():
        row = rows_by_id.get(item_id) if isinstance(rows_by_id.get(item_id), dict) else {}
        progress = row.get("progress")
        rows.append([para(item.code, st.cell), para(item.title, st.cell),
                     para(f"{progress}%" if progress is not None else "—", st.cell_bold),
                     para(row.get("comment") or "", st.cell)])
    return [grid(rows, [14 * mm, 70 * mm, 20 * mm, FRAME_WIDTH - 104 * mm], zebra=True), Spacer(1, 3 * mm)]


def _new_targets(value: Any, st: Styles) -> list[Flowable]:
    items = [i for i in value if isinstance(i, dict)] if isinstance(value, list) else []
    if not items:
        return [para(NOT_ANSWERED, st.body)]
    rows: list[list[Any]] = [[para(h, st.cell_bold) for h in ("", "Target", "Due by", "Small steps")]]
    for number, item in enumerate(items, start=1):
        due = parse_iso_date(item.get("due_date"))
        steps = [str(s) for s in item.get("actions") or [] if str(s).strip()]
        rows.append([para(f"{number}.", st.cell_bold), para(item.get("text", ""), st.cell),
                     para(format_date(due) if due else "No due date", st.cell),
                     para("\n".join(f"• {s}" for s in steps) or "—", st.cell)])
    return [grid(rows, [10 * mm, 76 * mm, 24 * mm, FRAME_WIDTH - 110 * mm]), Spacer(1, 3 * mm)]  # a date fits whole


# --- Signatures and the closing block ---------------------------------------------------------------------------------


def _signature_image(signature: SignatureData) -> Flowable | None:
    """The drawn signature at a fixed height, or None if there is no usable image."""
    if not signature.image_png:
        return None
    try:
        raw = base64.b64decode(signature.image_png, validate=True)
        image = Image(io.BytesIO(raw))
    except (binascii.Error, OSError, ValueError):
        return None
    scale = min(55 * mm / image.imageWidth, 18 * mm / image.imageHeight)
    image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
    image.hAlign = "LEFT"
    return image


def _signatures(questions: list[Question], signatures: tuple[SignatureData, ...], st: Styles) -> Flowable:
    rows: list[list[Any]] = [[para(h, st.cell_bold) for h in ("", "Signature", "Name", "Signed")]]
    for question in questions:
        role = question.role or ""
        signature = next((s for s in signatures if s.role == role), None)
        who = para(ROLE_NAMES.get(role, question.printed_label), st.cell_bold)
        if signature is None:
            rows.append([who, para("Not signed", st.cell), "", ""])
            continue
        image = _signature_image(signature)
        if image is None and signature.absent_reason.strip():
            rows.append([who, para(f"Did not sign: {signature.absent_reason.strip()}", st.cell),
                         para(signature.name or "—", st.cell), para(format_datetime(signature.signed_at), st.cell)])
            continue
        rows.append([who, image or para("Signed (no image)", st.cell), para(signature.name, st.cell),
                     para(format_datetime(signature.signed_at), st.cell)])
    table = grid(rows, [36 * mm, 60 * mm, 46 * mm, FRAME_WIDTH - 142 * mm])
    table.setStyle(TableStyle([FONT_COMMAND, ("VALIGN", (0, 1), (-1, -1), "MIDDLE")]))
    return table


def _qr(value: str, size: float) -> Drawing:
    widget = QrCodeWidget(value, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def _closing(document: ReviewDocument, st: Styles, *, withheld: bool = False, copy: Copy = "provider",
             address: str | None = None) -> Flowable:
    """Finalised time, next review, and the fingerprint (text and QR) anyone can check the copy against; on a copy
    that withholds answers, a line saying the fingerprint covers them too. The QR holds the verify address
    (`copy_check.qr_value`) with this copy's own fingerprint, so a checker also learns which copy it holds."""
    review = document.review
    if review.status == "finalised" and review.content_hash:
        fingerprint = copy_fingerprint(review.content_hash, copy)
        where = qr_value(address, document.review_id, fingerprint)
        check = (f"To check this copy, scan the QR code, or open {text(verify_url(address, document.review_id, ''))} "
                 "followed by the copy fingerprint." if address else
                 "This copy was printed before this laptop was connected to the provider's server, so it carries "
                 "no web address: to check it, give the provider the review id and copy fingerprint printed here.")
        lines = [
            f"<b>Finalised:</b> {text(format_datetime(review.finalised_at))}",
            *([] if review.addendum_to_id else
              [f"<b>Next review:</b> {text(_booked(review.next_review_date, review.next_review_time) or 'Not set')}"]),
            f"<b>Review id:</b> {text(document.review_id)}",
            f"<b>Content hash (SHA-256):</b><br/>{text(review.content_hash)}",
            f"<b>Copy fingerprint:</b><br/>{text(fingerprint)}",
            f"{check} The provider checks it against its records: the answer says whether this "
            f"{text(COPY_NAMES[copy].lower())} is what was signed, without showing its content.",
            *([f"<b>{text(WITHHELD_NOTE)}</b>"] if withheld else []),
        ]
        qr = _qr(where, 30 * mm)
    else:
        lines = [f"<b>{text(DRAFT_WATERMARK)}.</b> This is a draft printed for reading. It is not a record of "
                 "the review until it has been finalised and signed.",
                 f"<b>Review id:</b> {text(document.review_id)}"]
        qr = Spacer(30 * mm, 1)
    table = Table([[[Paragraph(line, st.small) for line in lines], qr]],
                  colWidths=[FRAME_WIDTH - 36 * mm, 36 * mm], hAlign="LEFT")
    table.setStyle(TableStyle([
        FONT_COMMAND, ("BOX", (0, 0), (-1, -1), 0.5, RULE), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 6), ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    return KeepTogether([Spacer(1, 5 * mm), table])


def _sentence(title: str) -> str:
    """A heading run into its text ends with a full stop, unless it already ends with punctuation."""
    return title if title.endswith((".", "?", "!")) else title + "."
