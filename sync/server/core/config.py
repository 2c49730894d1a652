"""Where the server's settings come from: the command line, the environment, or the defaults.

Kept in one place so the CLI, the uvicorn workers and the embedded demo server agree on the database URL.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

import platformdirs

from ..lockout import LockoutPolicy

DATABASE_URL_ENV = "REVIEWAPP_DATABASE_URL"
TOKEN_DAYS_ENV = "REVIEWAPP_TOKEN_DAYS"
APP_NAME = "reviewapp-server"
DEFAULT_TOKEN_DAYS = 30
#: Failed sign-ins allowed per client address and per username before 429 (a `limits` rate string).
SIGN_IN_LIMIT_ADDRESS_ENV = "REVIEWAPP_SIGN_IN_LIMIT_PER_ADDRESS"
SIGN_IN_LIMIT_ACCOUNT_ENV = "REVIEWAPP_SIGN_IN_LIMIT_PER_ACCOUNT"
DEFAULT_SIGN_IN_LIMIT_ADDRESS = "30 per 5 minutes"
DEFAULT_SIGN_IN_LIMIT_ACCOUNT = "5 per minute"
#: Copies checked (`/verify`, `/api/v1/verify`) per client address: every check counts (issue 17 item 4).
VERIFY_LIMIT_ADDRESS_ENV = "REVIEWAPP_VERIFY_LIMIT_PER_ADDRESS"
DEFAULT_VERIFY_LIMIT_ADDRESS = "30 per minute"
#: Where those counts are kept: `memory://` (each worker apart) or a shared `limits` storage such as `redis://...`.
RATE_LIMIT_STORAGE_ENV = "REVIEWAPP_RATE_LIMIT_STORAGE"
#: Failed sign-ins within LOCKOUT_MINUTES that lock a username for LOCKOUT_MINUTES (counted in the database).
LOCKOUT_FAILURES_ENV = "REVIEWAPP_LOCKOUT_FAILURES"
LOCKOUT_MINUTES_ENV = "REVIEWAPP_LOCKOUT_MINUTES"
DEFAULT_LOCKOUT_FAILURES = 10
DEFAULT_LOCKOUT_MINUTES = 15
#: Minutes without a request after which a browser's sign-in to the office web app ends.
WEB_IDLE_MINUTES_ENV = "REVIEWAPP_WEB_IDLE_MINUTES"
DEFAULT_WEB_IDLE_MINUTES = 30


def default_database_url() -> str:
    """An SQLite file in the user's data directory: the embedded default when no URL is given."""
    directory = platformdirs.user_data_path(APP_NAME, appauthor=False)
    directory.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{directory / 'server.sqlite3'}"


def normalise_database_url(url: str) -> str:
    """Accept the plain `postgresql://` form people copy from their hosting, and use the psycopg 3 driver for it."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def resolve_database_url(explicit: str | None = None) -> str:
    """`--database`, else `REVIEWAPP_DATABASE_URL`, else the SQLite default."""
    url = explicit or os.environ.get(DATABASE_URL_ENV) or default_database_url()
    return normalise_database_url(url)


@dataclass(frozen=True)
class Settings:
    database_url: str
    token_lifetime: dt.timedelta = dt.timedelta(days=DEFAULT_TOKEN_DAYS)
    sign_in_limit_per_address: str = DEFAULT_SIGN_IN_LIMIT_ADDRESS
    sign_in_limit_per_account: str = DEFAULT_SIGN_IN_LIMIT_ACCOUNT
    rate_limit_storage: str = "memory://"
    verify_limit_per_address: str = DEFAULT_VERIFY_LIMIT_ADDRESS
    lockout: LockoutPolicy = field(default_factory=LockoutPolicy)
    web_idle: dt.timedelta = dt.timedelta(minutes=DEFAULT_WEB_IDLE_MINUTES)

    @classmethod
    def from_env(cls, database_url: str | None = None) -> Settings:
        env = os.environ.get
        days = int(env(TOKEN_DAYS_ENV) or DEFAULT_TOKEN_DAYS)
        minutes = dt.timedelta(minutes=int(env(LOCKOUT_MINUTES_ENV) or DEFAULT_LOCKOUT_MINUTES))
        return cls(
            database_url=resolve_database_url(database_url),
            token_lifetime=dt.timedelta(days=days),
            sign_in_limit_per_address=env(SIGN_IN_LIMIT_ADDRESS_ENV) or DEFAULT_SIGN_IN_LIMIT_ADDRESS,
            sign_in_limit_per_account=env(SIGN_IN_LIMIT_ACCOUNT_ENV) or DEFAULT_SIGN_IN_LIMIT_ACCOUNT,
            rate_limit_storage=env(RATE_LIMIT_STORAGE_ENV) or "memory://",
            verify_limit_per_address=env(VERIFY_LIMIT_ADDRESS_ENV) or DEFAULT_VERIFY_LIMIT_ADDRESS,
            lockout=LockoutPolicy(
                threshold=int(env(LOCKOUT_FAILURES_ENV) or DEFAULT_LOCKOUT_FAILURES), window=minutes, duration=minutes
            ),
            web_idle=dt.timedelta(minutes=int(env(WEB_IDLE_MINUTES_ENV) or DEFAULT_WEB_IDLE_MINUTES)),
        )
