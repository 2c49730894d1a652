"""Accounts, devices, tokens and caseload assignments: what the CLI and the auth route share.

Assigning a learner re-stamps the learner and everything hanging off it with fresh revs, so the new assessor's
next pull (which pages by rev) brings the whole record down, and records a `removed` entry for the previous
assessor so their laptop purges it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sync.protocol import UserInfo

from .core.security import hash_password, new_token, token_digest, verify_password
from .db import new_id, next_rev, take_write_lock
from .models import (
    ENTITY_NAMES,
    LEARNER_CHILD_MODELS,
    Assignment,
    CaseloadRemoval,
    Device,
    Employer,
    Learner,
    Token,
    User,
    as_utc,
    utcnow,
)

ROLES = ("assessor", "manager", "admin")


class AccountError(ValueError):
    """A request about accounts that cannot be carried out; the message is meant for the person who made it."""


def user_info(user: User) -> UserInfo:
    return UserInfo(id=user.id, username=user.username, display_name=user.display_name, role=user.role)  # type: ignore[arg-type]


def create_user(session: Session, username: str, password: str, role: str, display_name: str = "") -> User:
    username = username.strip()
    if not username:
        raise AccountError("A username cannot be empty.")
    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}: choose one of {', '.join(ROLES)}.")
    if len(password) < 8:
        raise AccountError("The password must be at least 8 characters long.")
    if session.execute(select(User).where(User.username == username)).scalar_one_or_none() is not None:
        raise AccountError(f"There is already a user called {username!r}.")
    user = User(
        id=new_id(), username=username, display_name=display_name, role=role, password_hash=hash_password(password)
    )
    session.add(user)
    session.flush()
    return user


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: dt.datetime
    user: User
    device: Device


class AuthFailure(Exception):
    """Why a sign-in or a token was refused: `code` is one of `sync.protocol.AuthErrorCode`.

    Only someone who already holds the right password (or a token) learns more than `credentials_invalid`: a wrong
    username and a wrong password are the same failure, and so is a disabled account's wrong password.
    """

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def issue_token(
    session: Session, username: str, password: str, device_name: str, lifetime: dt.timedelta
) -> IssuedToken:
    """A new device and token for good credentials; raises `AuthFailure` for anything else."""
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if not verify_password(user.password_hash if user else None, password) or user is None:
        raise AuthFailure("credentials_invalid")
    if not user.active:
        raise AuthFailure("account_disabled")
    now = utcnow()
    device = Device(id=new_id(), user_id=user.id, name=device_name, created_at=now, last_seen_at=now)
    session.add(device)
    token = new_token()
    expires_at = now + lifetime
    session.add(Token(token_hash=token_digest(token), device_id=device.id, user_id=user.id, expires_at=expires_at))
    session.flush()
    return IssuedToken(token=token, expires_at=expires_at, user=user, device=device)


def authenticate(session: Session, token: str) -> tuple[User, Device]:
    """The user and device behind a bearer token that is known, unexpired, on an unrevoked device.

    Raises `AuthFailure`: `token_invalid` (unknown), else `device_revoked` (whatever else is wrong too: a revoked
    laptop must learn it, even with an expired token), else `account_disabled`, else `token_expired`.
    """
    row = session.execute(
        select(Token, User, Device)
        .join(User, User.id == Token.user_id)
        .join(Device, Device.id == Token.device_id)
        .where(Token.token_hash == token_digest(token))
    ).one_or_none()
    if row is None:
        raise AuthFailure("token_invalid")
    stored, user, device = row
    if device.revoked_at is not None:
        raise AuthFailure("device_revoked")
    if not user.active:
        raise AuthFailure("account_disabled")
    expires_at = as_utc(stored.expires_at)
    if expires_at is None or expires_at <= utcnow():
        raise AuthFailure("token_expired")
    return user, device


def revoke_device(session: Session, device_id: str) -> Device:
    device = session.get(Device, device_id)
    if device is None:
        raise AccountError(f"No device has the id {device_id!r}: `list-devices` shows them.")
    if device.revoked_at is None:
        device.revoked_at = utcnow()
    return device


def list_devices(session: Session) -> list[tuple[Device, User]]:
    return list(session.execute(select(Device, User).join(User, User.id == Device.user_id).order_by(Device.created_at)))


def assign_learner(session: Session, learner: Learner, assessor: User, by: str = "admin") -> bool:
    """Put a learner in an assessor's caseload (taking it out of any other). False when already there.

    Must run inside a write transaction; takes the rev lock itself.
    """
    if assessor.role != "assessor":
        raise AccountError(
            f"{assessor.username!r} is a {assessor.role}, not an assessor; only assessors hold caseloads."
        )
    take_write_lock(session)
    current = session.get(Assignment, learner.id)
    if current is not None and current.assessor_id == assessor.id:
        return False
    if current is not None:
        rev = next_rev(session, "learner", learner.id, "removed", by)
        session.add(CaseloadRemoval(rev=rev, learner_id=learner.id, assessor_id=current.assessor_id))
        current.assessor_id = assessor.id
        current.rev = rev
        current.assigned_at = utcnow()
    else:
        rev = next_rev(session, "learner", learner.id, "assigned", by)
        session.add(Assignment(learner_id=learner.id, assessor_id=assessor.id, rev=rev))
    learner.data = {**learner.data, "assessor": assessor.username}
    touch_learner_tree(session, learner, by)
    return True


def touch_learner_tree(session: Session, learner: Learner, by: str) -> None:
    """Give a learner, its employer and everything hanging off it fresh revs, so a new holder pulls them all."""
    now = utcnow()
    learner.rev = next_rev(session, "learner", learner.id, "upsert", by)
    learner.updated_at, learner.updated_by = now, by
    touch_employer(session, learner.employer_id, by)
    for model in LEARNER_CHILD_MODELS:
        ids = session.execute(select(model.id).where(model.learner_id == learner.id).order_by(model.rev)).scalars()
        for record_id in list(ids):
            rev = next_rev(session, ENTITY_NAMES[model], record_id, "upsert", by)
            session.execute(update(model).where(model.id == record_id).values(rev=rev))


def touch_employer(session: Session, employer_id: str | None, by: str) -> None:
    """Re-stamp an employer so assessors whose learner now points at it receive it on their next pull."""
    employer = session.get(Employer, employer_id) if employer_id else None
    if employer is not None:
        employer.rev = next_rev(session, "employer", employer.id, "upsert", by)


def find_user(session: Session, username: str) -> User | None:
    return session.execute(select(User).where(User.username == username)).scalar_one_or_none()
