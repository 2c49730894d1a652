"""Where an account's database file lives. Apart from `database.py` so that finding the file (to ask "is this a
first run?") costs no SQLAlchemy import before the window is on screen."""

from __future__ import annotations

import os
import re
from pathlib import Path

import platformdirs

from reviewapp import APP_AUTHOR, APP_NAME, DATA_DIR_ENV


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
