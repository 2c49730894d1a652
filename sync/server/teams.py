"""Teams of assessors: a manager in a team manages it and, in the office web app, sees its assessors' caseloads.

An assessor or a manager may be in several teams. Who sees what is decided in one place (scope.py); this module only
keeps the membership, each change on the audit trail in the same transaction.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .accounts import SERVER_ACTOR, AccountError
from .audit import record_event
from .db import new_id
from .models import Team, TeamMember, User

#: The roles a team is made of: the assessors in it and the managers who manage it.
TEAM_ROLES = ("assessor", "manager")


def find_team(session: Session, name: str) -> Team | None:
    return session.execute(select(Team).where(Team.name == name.strip())).scalar_one_or_none()


def create_team(session: Session, name: str, *, actor: str = SERVER_ACTOR) -> Team:
    name = name.strip()
    if not name:
        raise AccountError("A team's name cannot be empty.")
    if find_team(session, name) is not None:
        raise AccountError(f"There is already a team called {name!r}.")
    team = Team(id=new_id(), name=name)
    session.add(team)
    session.flush()
    record_event(session, actor, "team_created", detail=name)
    return team


def add_to_team(session: Session, team: Team, user: User, *, actor: str = SERVER_ACTOR) -> bool:
    """Put an assessor (who works in it) or a manager (who manages it) in a team; False when already there."""
    if user.role not in TEAM_ROLES:
        raise AccountError(f"{user.username!r} is a {user.role.replace('_', ' ')}, who sees every learner already; "
                           "only assessors and managers are put in teams.")
    if session.get(TeamMember, (team.id, user.id)) is not None:
        return False
    session.add(TeamMember(team_id=team.id, user_id=user.id))
    record_event(session, actor, "team_member_added", user_id=user.id, detail=f"{user.role} in {team.name}")
    return True


def teams_of(session: Session, user_id: str) -> list[str]:
    """The names of the teams a user is in, for showing who they are."""
    return list(session.scalars(
        select(Team.name).join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.user_id == user_id).order_by(Team.name)
    ))


def remove_from_team(session: Session, team: Team, user: User, *, actor: str = SERVER_ACTOR) -> bool:
    """Take a user out of a team; False when they were not in it."""
    member = session.get(TeamMember, (team.id, user.id))
    if member is None:
        return False
    session.delete(member)
    record_event(session, actor, "team_member_removed", user_id=user.id, detail=f"{user.role} from {team.name}")
    return True
