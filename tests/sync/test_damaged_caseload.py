"""A damaged local caseload (issue 12, item 10): said plainly with what to do, never a traceback, never changed;
set aside under a dated name with its key, and a fresh caseload filled from the server."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from synckit import PASSWORD, ROOT

from reviewapp import app, demo
from reviewapp.store.database import Store, database_path
from reviewapp.store.errors import DamagedStoreError, WrongKeyError
from reviewapp.store.models import Learner
from tests.conftest import DEMO_TODAY

PAGE = 4096


def damage(path: Path, first_page: int, last_page: int | None = None) -> None:
    """Overwrite whole pages with noise, as a failing drive or a copy cut short would (the file stays its size)."""
    pages = path.stat().st_size // PAGE
    noise = random.Random(12)
    with path.open("r+b") as handle:
        for page in range(first_page, last_page if last_page is not None else pages):
            handle.seek(page * PAGE)
            handle.write(noise.randbytes(PAGE))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(command: str, args: list[str], password: str | None = PASSWORD) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("REVIEWAPP_PASSWORD", None)
    if password is not None:
        env["REVIEWAPP_PASSWORD"] = password
    return subprocess.run([sys.executable, "-m", "reviewapp", command, *args], env=env, capture_output=True,
                          text=True, timeout=120, cwd=ROOT)


def _demo_caseload(data_dir: Path) -> Path:
    with Store.open(data_dir, "assessor1") as store:
        demo.generate(store, learners=40, seed=7, today=DEMO_TODAY)
        return store.path


def test_headless_sync_reports_a_damaged_caseload_then_sets_it_aside_and_downloads_afresh(
    world: dict[str, Any], tmp_path: Path,
) -> None:
    data_dir = tmp_path / "headless"
    args = ["--data-dir", str(data_dir), "--server", world["server"].url, "--username", "alice",
            "--account", "alice"]  # the file it fills is named here: without it, the one the app opens
    assert _run("sync", args).returncode == 0
    path = database_path(data_dir, "alice")
    damage(path, 1)  # every page after the first: the schema itself cannot be read
    before = digest(path)

    refused = _run("sync", args)
    assert refused.returncode == 1
    assert "is damaged and cannot be read" in refused.stderr and "--set-aside-damaged" in refused.stderr
    assert "safe on the ReviewApp server" in refused.stderr and "Traceback" not in refused.stderr
    assert digest(path) == before

    fresh = _run("sync", [*args, "--set-aside-damaged"], password=None)  # the kept sign-in goes with the account
    assert fresh.returncode == 0, fresh.stderr
    assert "set aside, untouched, as" in fresh.stdout and "Traceback" not in fresh.stderr
    [moved] = data_dir.glob("alice.damaged-*.db")
    assert digest(moved) == before
    with Store.open(data_dir, "alice") as store, store.read() as session:
        assert {row.id for row in session.query(Learner)} == set(world["learners"]["alice"])
    with pytest.raises(DamagedStoreError):  # its key was kept under its new name: opened, not "key missing"
        Store.open(data_dir, moved.stem).close()


def test_export_pdf_reports_a_damaged_caseload_without_a_traceback(tmp_path: Path) -> None:
    path = _demo_caseload(tmp_path / "data")
    pages = path.stat().st_size // PAGE
    damage(path, pages // 3, 2 * pages // 3)  # the schema reads, but the reviews do not
    before = digest(path)
    result = _run("export-pdf", ["--data-dir", str(tmp_path / "data"), "--account", "assessor1", "--all-finalised",
                                 "--out-dir", str(tmp_path / "out")], password=None)
    assert result.returncode == 1, result.stderr
    assert "is damaged and cannot be read" in result.stderr and "Traceback" not in result.stderr
    assert digest(path) == before


def test_a_damaged_page_met_after_opening_is_the_stores_own_error(tmp_path: Path) -> None:
    path = _demo_caseload(tmp_path / "data")
    pages = path.stat().st_size // PAGE
    damage(path, pages // 3, 2 * pages // 3)
    with Store.open(tmp_path / "data", "assessor1") as store:
        with pytest.raises(DamagedStoreError) as caught, store.read() as session:
            session.query(Learner).all()
            from reviewapp.store.models import Review

            session.query(Review).all()
        assert "malformed" in caught.value.message and "download the caseload again" in caught.value.advice
        with pytest.raises(DamagedStoreError):
            store.check_integrity()


@pytest.mark.parametrize("kind", ["damaged pages", "not a database"])
def test_the_window_start_offers_to_set_the_damaged_caseload_aside(tmp_path: Path, monkeypatch, kind: str) -> None:
    path = _demo_caseload(tmp_path / "data")
    if kind == "damaged pages":
        damage(path, 1)
    else:
        path.write_bytes(b"These are my notes, saved over the caseload by mistake.\n" * 400)  # the key is still kept
    before = digest(path)
    asked: list[DamagedStoreError] = []
    monkeypatch.setattr(app, "ask_set_aside", lambda exc: asked.append(exc) or False)
    with pytest.raises(DamagedStoreError):
        app.open_caseload(tmp_path / "data", "assessor1", demo=False)
    assert len(asked) == 1 and digest(path) == before  # declined: nothing moved, nothing changed
    if kind == "not a database":
        assert isinstance(asked[0], WrongKeyError)

    monkeypatch.setattr(app, "ask_set_aside", lambda exc: True)
    store, moved = app.open_caseload(tmp_path / "data", "assessor1", demo=False)
    try:
        assert moved is not None and moved.parent == path.parent and moved.name.startswith("assessor1.damaged-")
        assert digest(moved) == before
        with store.read() as session:
            assert session.query(Learner).count() == 0  # fresh, for the next sync to fill from the server
    finally:
        store.close()
    with pytest.raises(DamagedStoreError):  # still opens with its own key, for recovery
        Store.open(tmp_path / "data", moved.stem).close()


def test_damage_met_by_the_window_after_opening_offers_the_same_way_out(qtbot, tmp_path: Path, monkeypatch) -> None:
    from reviewapp.ui.main_window import MainWindow

    path = _demo_caseload(tmp_path / "data")
    pages = path.stat().st_size // PAGE
    damage(path, pages // 3, 2 * pages // 3)  # opens (the schema reads); the caseload does not
    store = Store.open(tmp_path / "data", "assessor1")
    window = MainWindow(None)
    qtbot.addWidget(window)
    errors: list[str] = []
    window.show_error = lambda title, text: errors.append(text)
    asked: list[DamagedStoreError] = []
    monkeypatch.setattr(app, "ask_set_aside", lambda exc: asked.append(exc) or True)
    app.watch_for_damage(window)
    window.attach_store(store)
    window.show()
    window.refresh()
    qtbot.waitUntil(lambda: bool(asked), timeout=20000)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert window.start_afresh and not errors  # run_gui then sets it aside and starts again on a fresh caseload
    window.runner.wait()
    store.close()

    monkeypatch.setattr(app, "ask_set_aside", lambda exc: False)  # declined: shown as a failed load, no traceback
    store = Store.open(tmp_path / "data", "assessor1")
    other = MainWindow(None)
    qtbot.addWidget(other)
    other.show_error = lambda title, text: errors.append(text)
    app.watch_for_damage(other)
    other.attach_store(store)
    other.refresh()
    qtbot.waitUntil(lambda: bool(errors), timeout=20000)
    assert "is damaged and cannot be read" in errors[0]
    other.runner.wait()
    store.close()
