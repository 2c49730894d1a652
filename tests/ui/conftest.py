"""The main window on the demo caseload, shared by the UI tests that drive it (one fixture, not one per file)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import DEMO_TODAY


def settle(qtbot: Any, window: Any, timeout: int = 10000) -> None:
    """Wait until the window's background work is done *and its results delivered*: the pool finishing is not
    enough, since each result reaches the UI thread as a queued signal (one may start the next load, a learner's
    details after the caseload). Waiting on the pool alone let a late result reset a list the test had just
    selected in, or reach a window already deleted ("Signal source has been deleted")."""
    window.runner.wait()
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=timeout)


def open_window(qtbot: Any, store: Any) -> Any:
    """The main window on `store`, shown, with its caseload loaded; an error or a message box fails the test."""
    from reviewapp.ui.main_window import MainWindow

    win = MainWindow(store, today=lambda: DEMO_TODAY)
    win.show_error = lambda title, text: pytest.fail(f"unexpected error dialog: {title}: {text}")
    # A message box is modal: offscreen nobody closes it, and the test would wait for ever (a test that expects
    # one replaces this).
    win.show_info = lambda title, text: pytest.fail(f"unexpected message: {title}: {text}")
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.caseload_loaded, timeout=10000):
        win.show()
        win.refresh()
    return win


@pytest.fixture
def window(qtbot: Any, demo_store: Any) -> Iterator[Any]:
    win = open_window(qtbot, demo_store)
    yield win
    settle(qtbot, win)
