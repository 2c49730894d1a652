"""E-mail for the server: a durable outbox in the database, sent over SMTP by background workers.

For callers (case e-mails, alert digests, copies, invitations):

    from sync.server.mail import enqueue, Attachment
    enqueue(session, to=user.email, subject="A safeguarding case is waiting", text=..., kind="case", key=f"case:{id}")

`enqueue` adds the message inside your transaction (it is sent only if you commit) and is idempotent on `key`.
Learn of a refused address with `bounced_keys(session, kind=...)` or `@on_bounce("case")`.
"""

from .delivery import DeliveryRun, deliver_due
from .outbox import (
    STATUSES,
    Attachment,
    MailError,
    bounced_keys,
    counts,
    enqueue,
    on_bounce,
    retry,
    status_of,
    unsent,
)
from .settings import DeliveryTimings, MailSettingsError, SmtpSettings, check_address, smtp_from_env, timings_from_env

__all__ = [
    "STATUSES",
    "Attachment",
    "DeliveryRun",
    "DeliveryTimings",
    "MailError",
    "MailSettingsError",
    "SmtpSettings",
    "bounced_keys",
    "check_address",
    "counts",
    "deliver_due",
    "enqueue",
    "on_bounce",
    "retry",
    "smtp_from_env",
    "status_of",
    "timings_from_env",
    "unsent",
]
