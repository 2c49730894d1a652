"""The archived signed copy of a review (PDF/A-2b, PAdES: sync/server/archive), downloaded from the learner's page.

For managers, quality leads and admins (the one role check, `require_role`), each within their scope (`Caller.visible`,
by the copy's learner): another team's learner's copy and an unknown id get the same 403 page. A review the caller
may see whose copy is not made yet is told so (409, with when to expect it).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import Response
from sqlalchemy import select

from reviewapp.core.file_names import safe_name

from ..api.deps import SessionDep, require_role, session_caller
from ..models import ArchivedCopy, Learner, Review
from ..scope import Caller
from .pages import templates
from .reviews import NOT_YOURS

#: Who may download archived copies: the office's people who answer for the records, not assessors.
ARCHIVE_ROLES = ("manager", "quality_lead", "admin")
ArchiveCallerDep = Annotated[Caller, Depends(require_role(*ARCHIVE_ROLES, via=session_caller))]
NOT_MADE_YET = ("The archived signed copy of this review has not been made yet. Copies are made in the background "
                "soon after a finalised review reaches the server: try again in a few minutes.")
LINK_TEXT = "Archived signed copy (PDF/A)"
# The learner page shows the link to those who may follow it (learner.html).
templates.env.globals["archive_roles"] = ARCHIVE_ROLES
templates.env.globals["archive_link_text"] = LINK_TEXT

router = APIRouter(include_in_schema=False)


@router.get("/reviews/{review_id}/archived.pdf")
def archived_copy(review_id: str, caller: ArchiveCallerDep, session: SessionDep) -> Response:
    if len(review_id) > 36:
        raise HTTPException(status_code=403, detail=NOT_YOURS)
    found = session.execute(
        select(ArchivedCopy.pdf, Learner.uln, Review.visit_date)
        .join(Learner, Learner.id == ArchivedCopy.learner_id)
        .join(Review, Review.id == ArchivedCopy.review_id)
        .where(ArchivedCopy.review_id == review_id, caller.visible(ArchivedCopy), Learner.deleted.is_(False),
               Review.deleted.is_(False))
    ).one_or_none()
    if found is None:
        visible = session.execute(select(Review.id).where(
            Review.id == review_id, Review.status == "finalised", Review.deleted.is_(False), caller.visible(Review),
        )).scalar_one_or_none()
        raise HTTPException(status_code=409 if visible else 403, detail=NOT_MADE_YET if visible else NOT_YOURS)
    pdf, uln, visit = found
    name = safe_name(f"Review {uln} {visit or 'undated'} archived signed copy").encode("ascii", "replace").decode()
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}.pdf"', "Cache-Control": "no-store"})
