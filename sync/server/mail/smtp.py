"""Sending one outbox message over SMTP (stdlib smtplib), and sorting the ways it can fail.

Temporary (retry later): the server cannot be reached, a 4xx answer, our own settings refused (sender, sign-in).
Permanent for this recipient (a bounce: recorded, never retried): a 5xx answer to the recipient or to the message.
"""

from __future__ import annotations

import base64
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime

from ..models import MailMessage, as_utc
from .settings import SmtpSettings


class TemporaryFailure(Exception):
    """Try again later; str() is safe to store (no message content)."""


class PermanentFailure(Exception):
    """The recipient's server refused the message for good (5xx): a bounce."""


def build_message(row: MailMessage, settings: SmtpSettings) -> EmailMessage:
    message = EmailMessage()
    message["Message-ID"] = row.message_id
    message["Date"] = format_datetime(as_utc(row.created_at))
    message["From"] = settings.from_address
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(row.body_text)
    if row.body_html:
        message.add_alternative(row.body_html, subtype="html")
    if row.ics:
        message.add_attachment(row.ics.encode(), maintype="text", subtype="calendar", filename="invite.ics",
                               params={"method": "CANCEL" if "\nMETHOD:CANCEL" in row.ics else "REQUEST"})
    for item in row.attachments or ():
        maintype, _, subtype = (item.get("content_type") or "application/octet-stream").partition("/")
        message.add_attachment(base64.b64decode(item["data"]), maintype=maintype, subtype=subtype or "octet-stream",
                               filename=item["filename"])
    return message


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    if settings.tls == "tls":
        return smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                context=ssl.create_default_context())
    client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    if settings.tls == "starttls":
        client.starttls(context=ssl.create_default_context())
    return client


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}"[:300]


def send(message: EmailMessage, settings: SmtpSettings) -> None:
    """Hand `message` to the SMTP server; TemporaryFailure or PermanentFailure if it is not accepted."""
    try:
        with _connect(settings) as client:
            if settings.user:
                client.login(settings.user, settings.password)
            client.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        text = "; ".join(_reply(code, reply) for code, reply in error.recipients.values())
        if codes and all(code >= 500 for code in codes):
            raise PermanentFailure(f"recipient refused: {text}") from None
        raise TemporaryFailure(f"recipient deferred: {text}") from None
    except smtplib.SMTPDataError as error:
        if error.smtp_code >= 500:
            raise PermanentFailure(f"message refused: {_reply(error.smtp_code, error.smtp_error)}") from None
        raise TemporaryFailure(f"message deferred: {_reply(error.smtp_code, error.smtp_error)}") from None
    except smtplib.SMTPSenderRefused as error:
        raise TemporaryFailure(f"sender {settings.from_address} refused: "
                               f"{_reply(error.smtp_code, error.smtp_error)}") from None
    except smtplib.SMTPAuthenticationError as error:
        raise TemporaryFailure(f"sign-in to the SMTP server refused: {_reply(error.smtp_code, error.smtp_error)}"
                               ) from None
    except smtplib.SMTPResponseException as error:
        raise TemporaryFailure(f"SMTP error {_reply(error.smtp_code, error.smtp_error)}") from None
    except (smtplib.SMTPException, OSError) as error:
        raise TemporaryFailure(f"cannot reach the SMTP server {settings.host}:{settings.port}: "
                               f"{type(error).__name__}: {error}"[:300]) from None
