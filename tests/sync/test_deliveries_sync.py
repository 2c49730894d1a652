"""Copies handed over reach the office (issue 15 item 4, "copies shared"): printing a finalised review's copies on the
laptop (the print action's own path, to a real CUPS queue, and "print to file") records a delivery per copy through
the store; the next sync takes them to a real server process, where the office's figure counts them; the learner's
review history on the laptop says "Learner's copy printed 01/12/2026 14:05"; a cancelled print records nothing."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from sqlalchemy import select
from test_office_figures import _scope
from test_web_sampling import push_finalised

from reviewapp.core.dates import format_datetime
from reviewapp.store import queries
from reviewapp.store.errors import StoreError
from reviewapp.store.models import Delivery
from reviewapp.store.review_documents import load_review_document
from reviewapp.ui.learner_panel import LearnerPanel
from reviewapp.ui.printing import print_review
from sync.server.models import Delivery as ServerDelivery
from sync.server.office_figures import BY_KEY, Period
from tests.ui.cups_server import cups_server

NOVEMBER_2025 = Period(dt.date(2025, 11, 1), dt.date(2025, 11, 30))


def test_printed_copies_reach_the_office_figure_and_show_in_the_history(
        qtbot, world: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    setup = world["setup"]
    setup.add_user("quinn", role="quality_lead")
    ann = world["learners"]["alice"][0]
    alice, bob = world["laptop"]("alice"), world["laptop"]("bob")
    review_id = push_finalised(setup, "alice", ann)
    alice.sync()
    with alice.store.read() as session:
        document = load_review_document(session, review_id)
    assert document is not None

    # The learner's and employer's copies to a printer (a private CUPS queue, through the app's own `lp`), set up
    # before Qt first looks for printers; a cancelled print first: nothing printed, nothing handed over.
    if not shutil.which("lp"):
        pytest.skip("needs CUPS's lp")
    with cups_server(tmp_path / "cups") as cups:
        monkeypatch.setenv("CUPS_SERVER", str(cups.socket))
        print_review(alice.store, document, ["learner", "employer"], run_dialog=lambda dialog: False)
        with alice.store.read() as session:
            assert session.scalars(select(Delivery)).all() == []

        def to_printer(dialog) -> bool:  # type: ignore[no-untyped-def]
            dialog.printer().setPrinterName(cups.queue)
            return True

        _kept, pages = print_review(alice.store, document, ["learner", "employer"], run_dialog=to_printer)
        assert pages > 0 and len(cups.received()) == 1
    # The provider's copy printed to a PDF file: saved.
    printed = tmp_path / "provider.pdf"

    def to_file(dialog) -> bool:  # type: ignore[no-untyped-def]
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(printed))
        return True

    print_review(alice.store, document, ["provider"], run_dialog=to_file)
    assert printed.read_bytes()[:5] == b"%PDF-"
    with alice.store.read() as session:
        made = sorted((d.copy_for, d.channel, d.status, d.delivered_by) for d in session.scalars(select(Delivery)))
        assert queries.pending_change_count(session) == 3
    assert made == [("employer", "printed", "delivered", "alice"), ("learner", "printed", "delivered", "alice"),
                    ("provider", "saved", "delivered", "alice")]

    # Never edited on the laptop: a second print is a second delivery.
    with pytest.raises(StoreError, match="cannot be changed"), alice.store.write() as session:
        session.scalars(select(Delivery).where(Delivery.copy_for == "learner")).one().channel = "emailed"

    alice.sync()
    bob.sync()
    quinn = _scope(setup, "quinn", "quality_lead")
    with setup.factory() as session:
        stored = session.scalars(select(ServerDelivery)).all()
        assert sorted((d.copy_for, d.channel, d.review_id, d.learner_id) for d in stored) == [
            ("employer", "printed", review_id, ann), ("learner", "printed", review_id, ann),
            ("provider", "saved", review_id, ann)]
        figure = BY_KEY["copies-shared"].compute(session, quinn, NOVEMBER_2025)
    assert (figure.count, figure.total) == (1, 1)  # the review of 20/11/2025, both copies handed over
    with bob.store.read() as session:
        assert session.scalars(select(Delivery)).all() == []  # another caseload's
    with alice.store.read() as session:
        assert queries.pending_change_count(session) == 0
        detail = queries.learner_detail(session, ann)
    [summary] = detail.reviews
    assert sorted(d.copy_for for d in summary.deliveries) == ["employer", "learner", "provider"]

    panel = LearnerPanel()
    qtbot.addWidget(panel)
    panel.resize(1100, 560)
    panel.show_learner(detail)
    panel.tabs.setCurrentIndex(panel.tabs.indexOf(panel.reviews_view.parentWidget()))
    headings = [panel.reviews_model.headerData(n, Qt.Orientation.Horizontal)
                for n in range(panel.reviews_model.columnCount())]
    column = headings.index("Copies")
    cell = panel.reviews_model.index(0, column).data()
    learner = next(d for d in summary.deliveries if d.copy_for == "learner")
    assert f"Learner's copy printed {format_datetime(learner.delivered_at)}" in cell
    assert re.search(r"Employer's copy printed \d\d/\d\d/\d{4} \d\d:\d\d", cell)
    assert "Provider's copy saved as a PDF" in cell
    panel.show()
    qtbot.waitExposed(panel)
    shots = Path(os.environ.get("REVIEWAPP_SHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    panel.grab().save(str(shots / "panel_copies.png"))


def test_an_email_delivery_made_by_the_server_reaches_the_laptop_and_no_older_client(
        world: dict[str, Any]) -> None:
    """The server records an e-mailed copy itself (issue 17: sent, then bounced): the assessor's laptop pulls it into
    the review history; a client speaking protocol 3, which knows no deliveries, is sent none."""
    from synckit import Office
    from test_copies_figures import deliver

    from reviewapp.core.deliveries import deliveries_text

    setup = world["setup"]
    ann = world["learners"]["alice"][0]
    review_id = push_finalised(setup, "alice", ann)
    deliver(setup, review_id, ann, "employer", "emailed", "bounced", when="2026-12-01T14:05:00+00:00")
    alice = world["laptop"]("alice")
    alice.sync()
    with alice.store.read() as session:
        [summary] = queries.learner_detail(session, ann).reviews
        assert queries.pending_change_count(session) == 0
    assert deliveries_text(summary.deliveries) == "Employer's copy e-mailed 01/12/2026 14:05 (bounced)"
    current = Office(world["server"].url, "alice")
    older = Office(world["server"].url, "alice", protocol=3)
    try:
        assert [key for key in current.records() if key[0] == "delivery"] != []
        assert [key for key in older.records() if key[0] == "delivery"] == []
        assert ("review", review_id) in older.records()
    finally:
        current.close()
        older.close()
    # The learner moves to Bob: the deliveries go with the learner's other records, off Alice's laptop, onto his.
    setup.assign(ann, "bob")
    alice.sync()
    bob = world["laptop"]("bob")
    bob.sync()
    with alice.store.read() as session:
        assert session.scalars(select(Delivery)).all() == []
    with bob.store.read() as session:
        assert [(d.copy_for, d.status) for d in session.scalars(select(Delivery))] == [("employer", "bounced")]
