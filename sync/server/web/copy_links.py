"""`/copies/<token>`: the learner's or the employer's copy of one review, from the time-limited link the server
e-mailed (copy_links.py), without signing in. The token is the only authority: it opens that copy of that review
and nothing else, until it expires; anything else is refused with the reason (the same page for a changed token
and for a review no longer held, so the page reveals nothing about other reviews)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from reviewapp.reports.review_pdf import ReviewPdfError, review_pdf

from ..api.deps import SessionDep
from ..archive.copies import ARCHIVE_CALLER
from ..copy_links import NOT_A_LINK, LinkRefused, check_token
from ..email_copies import copy_filename
from ..records import Rejected
from .pages import page
from .reviews import load_review_document, report_settings, template_of

router = APIRouter()
TITLE = "Your copy of a progress review"


@router.get("/copies/{token}", include_in_schema=False, response_model=None)
def copy_from_link(token: str, request: Request, session: SessionDep) -> Response | HTMLResponse:
    try:
        with session.begin():
            review_id, copy = check_token(session, token)
            document = load_review_document(session, ARCHIVE_CALLER, review_id)
            if document is None:
                raise LinkRefused(NOT_A_LINK)
            with report_settings(session) as settings:
                data = review_pdf(document, copy=copy, settings=settings, template=template_of(session, document))
    except LinkRefused as refused:
        response = page(request, "error.html", status=403, title=TITLE, detail=str(refused))
        response.headers["Cache-Control"] = "no-store"
        return response
    except (Rejected, ReviewPdfError):
        return page(request, "error.html", status=409, title=TITLE,
                    detail="This copy cannot be made just now. Ask your training provider to send it again.")
    name = copy_filename(document, copy).encode("ascii", "replace").decode().replace('"', "'")
    return Response(data, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer"})
