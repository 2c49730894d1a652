"""Autosave survives kill -9: every answer typed more than the save window before the kill is in the store."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from reviewapp import demo
from reviewapp.core.templates import load_template
from reviewapp.store import reviews
from reviewapp.store.database import Store
from reviewapp.store.models import Learner, Review
from reviewapp.ui.wizard.review_wizard import SAVE_WITHIN_MS
from tests.conftest import DEMO_TODAY

DRIVER = Path(__file__).with_name("autosave_driver.py")
#: Time allowed for the save itself after the window closes (an encrypted write takes a few ms; this is generous).
WRITE_ALLOWANCE_S = 0.15


def test_answers_survive_sigkill(tmp_path):
    data_dir = tmp_path / "data"
    with Store.open(data_dir) as store:
        demo.generate(store, learners=3, seed=3, today=DEMO_TODAY)
        with store.read() as s:
            learner_id = s.scalars(select(Learner.id).where(Learner.status == "active")).first()
        review_id = reviews.start_draft(store, learner_id, load_template("apprenticeship-progress-review"),
                                        DEMO_TODAY)
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(Path(__file__).parents[2])}
    process = subprocess.Popen([sys.executable, str(DRIVER), str(data_dir), review_id], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, env=env)
    typed: list[tuple[str, str | None, float]] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            assert line, "the driver stopped before it was killed"
            assert not line.startswith("ERROR"), line
            if line.startswith("TYPED"):
                _, question_id, value, at = _parse(line)
                typed.append((question_id, value, at))
            if len(typed) >= 120:  # some 5 seconds of typing across several fields
                break
        killed_at = time.monotonic()
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait(10)

    window = SAVE_WITHIN_MS / 1000 + WRITE_ALLOWANCE_S
    expected: dict[str, str | None] = {}
    for question_id, value, at in typed:
        if at <= killed_at - window:
            expected[question_id] = value
    assert len(expected) >= 3
    with Store.open(data_dir) as store, store.read() as s:
        answers = s.get(Review, review_id).answers
    lost = {q: (v, answers.get(q)) for q, v in expected.items()
            if not _at_least(answers.get(q), v)}
    assert lost == {}, f"answers typed more than {window:.2f}s before the kill were lost: {lost}"


def _parse(line: str) -> tuple[str, str, str | None, float]:
    parts = line.rstrip("\n").split(" ")
    question_id, at = parts[1], float(parts[-1])
    value = json.loads(" ".join(parts[2:-1]))
    return "TYPED", question_id, value, at


def _at_least(saved: str | None, expected: str | None) -> bool:
    """The saved text is what was typed by then, or later text that continues it (typing went on)."""
    if expected is None:
        return True
    return saved is not None and saved.startswith(expected)
