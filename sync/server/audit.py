"""The audit trail: admin actions (`audit_events`, append-only) beside accepted record changes (`change_log`).

Every rev handed out is already logged in `change_log` with the user, the device and the server's receipt time (and
the device's own time when the client sent one), so record changes are not written twice; admin actions, which
hand out no rev or not only one, are written here. `reviewapp-server audit` reads the two together.
"""

from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .db import new_id
from .models import LEARNER_CHILD_MODELS, AuditEvent, ChangeLog, Device, Learner, User, as_utc, utcnow

#: Times are shown as people in England read them, whatever the server's own zone.
DISPLAY_ZONE = ZoneInfo("Europe/London")
MAX_DETAIL = 1000
#: How each admin action reads in `reviewapp-server audit`, followed by the account it was about (if any).
ACTION_TEXT = {
    "user_created": "created user",
    "user_disabled": "disabled user",
    "user_enabled": "re-enabled user",
    "user_unlocked": "unlocked user",
    "password_reset": "reset the password of",
    "password_changed": "changed the password of",
    "device_revoked": "revoked a device of",
    "learner_assigned": "assigned a learner to",
    "caseload_imported": "imported a caseload",
    "role_changed": "changed the role of",
    "team_created": "created a team",
    "team_member_added": "added to a team",
    "team_member_removed": "removed from a team",
}


def os_user() -> str:
    """The login name of the shell an admin command runs in."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for the uid, e.g. in a container
        return "unknown"


def command_line_actor() -> str:
    """Who an admin command run at the server's terminal is attributed to: the operating-system account."""
    return f"command line ({os_user()})"


def record_event(
    session: Session,
    actor: str,
    action: str,
    *,
    user_id: str | None = None,
    learner_id: str | None = None,
    device_id: str | None = None,
    detail: str = "",
) -> AuditEvent:
    """Add one admin action to the trail, in the caller's transaction (so it is kept exactly when the action is)."""
    event = AuditEvent(
        id=new_id(), at=utcnow(), actor=actor[:200], action=action, user_id=user_id, learner_id=learner_id,
        device_id=device_id, detail=detail[:MAX_DETAIL],
    )
    session.add(event)
    return event


@dataclass(frozen=True)
class AuditLine:
    at: dt.datetime
    who: str
    what: str
    device_time: dt.datetime | None = None


def format_time(value: dt.datetime) -> str:
    """DD/MM/YYYY HH:MM in Europe/London (GMT or BST as the date has it)."""
    return as_utc(value).astimezone(DISPLAY_ZONE).strftime("%d/%m/%Y %H:%M")  # type: ignore[union-attr]


def format_line(line: AuditLine) -> str:
    claimed = f" (device time {format_time(line.device_time)})" if line.device_time else ""
    return f"{format_time(line.at)}  {line.who:<24} {line.what}{claimed}"


def _names(session: Session) -> tuple[dict[str, str], dict[str, str]]:
    users = {row.id: row.username for row in session.execute(select(User.id, User.username))}
    devices = {row.id: row.name for row in session.execute(select(Device.id, Device.name))}
    return users, devices


def _change_lines(session: Session, rows: list[ChangeLog]) -> list[AuditLine]:
    users, devices = _names(session)
    lines = []
    for row in rows:
        who = users.get(row.user_id or "", row.user_id or "server")  # imports and admins log a name, not an id
        on = f" from device {devices[row.device_id]!r}" if row.device_id in devices else ""
        lines.append(AuditLine(row.at, who, f"{row.op} {row.entity.replace('_', ' ')} {row.record_id}{on}",
                               as_utc(row.device_time)))
    return lines


def _event_lines(session: Session, events: list[AuditEvent]) -> list[AuditLine]:
    users, _ = _names(session)
    lines = []
    for event in events:
        about = f" {users.get(event.user_id, event.user_id)}" if event.user_id else ""
        detail = f": {event.detail}" if event.detail else ""
        text = ACTION_TEXT.get(event.action, event.action.replace("_", " "))
        lines.append(AuditLine(event.at, event.actor, f"{text}{about}{detail}"))
    return lines


def learner_trail(session: Session, learner: Learner) -> list[AuditLine]:
    """Every accepted change to the learner and the records hanging off it, and every admin action about them."""
    ids = [learner.id]
    for model in LEARNER_CHILD_MODELS:
        ids += session.execute(select(model.id).where(model.learner_id == learner.id)).scalars()
    changes: list[ChangeLog] = []
    for start in range(0, len(ids), 500):
        changes += session.execute(select(ChangeLog).where(ChangeLog.record_id.in_(ids[start:start + 500]))).scalars()
    events = list(session.execute(select(AuditEvent).where(AuditEvent.learner_id == learner.id)).scalars())
    return _sorted(_change_lines(session, changes) + _event_lines(session, events))


def user_trail(session: Session, user: User) -> list[AuditLine]:
    """Every change the user made, and every admin action they took or that was taken about their account."""
    changes = list(session.execute(
        select(ChangeLog).where(or_(ChangeLog.user_id == user.id, ChangeLog.user_id == user.username))
    ).scalars())
    events = list(session.execute(
        select(AuditEvent).where(or_(AuditEvent.user_id == user.id, AuditEvent.actor == user.username))
    ).scalars())
    return _sorted(_change_lines(session, changes) + _event_lines(session, events))


def _sorted(lines: list[AuditLine]) -> list[AuditLine]:
    return sorted(lines, key=lambda line: as_utc(line.at))  # type: ignore[arg-type,return-value]
