"""Where the server's settings come from: the command line, the environment, or the defaults.

Kept in one place so the CLI, the uvicorn workers and the embedded demo server agree on the database URL.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

import platformdirs

DATABASE_URL_ENV = "REVIEWAPP_DATABASE_URL"
TOKEN_DAYS_ENV = "REVIEWAPP_TOKEN_DAYS"
APP_NAME = "reviewapp-server"
DEFAULT_TOKEN_DAYS = 30


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

    @classmethod
    def from_env(cls, database_url: str | None = None) -> Settings:
        days = int(os.environ.get(TOKEN_DAYS_ENV) or DEFAULT_TOKEN_DAYS)
        return cls(database_url=resolve_database_url(database_url), token_lifetime=dt.timedelta(days=days))
