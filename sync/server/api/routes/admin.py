"""`/api/v1/admin/...`: what an admin does over HTTP (the CLI offers the same and more)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from sqlalchemy import select

from sync.protocol import AssignmentRequest, AssignmentResponse, ErrorResponse

from ...accounts import AccountError, assign_learner, find_user
from ...models import Learner
from ..deps import AdminDep, ServerIdDep, SessionDep

router = APIRouter(
    prefix="/api/v1/admin",
    tags=["admin"],
    responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}, 404: {"model": ErrorResponse}},
)


@router.post("/assignments", response_model=AssignmentResponse)
def assign(body: AssignmentRequest, caller: AdminDep, session: SessionDep, server: ServerIdDep) -> AssignmentResponse:
    with session.begin():
        learner = session.execute(select(Learner).where(Learner.uln == body.uln)).scalar_one_or_none()
        if learner is None:
            raise HTTPException(status_code=404, detail=f"No learner has the ULN {body.uln}; import it first.")
        assessor = find_user(session, body.username)
        if assessor is None:
            raise HTTPException(status_code=404, detail=f"There is no user called {body.username!r}.")
        try:
            changed = assign_learner(session, learner, assessor, by=caller.username)
        except AccountError as error:
            raise HTTPException(status_code=422, detail=str(error)) from None
        return AssignmentResponse(server_id=server, learner_id=learner.id, assessor=assessor.username, changed=changed)
