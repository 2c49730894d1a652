"""`reviewapp --self-test`: the check IT runs after installing, and CI runs against the built bundle."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import keyring
import pytest

from reviewapp import selftest

STEPS = (
    "Qt started", "keyring", "encrypted store opened", "app modules loaded", "demo caseload made", "review started",
    "answers saved", "three signatures drawn", "review finalised", "signed PDF made",
    "printed through Qt to a PDF file", "embedded sync server",
)


def test_the_self_test_passes_as_a_command_and_says_so_step_by_step(tmp_path: Path) -> None:
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen", "REVIEWAPP_LOG_DIR": str(tmp_path / "log"),
                        "REVIEWAPP_DATA_DIR": str(tmp_path / "must-stay-empty")}
    result = subprocess.run([sys.executable, "-m", "reviewapp", "--self-test"], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(" — ")[0] for line in lines if line.startswith("ok: ")] == [f"ok: {s}" for s in STEPS]
    assert "platform offscreen" in result.stdout
    assert lines[-1].startswith("ReviewApp self-test passed: 12 steps in ")
    assert not (tmp_path / "must-stay-empty").exists()  # the user's data folder is never used
    assert "Self-test passed" in (tmp_path / "log" / "reviewapp.log").read_text(encoding="utf-8")


def test_a_failing_step_is_named_and_the_exit_code_is_1(qapp, monkeypatch: pytest.MonkeyPatch) -> None:
    from reviewapp.ui import printing

    def broken_printer(*_args: object, **_kwargs: object) -> int:
        raise printing.PrintError("The printer could not be started.")

    monkeypatch.setattr(printing, "print_to_pdf_file", broken_printer)
    out = io.StringIO()
    assert selftest.run_self_test(out) == 1
    lines = out.getvalue().splitlines()
    assert "ok: signed PDF made" in out.getvalue()
    assert lines[-2] == "FAILED: printed through Qt to a PDF file: PrintError: The printer could not be started."
    assert lines[-1].startswith("ReviewApp self-test FAILED after 10 passing steps")


def test_the_memory_keyring_is_never_chosen_on_its_own() -> None:
    assert not selftest.MemoryKeyring.viable
    backend = selftest.MemoryKeyring()
    backend.set_password("ReviewApp", "k", "v")
    assert backend.get_password("ReviewApp", "k") == "v"
    backend.delete_password("ReviewApp", "k")
    with pytest.raises(keyring.errors.PasswordDeleteError):
        backend.delete_password("ReviewApp", "k")
