"""The content of the managers' alert e-mails (issue 16 item 5): a daily e-mail of the urgent alerts and a weekly
digest of every alert, for the teams a manager manages. Only the content: the sending (the durable outbox, SMTP and
its worker) is the mail engineer's, and calls these.

Each is made from the same alerts as the web app's /alerts page (sync/server/alerts.py, by the core's rules),
scoped as that manager sees them there, dismissed ones left out. An e-mail says as little as will do: a learner's
name, the kind of alert and its date, and links to the alerts page, never a target's wording or a review's answers.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy.orm import Session

from reviewapp.core.alerts import Alert, AlertKind
from reviewapp.core.dates import format_date

from .alerts import assessor_names, current_alerts
from .models import User
from .scope import Caller


@dataclass(frozen=True)
class AlertEmail:
    subject: str
    text: str
    #: How many alerts it tells of.
    count: int


def _caller(manager: User) -> Caller:
    return Caller(manager.id, manager.username, manager.role, None, by_team=True)


def _line(alert: Alert, assessor: str) -> str:
    when = f" since {format_date(alert.since)}" if alert.since else ""
    return f"- {alert.learner_name} ({assessor}): {alert.label}{when}"


def _by_assessor(session: Session, alerts: list[Alert]) -> dict[str, list[Alert]]:
    names = assessor_names(session, [a.learner_id for a in alerts])
    grouped: dict[str, list[Alert]] = {}
    for alert in alerts:
        grouped.setdefault(names.get(alert.learner_id, "not assigned"), []).append(alert)
    return dict(sorted(grouped.items(), key=lambda item: item[0].casefold()))


def _greeting(manager: User) -> str:
    return f"Dear {manager.display_name or manager.username},"


def urgent_for(session: Session, manager: User, today: dt.date, base_url: str = "") -> AlertEmail | None:
    """The daily e-mail of urgent alerts (overdue reviews, first reviews not held, Red or Amber ratings) for the
    manager's teams; None when there are none (no e-mail is sent to say so)."""
    alerts = [a for a in current_alerts(session, _caller(manager), today) if a.urgent]
    if not alerts:
        return None
    lines = [_greeting(manager), "",
             f"{len(alerts)} urgent alert{'' if len(alerts) == 1 else 's'} for your teams' learners on "
             f"{format_date(today)}:", ""]
    for assessor, theirs in _by_assessor(session, alerts).items():
        lines += [_line(alert, assessor) for alert in theirs]
    lines += ["", f"See them and dismiss any dealt with: {base_url}/alerts", "",
              "ReviewApp sends this each working day when there are urgent alerts."]
    return AlertEmail(f"ReviewApp: {len(alerts)} urgent alert{'' if len(alerts) == 1 else 's'}, "
                      f"{format_date(today)}", "\n".join(lines), len(alerts))


def weekly_for(session: Session, manager: User, today: dt.date, base_url: str = "") -> AlertEmail:
    """The weekly digest for the manager's teams: every alert counted by kind and by assessor, the urgent ones
    listed. Sent every week, also when there are none (so a quiet week is told from a digest that never came)."""
    alerts = current_alerts(session, _caller(manager), today)
    kinds = Counter(alert.kind for alert in alerts)
    lines = [_greeting(manager), "", f"Alerts for your teams' learners, week to {format_date(today)}:", ""]
    if not alerts:
        lines.append("There are no alerts.")
    for kind in AlertKind:
        if kinds[kind]:
            lines.append(f"{kind.label}: {kinds[kind]}")
    grouped = _by_assessor(session, alerts)
    if grouped:
        lines += ["", "By assessor:"]
        lines += [f"- {assessor}: {len(theirs)} ({sum(1 for a in theirs if a.urgent)} urgent)"
                  for assessor, theirs in grouped.items()]
    urgent = [(assessor, a) for assessor, theirs in grouped.items() for a in theirs if a.urgent]
    if urgent:
        lines += ["", "Urgent:"]
        lines += [_line(alert, assessor) for assessor, alert in urgent]
    lines += ["", f"Every alert, by kind: {base_url}/alerts"]
    return AlertEmail(f"ReviewApp: weekly alerts digest, {len(alerts)} alert{'' if len(alerts) == 1 else 's'}, "
                      f"week to {format_date(today)}", "\n".join(lines), len(alerts))
