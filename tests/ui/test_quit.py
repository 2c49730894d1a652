"""File > Quit with a review open ends the app (issue 13 item 13): the review window closes (saving its draft) and
the event loop returns, instead of the review window, and the process, staying behind."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from PySide6.QtWidgets import QApplication

from reviewapp.ui.main_window import MainWindow
from tests.conftest import DEMO_TODAY
from tests.ui.test_main_window import _select_learner_with_history


def _quit_action(window: MainWindow):  # type: ignore[no-untyped-def]
    return next(a for menu in window.menuBar().actions() for a in menu.menu().actions() if a.text() == "&Quit")


def test_quit_with_a_review_open_closes_every_window_and_saves_the_draft(qtbot, demo_store):
    window = MainWindow(demo_store, today=lambda: DEMO_TODAY)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.caseload_loaded, timeout=10000):
        window.show()
        window.refresh()
    _select_learner_with_history(window, qtbot)
    wizard = window.start_review()  # not given to qtbot: the quit closes it, and it deletes itself on close
    saved = []
    wizard.save_now = lambda original=wizard.save_now: (saved.append(True), original())[1]
    assert wizard.isVisible() and window.isVisible()
    _quit_action(window).trigger()
    assert not wizard.isVisible() and not window.isVisible()
    assert saved, "the open review's draft was not saved as it closed"
    assert not [w for w in QApplication.topLevelWidgets() if w.isVisible()]


# The event loop, as the app runs it, in a process of its own: a QApplication that has quit once stays marked as
# closing, which would upset every later test in this one.
QUIT_SCRIPT = textwrap.dedent(
    """
    import datetime as dt, sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from reviewapp import demo
    from reviewapp.core.templates import load_template
    from reviewapp.store import reviews
    from reviewapp.store.database import Store
    from reviewapp.store.models import Learner
    from reviewapp.ui.main_window import MainWindow
    today = dt.date(2026, 11, 23)
    store = Store.open(sys.argv[1])
    demo.generate(store, learners=3, seed=7, today=today)
    with store.read() as s:
        learner = s.query(Learner.id).order_by(Learner.id).first()[0]
    review = reviews.start_draft(store, learner, load_template("apprenticeship-progress-review"), today)
    window = MainWindow(store, today=lambda: today)
    window.show()
    window.refresh()
    wizard = window.open_review(review)
    app.aboutToQuit.connect(lambda: print("ABOUT TO QUIT", flush=True))
    quit_action = next(a for m in window.menuBar().actions() for a in m.menu().actions() if a.text() == "&Quit")
    QTimer.singleShot(300, quit_action.trigger)
    QTimer.singleShot(8000, lambda: (print("STILL RUNNING:", [w.windowTitle() for w in app.topLevelWidgets()
                                                              if w.isVisible()], flush=True), app.exit(99)))
    code = app.exec()
    window.runner.wait()
    store.close()
    sys.exit(code)
    """
)


def test_quit_with_a_review_open_ends_the_event_loop_and_the_process(tmp_path):
    script = tmp_path / "quit_with_a_review_open.py"
    script.write_text(QUIT_SCRIPT)
    result = subprocess.run([sys.executable, str(script), str(tmp_path / "data")],
                            capture_output=True, text=True, timeout=120)
    assert "STILL RUNNING" not in result.stdout, result.stdout
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ABOUT TO QUIT" in result.stdout
