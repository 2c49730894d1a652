"""The SMTP settings, from the environment, checked once at start-up with messages an admin can act on."""

from __future__ import annotations

import os
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

HOST_ENV = "REVIEWAPP_SMTP_HOST"
PORT_ENV = "REVIEWAPP_SMTP_PORT"
USER_ENV = "REVIEWAPP_SMTP_USER"
PASSWORD_ENV = "REVIEWAPP_SMTP_PASSWORD"
FROM_ENV = "REVIEWAPP_SMTP_FROM"
TLS_ENV = "REVIEWAPP_SMTP_TLS"
TLS_MODES = ("starttls", "tls", "none")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}

#: Delivery's timings; the defaults suit a provider, the tests shorten them.
RETRY_SECONDS_ENV = "REVIEWAPP_MAIL_RETRY_SECONDS"  # first back-off; doubled at each failure
RETRY_CAP_SECONDS_ENV = "REVIEWAPP_MAIL_RETRY_CAP_SECONDS"
MAX_ATTEMPTS_ENV = "REVIEWAPP_MAIL_MAX_ATTEMPTS"
LEASE_SECONDS_ENV = "REVIEWAPP_MAIL_LEASE_SECONDS"
POLL_SECONDS_ENV = "REVIEWAPP_MAIL_POLL_SECONDS"


class MailSettingsError(ValueError):
    """The SMTP settings in the environment cannot work; the message names the variable and what to do."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    from_address: str
    tls: str = "starttls"
    user: str = ""
    password: str = ""
    timeout: float = 30.0

    def describe(self) -> str:
        """For the log and the admin: no password."""
        who = f" as {self.user}" if self.user else ""
        return f"{self.host}:{self.port} ({self.tls}){who}, from {self.from_address}"


@dataclass(frozen=True)
class DeliveryTimings:
    retry_seconds: float = 60.0
    retry_cap_seconds: float = 3600.0
    max_attempts: int = 8
    lease_seconds: float = 300.0
    poll_seconds: float = 5.0

    def back_off(self, attempts: int) -> float:
        """Seconds before the next try after `attempts` failed ones: 1, 2, 4 ... times the first, capped."""
        return min(self.retry_seconds * 2 ** max(attempts - 1, 0), self.retry_cap_seconds)


def _number(env: dict[str, str], name: str, default: float, kind=float):  # type: ignore[no-untyped-def]
    text = env.get(name, "").strip()
    if not text:
        return kind(default)
    try:
        value = kind(text)
    except ValueError:
        raise MailSettingsError(f"{name}={text!r} is not a number.") from None
    if value <= 0:
        raise MailSettingsError(f"{name} must be more than 0 (it is {text}).")
    return value


def timings_from_env(env: dict[str, str] | None = None) -> DeliveryTimings:
    env = dict(os.environ if env is None else env)
    default = DeliveryTimings()
    return DeliveryTimings(
        retry_seconds=_number(env, RETRY_SECONDS_ENV, default.retry_seconds),
        retry_cap_seconds=_number(env, RETRY_CAP_SECONDS_ENV, default.retry_cap_seconds),
        max_attempts=_number(env, MAX_ATTEMPTS_ENV, default.max_attempts, int),
        lease_seconds=_number(env, LEASE_SECONDS_ENV, default.lease_seconds),
        poll_seconds=_number(env, POLL_SECONDS_ENV, default.poll_seconds),
    )


def check_address(address: str) -> str:
    """The address in its normal form (domain lower-cased), or EmailNotValidError; no DNS look-up."""
    return validate_email(address, check_deliverability=False).normalized


def smtp_from_env(env: dict[str, str] | None = None) -> SmtpSettings | None:
    """The SMTP settings, None when no host is set (e-mail is off: messages wait), MailSettingsError if unusable."""
    env = dict(os.environ if env is None else env)
    host = env.get(HOST_ENV, "").strip()
    if not host:
        return None
    tls = (env.get(TLS_ENV, "") or "starttls").strip().lower()
    if tls not in TLS_MODES:
        raise MailSettingsError(f"{TLS_ENV}={tls!r}: use starttls (the default), tls or none.")
    port_text = env.get(PORT_ENV, "").strip()
    if port_text:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise MailSettingsError(f"{PORT_ENV}={port_text!r} is not a port number (1 to 65535).")
        port = int(port_text)
    else:
        port = DEFAULT_PORTS[tls]
    sender = env.get(FROM_ENV, "").strip()
    if not sender:
        raise MailSettingsError(f"{HOST_ENV} is set but {FROM_ENV} is not: give the address e-mails come from.")
    try:
        sender = check_address(sender)
    except EmailNotValidError as error:
        raise MailSettingsError(f"{FROM_ENV}={sender!r} is not an e-mail address: {error}") from None
    user, password = env.get(USER_ENV, "").strip(), env.get(PASSWORD_ENV, "")
    if bool(user) != bool(password):
        missing = PASSWORD_ENV if user else USER_ENV
        raise MailSettingsError(f"{USER_ENV} and {PASSWORD_ENV} go together: {missing} is missing.")
    if password and tls == "none":
        raise MailSettingsError(f"{TLS_ENV}=none would send {PASSWORD_ENV} unencrypted: use starttls or tls.")
    return SmtpSettings(host=host, port=port, from_address=sender, tls=tls, user=user, password=password)
