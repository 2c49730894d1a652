"""ReviewApp: offline-first progress reviews for apprenticeship and further education assessors."""

from __future__ import annotations

from functools import cache

APP_NAME = "ReviewApp"
APP_AUTHOR = "ReviewApp"
#: Overrides the folder the local caseloads are kept in (also `--data-dir`).
DATA_DIR_ENV = "REVIEWAPP_DATA_DIR"
#: The account the demo caseload is kept under.
DEMO_ACCOUNT = "demo"
#: The account of the assessor's own caseload: what the window and every command open without `--account`
#: (see `reviewapp.store.locations.default_account`).
OWN_ACCOUNT = "caseload"


@cache
def _installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("reviewapp")
    except PackageNotFoundError:  # running from a source tree that was not installed
        return "0.0.0+source"


def __getattr__(name: str) -> str:
    # `reviewapp.__version__` is read from the installed metadata when first asked for, not on import: the
    # metadata look-up is some 30 ms of a start that paints in ~0.3 s (benchmarks/startup.py).
    if name == "__version__":
        return _installed_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
