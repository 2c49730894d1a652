"""Where the app's data files (review templates, demo caseload, icons) are found.

One function so that packaging (PyInstaller, a wheel) has one place to change: today `resources/` sits at the
repository root beside the `reviewapp` package.
"""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT_IN_SOURCE = Path(__file__).resolve().parents[2] / "resources"


def resources_root() -> Path:
    """The `resources` directory: beside the package in a checkout, or inside a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "resources"
    return _ROOT_IN_SOURCE


def resource_path(*parts: str) -> Path:
    """A path inside `resources/`, e.g. `resource_path("templates", "x.json")` (it need not exist)."""
    return resources_root().joinpath(*parts)
