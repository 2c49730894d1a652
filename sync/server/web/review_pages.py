"""The office's pages for one review and one assessor: `/reviews/{id}` (the review as its printed copy words it),
`/reviews/{id}.pdf` (the provider copy, made by the laptop's PDF code) and `/assessors/{username}`."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from reviewapp.core.documents import ReviewDocument
from reviewapp.core.file_names import safe_name
from reviewapp.core.templates import Template
from reviewapp.reports.review_pdf import ReviewPdfError, review_pdf

from ..api.deps import PageCallerDep, SessionDep
from ..records import Rejected
from ..scope import Caller
from .assessors import NOT_YOURS as NO_ASSESSOR
from .assessors import assessor_page
from .pages import page
from .reviews import NOT_YOURS, OFFICE_COPY, load_review_document, report_settings, shown_sections, template_of

router = APIRouter(include_in_schema=False)


def _document(session: Session, caller: Caller, review_id: str) -> tuple[ReviewDocument, Template]:
    document = load_review_document(session, caller, review_id)
    if document is None:
        raise HTTPException(status_code=403, detail=NOT_YOURS)
    try:
        return document, template_of(session, document)
    except Rejected as refused:
        raise HTTPException(status_code=409, detail=str(refused)) from None


# Before `/reviews/{review_id}`, which would otherwise take "abc.pdf" as an id.
@router.get("/reviews/{review_id}.pdf")
def review_as_pdf(review_id: str, caller: PageCallerDep, session: SessionDep) -> Response:
    document, template = _document(session, caller, review_id)
    try:
        with report_settings(session) as settings:
            data = review_pdf(document, copy=OFFICE_COPY, settings=settings, template=template)
    except ReviewPdfError as refused:
        raise HTTPException(status_code=409, detail=str(refused)) from None
    when = document.review.visit_date.isoformat() if document.review.visit_date else "undated"
    # ASCII only (a header's filename); the learner's ULN names them, as the laptop's folders do.
    name = safe_name(f"Review {document.learner.uln} {when} provider copy").encode("ascii", "replace").decode()
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}.pdf"', "Cache-Control": "no-store"})


@router.get("/reviews/{review_id}", response_class=HTMLResponse)
def review_page(review_id: str, request: Request, caller: PageCallerDep, session: SessionDep) -> HTMLResponse:
    document, template = _document(session, caller, review_id)
    return page(request, "review.html", caller=caller, document=document, template=template,
                sections=shown_sections(template, document))


@router.get("/assessors/{username}", response_class=HTMLResponse)
def assessor(username: str, request: Request, caller: PageCallerDep, session: SessionDep) -> HTMLResponse:
    found = assessor_page(session, caller, username, dt.date.today())
    if found is None:
        raise HTTPException(status_code=403, detail=NO_ASSESSOR)
    return page(request, "assessor.html", caller=caller, assessor=found)
