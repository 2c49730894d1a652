"""Where an account's database file lives. Apart from `database.py` so that finding the file (to ask "is this a
first run?") costs no SQLAlchemy import before the window is on screen."""

from __future__ import annotations

import os
import re
from pathlib import Path

import platformdirs

from reviewapp import APP_AUTHOR, APP_NAME, DATA_DIR_ENV, DEMO_ACCOUNT, OWN_ACCOUNT


def default_data_dir() -> Path:
    """`REVIEWAPP_DATA_DIR` if set, else the platform's user data directory."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def database_path(data_dir: Path, account: str) -> Path:
    """The database file of one account: `<data_dir>/<account>.db`, the name made safe for any file system."""
    safe = re.sub(r"[^A-Za-z0-9._@-]+", "_", account).strip("._") or "account"
    return data_dir / f"{safe}.db"


def default_account(data_dir: Path | None, account: str | None = None) -> str:
    """The account a start or a command line opens: `account` if given, else the one the window opens.

    One rule for the window, `export-pdf`, `verify` and `sync`, so a command never reads or fills a file the app
    never opens (a sync used to fill `<username>.db`, and `export-pdf` read the demo's): the assessor's own
    caseload, or the demo's for someone who chose the demo at the first start and has no caseload of their own.
    """
    if account:
        return account
    folder = data_dir or default_data_dir()
    only_demo = database_path(folder, DEMO_ACCOUNT).exists() and not database_path(folder, OWN_ACCOUNT).exists()
    return DEMO_ACCOUNT if only_demo else OWN_ACCOUNT
