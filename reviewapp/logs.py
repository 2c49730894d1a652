"""Logging to a rotating file in the user's log directory, so support can help an assessor on the phone.

Warnings and errors also go to stderr. The folder is shown in Help → Open log folder.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

import platformdirs

from reviewapp import APP_AUTHOR, APP_NAME

LOG_DIR_ENV = "REVIEWAPP_LOG_DIR"
LOG_FILE = "reviewapp.log"


def log_dir() -> Path:
    override = os.environ.get(LOG_DIR_ENV)
    return Path(override) if override else Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))


def setup_logging(level: int = logging.INFO) -> Path | None:
    """Log to `<log dir>/reviewapp.log` (1 MB × 5 files) and warnings to stderr; returns the log file's path,
    or None when the folder cannot be written (the app still runs, logging to stderr only)."""
    root = logging.getLogger()
    if any(getattr(h, "_reviewapp", False) for h in root.handlers):
        return log_dir() / LOG_FILE
    root.setLevel(level)
    console = logging.StreamHandler()
    console.setLevel(logging.WARNING)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    console._reviewapp = True  # type: ignore[attr-defined]
    root.addHandler(console)
    path = log_dir() / LOG_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    except OSError as exc:
        logging.getLogger(__name__).warning("Cannot write the log file %s: %s", path, exc)
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(threadName)s] %(name)s: %(message)s"))
    handler._reviewapp = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    for noisy in ("alembic", "httpx", "httpcore", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return path
