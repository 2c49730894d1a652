"""`/api/v1/admin/...`: what an admin does over HTTP (the CLI offers the same and more)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from sync.protocol import (
    AssignmentRequest,
    AssignmentResponse,
    ErrorResponse,
    PasswordResetRequest,
    UserStateResponse,
)

from ...accounts import (
    AccountError,
    assign_learner,
    disable_user,
    enable_user,
    find_user,
    reset_password,
    unlock_user,
)
from ...models import Learner, User
from ...scope import Caller
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


def _user_action(
    session: Session, server: str, username: str, action: Callable[[User], bool]
) -> UserStateResponse:
    with session.begin():
        user = find_user(session, username)
        if user is None:
            raise HTTPException(status_code=404, detail=f"There is no user called {username!r}.")
        try:
            changed = action(user)
        except AccountError as error:
            raise HTTPException(status_code=422, detail=str(error)) from None
        return UserStateResponse(server_id=server, username=user.username, active=user.active,
                                 must_change_password=user.must_change_password, changed=changed)


def _not_yourself(caller: Caller, user: User) -> None:
    if user.id == caller.user_id:
        raise AccountError("You cannot disable your own account: ask another admin, or use the command line.")


@router.post("/users/{username}/disable", response_model=UserStateResponse)
def disable(username: str, caller: AdminDep, session: SessionDep, server: ServerIdDep) -> UserStateResponse:
    """Disable the account: its tokens fail at once, and its sign-ins until it is enabled again."""
    def act(user: User) -> bool:
        _not_yourself(caller, user)
        return disable_user(session, user, actor=caller.username)

    return _user_action(session, server, username, act)


@router.post("/users/{username}/enable", response_model=UserStateResponse)
def enable(username: str, caller: AdminDep, session: SessionDep, server: ServerIdDep) -> UserStateResponse:
    """Re-enable the account and lift any sign-in lock; revoked devices stay revoked."""
    return _user_action(session, server, username, lambda user: enable_user(session, user, actor=caller.username))


@router.post("/users/{username}/unlock", response_model=UserStateResponse)
def unlock(username: str, caller: AdminDep, session: SessionDep, server: ServerIdDep) -> UserStateResponse:
    """Lift the lock that repeated failed sign-ins put on the account."""
    return _user_action(session, server, username, lambda user: unlock_user(session, user, actor=caller.username))


@router.post("/users/{username}/password", response_model=UserStateResponse, responses={422: {"model": ErrorResponse}})
def reset(
    username: str, body: PasswordResetRequest, caller: AdminDep, session: SessionDep, server: ServerIdDep
) -> UserStateResponse:
    """Set a new password (by default one the user must change at the next sign-in); every token of theirs ends."""
    def act(user: User) -> bool:
        reset_password(session, user, body.new_password, force_change=body.force_change, actor=caller.username)
        return True

    return _user_action(session, server, username, act)
