"""Where the app's data files (review templates, fonts, icons) are found: `reviewapp/resources/`.

They live inside the package so that every way of installing it carries them: a wheel (`pip install
'reviewapp[server]'` for the central server, which checks finalised reviews against the templates), an editable
install, and the PyInstaller bundle (which puts them beside the frozen package, at the same relative place).
"""

from __future__ import annotations

from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1] / "resources"


def resources_root() -> Path:
    """The `resources` directory inside the `reviewapp` package."""
    return _ROOT


def resource_path(*parts: str) -> Path:
    """A path inside `resources/`, e.g. `resource_path("templates", "x.json")` (it need not exist)."""
    return resources_root().joinpath(*parts)
