"""Quality samples reach the assessor (issue 15 item 6): a quality lead samples a finalised review in the office web
app, and after the assessor's next sync the judgement and feedback show on that review on their laptop (the
finalised review's summary in the wizard, the review history in the learner panel), with who and when, read-only;
another assessor's laptop never holds it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select
from synckit import ROOT
from test_sync_auth_and_restore import _copy_database, _sqlite_file
from test_web_sampling import post_sample, push_finalised, signed_in

from reviewapp.store import queries
from reviewapp.store.errors import StoreError
from reviewapp.store.models import ReviewSample
from reviewapp.ui.learner_panel import LearnerPanel
from reviewapp.ui.wizard.review_wizard import ReviewWizard


def test_a_sample_made_at_the_office_shows_on_the_assessors_laptop_only(
        qtbot, world: dict[str, Any], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    setup = world["setup"]
    setup.add_user("quinn", role="quality_lead")
    ann = world["learners"]["alice"][0]
    alice, bob = world["laptop"]("alice"), world["laptop"]("bob")
    review_id = push_finalised(setup, "alice", ann)
    alice.sync()
    with alice.store.read() as session:
        assert queries.learner_detail(session, ann).reviews[0].samples == ()

    feedback = "Good review. <b>Date</b> every target & follow up welfare."
    assert post_sample(signed_in(setup, "quinn"), review_id, {"feedback": feedback}).status_code == 303
    alice.sync()
    bob.sync()
    with bob.store.read() as session:
        assert session.scalars(select(ReviewSample)).all() == []
    with alice.store.read() as session:
        [summary] = queries.learner_detail(session, ann).reviews
        detail = queries.learner_detail(session, ann)
    [sample] = summary.samples
    assert (sample.review_id, sample.sampled_by, sample.feedback) == (review_id, "quinn", feedback)
    assert sample.targets_smart == "partly" and sample.sampled_at is not None

    wizard = ReviewWizard(alice.store, review_id)
    qtbot.addWidget(wizard)
    assert wizard.read_only
    wizard.go_to(wizard.section_index("summary"))
    shown = wizard.summary.toPlainText()
    assert "Quality sample" in shown and "Sampled by quinn on " in shown
    assert "Were the targets SMART?" in shown and "Partly: The second target has no date." in shown
    assert "Was welfare followed up?" in shown and "No: Amber welfare last time" in shown
    assert feedback in shown  # as text, not markup
    wizard.resize(1100, 780)
    wizard.show()
    qtbot.waitExposed(wizard)
    wizard.grab().save(str(tmp_path / "wizard_sample.png"))

    panel = LearnerPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 560)
    panel.show_learner(detail)
    panel.tabs.setCurrentIndex(panel.tabs.indexOf(panel.reviews_view.parentWidget()))
    column = panel.reviews_model.columnCount() - 1
    assert panel.reviews_model.headerData(column, Qt.Orientation.Horizontal) == "Quality sample"
    cell = panel.reviews_model.index(0, column).data()
    assert cell.startswith("Sampled by quinn on ") and f"Feedback: {feedback}" in cell
    assert "Were the targets SMART? Partly: The second target has no date." in cell
    panel.show()
    qtbot.waitExposed(panel)
    panel.grab().save(str(tmp_path / "panel_sample.png"))

    # Read-only on the laptop: an edit is refused and nothing goes up.
    with pytest.raises(StoreError, match="comes from the office"), alice.store.write() as session:
        session.scalars(select(ReviewSample)).one().feedback = "Changed here"
    with alice.store.read() as session:
        assert queries.pending_change_count(session) == 0

    # The learner moves to Bob: the sample goes with the learner's other records, off Alice's laptop, onto his.
    setup.assign(ann, "bob")
    alice.sync()
    bob.sync()
    with alice.store.read() as session:
        assert session.scalars(select(ReviewSample)).all() == []
    with bob.store.read() as session:
        assert [s.feedback for s in session.scalars(select(ReviewSample))] == [feedback]


def test_a_sample_lost_with_the_servers_disk_is_dropped_not_sent_back(world: dict[str, Any], server_db: str,
                                                                      tmp_path: Path) -> None:
    """A laptop sends back what a restored server lost, but a sample is the office's: it is dropped, not pushed."""
    setup, server = world["setup"], world["server"]
    setup.add_user("quinn", role="quality_lead")
    ann = world["learners"]["alice"][0]
    alice = world["laptop"]("alice")
    review_id = push_finalised(setup, "alice", ann)
    backup = tmp_path / "backup.sqlite3"
    _copy_database(_sqlite_file(server_db), backup)
    assert post_sample(signed_in(setup, "quinn"), review_id).status_code == 303
    alice.sync()
    with alice.store.read() as session:
        assert len(session.scalars(select(ReviewSample)).all()) == 1

    server.stop()
    _copy_database(backup, _sqlite_file(server_db))
    renewed = subprocess.run([sys.executable, "-m", "sync.server", "new-server-id", "--database", server_db],
                             capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert renewed.returncode == 0, renewed.stderr
    server.start()
    summary = alice.sync()
    assert summary.server_changed and summary.rejected == 0
    with alice.store.read() as session:
        assert session.scalars(select(ReviewSample)).all() == []
        assert queries.pending_change_count(session) == 0
        assert [r.id for r in queries.learner_detail(session, ann).reviews] == [review_id]  # the review goes on
