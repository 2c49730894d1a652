"""Accounts, devices, tokens and caseload assignments: what the CLI, the auth and the admin routes share.

Every admin action is written to the audit trail (audit.py) in the same transaction as the action itself.
Disabling an account, resetting or changing a password all end every token of the account at once (they are
expired, so a laptop is told to sign in again); revoked devices stay revoked whatever happens to the account.

Assigning a learner re-stamps the learner and everything hanging off it with fresh revs, so the new assessor's
next pull (which pages by rev) brings the whole record down, and records a `removed` entry for the previous
assessor so their laptop purges it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from email_validator import EmailNotValidError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from sync.protocol import TokenRequest, UserInfo

from . import lockout
from .audit import record_event
from .core.password_policy import WeakPassword, check_password
from .core.security import hash_password, new_token, token_digest, verify_password
from .db import new_id, next_rev, take_write_lock
from .lockout import LockoutPolicy
from .mail.settings import check_address
from .models import (
    ASSIGNED_AT_OFFICE,
    ENTITY_NAMES,
    LEARNER_CHILD_MODELS,
    Assignment,
    CaseloadRemoval,
    Device,
    Employer,
    Learner,
    Token,
    User,
    WebSession,
    as_utc,
    utcnow,
)

#: Assessors hold caseloads; managers manage teams of them; quality leads and admins see every learner. The
#: designated safeguarding lead and their deputies work safeguarding cases, the learning support officer learning
#: support ones (cases/): they hold no caseload and see no learner's records beyond their cases.
ROLES = ("assessor", "manager", "quality_lead", "admin", "safeguarding_lead", "safeguarding_deputy", "learning_support")
#: Roles that are told of cases by e-mail, so their accounts cannot be without an address.
NOTIFIED_ROLES = ("safeguarding_lead", "safeguarding_deputy", "learning_support")
NEEDS_EMAIL = "A {role} account needs an e-mail address: that is how it is told of a case."


class AccountError(ValueError):
    """A request about accounts that cannot be carried out; the message is meant for the person who made it."""


def user_info(user: User) -> UserInfo:
    return UserInfo(id=user.id, username=user.username, display_name=user.display_name, role=user.role)  # type: ignore[arg-type]


#: Who an action is attributed to when no person is named (the demo seeding, tests).
SERVER_ACTOR = "server"


def _checked_password(password: str, username: str) -> str:
    """The argon2 hash of a password that meets the one policy (core/password_policy.py); AccountError if not."""
    try:
        check_password(password, username)
    except WeakPassword as weak:
        raise AccountError(str(weak)) from None
    return hash_password(password)


def _check_email(email: str) -> str:
    """The address as stored (email-validator's normal form: the domain lower-cased), or AccountError with the
    reason; no DNS look-up. Empty stays empty (no address)."""
    if not email:
        return email
    try:
        return check_address(email)
    except EmailNotValidError as error:
        raise AccountError(f"{email!r} is not an e-mail address ({error}): leave it empty, or give one like "
                           "name@example.org.") from None


def set_email(session: Session, user: User, email: str, *, actor: str = SERVER_ACTOR) -> bool:
    """Give a user another e-mail address (empty for none), checked as at creation; False when it is theirs
    already."""
    email = _check_email(email.strip())
    if not email and user.role in NOTIFIED_ROLES:
        raise AccountError(NEEDS_EMAIL.format(role=user.role.replace("_", " ")))
    if user.email == email:
        return False
    record_event(session, actor, "email_changed", user_id=user.id, detail=f"{user.email or '(none)'} to "
                 f"{email or '(none)'}")
    user.email = email
    return True


def create_user(
    session: Session, username: str, password: str, role: str, display_name: str = "", *, actor: str = SERVER_ACTOR,
    email: str = "",
) -> User:
    username, email = username.strip(), email.strip()
    if not username:
        raise AccountError("A username cannot be empty.")
    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}: choose one of {', '.join(ROLES)}.")
    email = _check_email(email)
    if role in NOTIFIED_ROLES and not email:
        raise AccountError(NEEDS_EMAIL.format(role=role.replace("_", " ")))
    password_hash = _checked_password(password, username)
    if session.execute(select(User).where(User.username == username)).scalar_one_or_none() is not None:
        raise AccountError(f"There is already a user called {username!r}.")
    user = User(
        id=new_id(), username=username, display_name=display_name, email=email, role=role,
        password_hash=password_hash, password_changed_at=utcnow(),
    )
    session.add(user)
    session.flush()
    record_event(session, actor, "user_created", user_id=user.id, detail=f"{role} {username}")
    return user


def set_role(session: Session, user: User, role: str, *, actor: str = SERVER_ACTOR) -> bool:
    """Give a user another role; False when it is theirs already. An assessor still holding learners keeps the
    role until they are reassigned, since only assessors hold caseloads (a caseload must never go unseen)."""
    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}: choose one of {', '.join(ROLES)}.")
    if user.role == role:
        return False
    if role in NOTIFIED_ROLES and not user.email:
        raise AccountError(NEEDS_EMAIL.format(role=role.replace("_", " ")) + " Set their e-mail address first.")
    held = session.scalar(select(func.count()).select_from(Assignment).where(Assignment.assessor_id == user.id))
    if held:
        raise AccountError(f"{user.username!r} still holds {held} learner{'s' if held != 1 else ''}: assign them to "
                           "another assessor first.")
    record_event(session, actor, "role_changed", user_id=user.id, detail=f"{user.role} to {role}")
    user.role = role
    return True


def expire_tokens(session: Session, user_id: str) -> None:
    """End every token of the account now. Expired rather than deleted, so a laptop still holding one is told
    `account_disabled` (while disabled) or `token_expired` (sign in again), never an unexplained `token_invalid`."""
    now = utcnow()
    session.execute(
        update(Token).where(Token.user_id == user_id, Token.expires_at > now).values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    # The browser sign-ins end too: the office web app asks for the password again.
    session.execute(
        delete(WebSession).where(WebSession.user_id == user_id).execution_options(synchronize_session=False)
    )


def disable_user(session: Session, user: User, *, actor: str = SERVER_ACTOR) -> bool:
    """Disable an account: every request with its tokens fails at once, and so does every sign-in. False if it
    was disabled already."""
    if not user.active:
        return False
    user.active = False
    expire_tokens(session, user.id)
    record_event(session, actor, "user_disabled", user_id=user.id)
    return True


def enable_user(session: Session, user: User, *, actor: str = SERVER_ACTOR) -> bool:
    """Re-enable an account and lift any sign-in lock. Its old tokens stay expired and its revoked devices stay
    revoked: the person signs in again. False if it was active and unlocked already."""
    unlocked = lockout.clear(session, user.username, utcnow())
    if user.active and not unlocked:
        return False
    if not user.active:
        user.active = True
        record_event(session, actor, "user_enabled", user_id=user.id)
    if unlocked:
        record_event(session, actor, "user_unlocked", user_id=user.id)
    return True


def unlock_user(session: Session, user: User, *, actor: str = SERVER_ACTOR) -> bool:
    """Lift the lock repeated failed sign-ins put on the account. False if it was not locked."""
    if not lockout.clear(session, user.username, utcnow()):
        return False
    record_event(session, actor, "user_unlocked", user_id=user.id)
    return True


def reset_password(
    session: Session, user: User, new_password: str, *, force_change: bool = True, actor: str = SERVER_ACTOR
) -> None:
    """An admin sets a new password; with `force_change` the next sign-in is refused until the user picks their
    own (`password_change_required`). Every token of the account ends."""
    user.password_hash = _checked_password(new_password, user.username)
    user.must_change_password = force_change
    user.password_changed_at = utcnow()
    expire_tokens(session, user.id)
    lockout.clear(session, user.username, utcnow())
    record_event(session, actor, "password_reset", user_id=user.id,
                 detail="change required at next sign-in" if force_change else "")


def change_own_password(
    session: Session, username: str, current_password: str, new_password: str, policy: LockoutPolicy
) -> User:
    """The user's own change, proven by the current password (counted like a sign-in: failures lock the name).

    Works while a change is required, which is how the laptop answers `password_change_required`. Every token
    of the account ends, so other laptops sign in again with the new password.
    """
    user = check_credentials(session, username, current_password, policy)
    if new_password == current_password:
        raise AccountError("The new password must differ from the current one.")
    user.password_hash = _checked_password(new_password, user.username)
    user.must_change_password = False
    user.password_changed_at = utcnow()
    expire_tokens(session, user.id)
    record_event(session, user.username, "password_changed", user_id=user.id)
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
    username and a wrong password are the same failure, and so is a disabled account's wrong password. A locked
    name answers `account_locked` whatever the password and whether or not an account has that name.
    """

    def __init__(self, code: str, retry_after: int | None = None) -> None:
        super().__init__(code)
        self.code = code
        #: Seconds until trying again can help (`account_locked`).
        self.retry_after = retry_after


def check_credentials(session: Session, username: str, password: str, policy: LockoutPolicy) -> User:
    """The active account this password opens; raises `AuthFailure` otherwise.

    A locked name is refused before its password is checked (`account_locked`, the same for every name, known or
    not, right password or wrong). A failure is counted in `session`: the caller commits it even though it then
    refuses the request.
    """
    now = utcnow()
    until = lockout.locked_until(session, username, now)
    if until is not None:
        raise AuthFailure("account_locked", retry_after=max(1, int((until - now).total_seconds()) + 1))
    user = find_user(session, username)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        lockout.record_failure(session, username, now, policy)
        raise AuthFailure("credentials_invalid")
    lockout.clear(session, username, now)
    if not user.active:
        raise AuthFailure("account_disabled")
    return user


def issue_token(
    session: Session, request: TokenRequest, lifetime: dt.timedelta, policy: LockoutPolicy
) -> IssuedToken:
    """A token for good credentials, on the laptop's own device row; raises `AuthFailure` for anything else."""
    user = check_credentials(session, request.username, request.password, policy)
    if user.must_change_password:
        raise AuthFailure("password_change_required")
    now = utcnow()
    device = _device_for(session, user, request, now)
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


def _device_for(session: Session, user: User, request: TokenRequest, now: dt.datetime) -> Device:
    """The laptop's device row: the one it names if that is this user's and not revoked, else a new one.

    A revoked device stays revoked: signing in again from it makes a new device, which the admin sees (and can
    revoke) like any other. An id of another user's device is treated as unknown, without saying so. The name
    chosen at the first sign-in is kept; host name and app version follow what the laptop reports.
    """
    device = session.get(Device, request.device_id) if request.device_id else None
    if device is None or device.user_id != user.id or device.revoked_at is not None:
        device = Device(id=new_id(), user_id=user.id, name=request.device_name, created_at=now)
        session.add(device)
    device.last_seen_at = now
    device.host_name = request.host_name or device.host_name or ""
    device.app_version = request.app_version or device.app_version or ""
    return device


def revoke_device(session: Session, device_id: str, *, actor: str = SERVER_ACTOR) -> Device:
    device = session.get(Device, device_id)
    if device is None:
        raise AccountError(f"No device has the id {device_id!r}: `list-devices` shows them.")
    if device.revoked_at is None:
        device.revoked_at = utcnow()
        record_event(session, actor, "device_revoked", user_id=device.user_id, device_id=device.id,
                     detail=device.name)
    return device


def list_devices(session: Session) -> list[tuple[Device, User]]:
    return list(session.execute(select(Device, User).join(User, User.id == Device.user_id).order_by(Device.created_at)))


def assign_learner(session: Session, learner: Learner, assessor: User, by: str = "admin",
                   source: str = ASSIGNED_AT_OFFICE) -> bool:
    """Put a learner in an assessor's caseload (taking it out of any other). False when already there.

    `source` is who decided (models.Assignment): an admin's choice, the default, is the office's from then on,
    even when it confirms the assessor the MIS named, so a later import keeps it. Must run inside a write
    transaction; takes the rev lock itself.
    """
    if assessor.role != "assessor":
        raise AccountError(
            f"{assessor.username!r} is a {assessor.role}, not an assessor; only assessors hold caseloads."
        )
    take_write_lock(session)
    current = session.get(Assignment, learner.id)
    if current is not None and current.assessor_id == assessor.id:
        current.source = source if source == ASSIGNED_AT_OFFICE else current.source
        return False
    if current is not None:
        rev = next_rev(session, "learner", learner.id, "removed", by)
        session.add(CaseloadRemoval(rev=rev, learner_id=learner.id, assessor_id=current.assessor_id))
        current.assessor_id = assessor.id
        current.rev = rev
        current.assigned_at = utcnow()
        current.source = source
    else:
        rev = next_rev(session, "learner", learner.id, "assigned", by)
        session.add(Assignment(learner_id=learner.id, assessor_id=assessor.id, rev=rev, source=source))
    record_event(session, by, "learner_assigned", user_id=assessor.id, learner_id=learner.id,
                 detail=f"learner {learner.uln}")
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
