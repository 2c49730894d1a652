"""Windows fit a laptop's screen, keep the wizard's buttons in view, and come back where the user left them.

A wizard asking for 1100×780 on a 1366×768 screen had Back / Next / Finalise half cut off, and invisible at
1280×720. These tests open the real windows on a screen of those sizes: the offscreen platform's own screen (set
with its `configfile` option, in a subprocess) and, in this process, the helper's view of the screen replaced.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from sqlalchemy import select

from reviewapp import demo
from reviewapp.core.templates import load_template
from reviewapp.selftest import SIGNATURE_STROKES
from reviewapp.selftest import scripted_answers as complete_answers
from reviewapp.store import reviews
from reviewapp.store.database import Store
from reviewapp.store.models import Learner
from reviewapp.ui import window_fit
from reviewapp.ui.main_window import MainWindow
from reviewapp.ui.signature_pad import strokes_to_png
from reviewapp.ui.sync_dialogs import SyncLogDialog
from reviewapp.ui.wizard.not_ready import NotReadyDialog
from reviewapp.ui.wizard.review_wizard import WARNINGS_LISTED, ReviewWizard
from tests.conftest import DEMO_TODAY

TEMPLATE = load_template("apprenticeship-progress-review")
DRIVER = Path(__file__).with_name("screen_fit_driver.py")
REPO = Path(__file__).resolve().parents[2]
LAPTOP_SCREENS = [QRect(0, 0, 1366, 768), QRect(0, 0, 1280, 720), QRect(0, 0, 910, 512)]  # the last: 1366×768 at 150%


def _contains(outer: QRect, inner: QRect) -> bool:
    return outer.contains(inner.topLeft()) and outer.contains(inner.bottomRight())


@pytest.fixture
def draft(demo_store):
    with demo_store.read() as s:
        learner_id = s.scalars(select(Learner.id).where(Learner.status == "active")).first()
    return reviews.start_draft(demo_store, learner_id, TEMPLATE, DEMO_TODAY)


def _screen(monkeypatch, available: QRect) -> None:
    monkeypatch.setattr(window_fit, "available_rect", lambda _window: QRect(available))


def _open_wizard(qtbot, store, review_id) -> ReviewWizard:
    wizard = ReviewWizard(store, review_id)
    wizard.show_error = lambda title, text: pytest.fail(f"unexpected error: {title}: {text}")
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard


@pytest.mark.parametrize("available", LAPTOP_SCREENS, ids=lambda r: f"{r.width()}x{r.height()}")
def test_fitted_size_is_never_larger_than_the_screen(available):
    size = window_fit.fitted_size(QSize(1100, 780), available, QSize(700, 250))
    assert size.width() + window_fit.FRAME_ALLOWANCE.width() <= available.width()
    assert size.height() + window_fit.FRAME_ALLOWANCE.height() <= available.height()
    # a screen with room to spare gets the comfortable default, not the whole screen
    assert window_fit.fitted_size(QSize(1100, 780), QRect(0, 0, 2560, 1440)) == QSize(1100, 780)


@pytest.mark.parametrize("available", LAPTOP_SCREENS, ids=lambda r: f"{r.width()}x{r.height()}")
def test_wizard_buttons_are_on_screen_on_every_step(qtbot, monkeypatch, demo_store, draft, available):
    _screen(monkeypatch, available)
    wizard = _open_wizard(qtbot, demo_store, draft)
    assert _contains(available, wizard.frameGeometry())
    for step in range(wizard.pages.count()):
        wizard.go_to(step)
        QApplication.processEvents()
        for button in (wizard.back_button, wizard.next_button, wizard.finalise_button):
            assert button.isVisible()
            inside_window = QRect(button.mapTo(wizard, button.rect().topLeft()), button.size())
            assert _contains(wizard.rect(), inside_window), (step, button.text(), inside_window, wizard.size())
            on_screen = QRect(button.mapToGlobal(button.rect().topLeft()), button.size())
            assert _contains(available, on_screen), (step, button.text(), on_screen)


@pytest.mark.parametrize("available", LAPTOP_SCREENS[:2], ids=lambda r: f"{r.width()}x{r.height()}")
def test_main_window_fits_the_screen(qtbot, monkeypatch, demo_store, available):
    _screen(monkeypatch, available)
    window = MainWindow(demo_store)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert _contains(available, window.frameGeometry())


def test_wizard_size_place_and_maximised_state_are_remembered(qtbot, monkeypatch, demo_store, draft):
    _screen(monkeypatch, QRect(0, 0, 1366, 768))
    first = _open_wizard(qtbot, demo_store, draft)
    # where the assessor put it: as narrow as the wizard goes, to fit the offscreen platform's 800×800 screen
    first.setGeometry(4, 40, first.minimumWidth(), 500)
    QApplication.processEvents()
    placed = first.geometry()
    assert placed.height() == 500
    first.close()
    second = _open_wizard(qtbot, demo_store, draft)
    assert second.geometry() == placed
    second.showMaximized()
    QApplication.processEvents()
    second.close()
    third = _open_wizard(qtbot, demo_store, draft)
    assert third.isMaximized()


def test_a_window_saved_off_every_screen_comes_back_on_one(qtbot, demo_store):
    screen = QApplication.primaryScreen().availableGeometry()
    log = SyncLogDialog(["one line"])
    qtbot.addWidget(log)
    log.show()
    log.setGeometry(screen.right() + 2000, screen.bottom() + 2000, 500, 300)  # a monitor since unplugged
    window_fit.save_geometry(log, "sync_log")
    again = SyncLogDialog(["one line"])
    qtbot.addWidget(again)
    again.show()
    assert window_fit.on_some_screen(again.frameGeometry())
    assert _contains(screen, again.geometry())


def test_not_ready_list_scrolls_and_each_item_goes_to_its_field(qtbot, monkeypatch, demo_store, draft):
    _screen(monkeypatch, QRect(0, 0, 1280, 720))
    wizard = _open_wizard(qtbot, demo_store, draft)
    assert wizard.finalise() is False  # nothing answered yet: a long list of problems
    dialog = wizard.problems_dialog
    assert isinstance(dialog, NotReadyDialog) and dialog.isVisible()
    readiness = wizard.readiness()
    assert dialog.list.count() == len(readiness.problems) > 10
    assert _contains(QRect(0, 0, 1280, 720), dialog.frameGeometry())
    close = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Close)
    for button in (dialog.go_button, close):  # inside the dialog, not pushed off by the list
        assert _contains(dialog.rect(), QRect(button.mapTo(dialog, button.rect().topLeft()), button.size()))
    # choose a problem on a step other than the one finalise went to, by keyboard
    row, problem = next((i, p) for i, p in enumerate(dialog.problems)
                        if p.question_id in wizard.editors and p.section_id != wizard.current_section().id)
    dialog.list.setCurrentRow(row)
    qtbot.keyClick(dialog.list, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert wizard.current_section().id == problem.section_id
    assert wizard.focusWidget() is wizard.editors[problem.question_id].focus_widget()
    # and with the mouse, from a fresh list
    wizard.finalise()
    dialog = wizard.problems_dialog
    qtbot.waitExposed(dialog)
    row, problem = next((i, p) for i, p in enumerate(dialog.problems)
                        if p.question_id in wizard.editors and p.section_id != wizard.current_section().id)
    item = dialog.list.item(row)
    dialog.list.scrollToItem(item)
    where = dialog.list.visualItemRect(item).center()
    qtbot.mouseClick(dialog.list.viewport(), Qt.MouseButton.LeftButton, pos=where)  # a double-click's first press
    qtbot.mouseDClick(dialog.list.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert not dialog.isVisible()
    assert wizard.current_section().id == problem.section_id
    assert wizard.focusWidget() is wizard.editors[problem.question_id].focus_widget()


@pytest.mark.parametrize("width,height", [(1366, 768), (1280, 720)])
def test_on_a_real_laptop_sized_screen_the_wizard_fits_and_is_remembered(tmp_path, width, height):
    data_dir = tmp_path / "data"
    with Store.open(data_dir) as store:
        demo.generate(store, learners=3, seed=3, today=DEMO_TODAY)
        with store.read() as s:
            learner_id = s.scalars(select(Learner.id).where(Learner.status == "active")).first()
        review_id = reviews.start_draft(store, learner_id, TEMPLATE, DEMO_TODAY)
    screens = tmp_path / "screen.json"
    screens.write_text(json.dumps({"screens": [{"name": "laptop", "x": 0, "y": 0, "width": width, "height": height,
                                                "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    env = os.environ | {"QT_QPA_PLATFORM": f"offscreen:configfile={screens}", "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, str(DRIVER), str(data_dir), review_id], env=env, capture_output=True,
                          text=True, timeout=120, check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    screen = QRect(*report["available"])
    assert screen == QRect(0, 0, width, height)  # the platform really gave the laptop's screen
    assert _contains(screen, QRect(*report["main"]))
    for opened in ("first", "second"):
        assert _contains(screen, QRect(*report[opened]["frame"]))
        for step, button in enumerate(report[opened]["finalise"]):
            assert _contains(screen, QRect(*button)), (opened, step, button)
    assert report["second_geometry"] == report["moved_to"]


def test_the_finalise_question_stays_short_however_many_warnings(qtbot, demo_store, draft):
    with demo_store.read() as session:
        context = reviews.review_context(session, reviews.load_review(session, draft)[0].learner_id, draft)
    answers = complete_answers(context, DEMO_TODAY)
    vague = [{"text": f"Improve {n}", "due_date": None, "actions": []} for n in range(9)]
    answers["new_targets"] = [*answers["new_targets"], *vague]  # the carried target stays (finalising needs it)
    reviews.save_answers(demo_store, draft, answers)
    for role, name in (("learner", "Aimee Ward"), ("employer", "Tom Clarke"), ("assessor", "Sam Assessor")):
        reviews.save_signature(demo_store, draft, role, name=name, image_png=strokes_to_png(SIGNATURE_STROKES),
                               strokes=SIGNATURE_STROKES)
    wizard = _open_wizard(qtbot, demo_store, draft)
    asked = []
    wizard.confirm = lambda title, text: asked.append(text) or False
    assert len(wizard.readiness().warning_messages()) > WARNINGS_LISTED
    assert wizard.finalise() is False
    (text,) = asked
    bullets = [line for line in text.splitlines() if line.startswith("• ")]
    assert len(bullets) == WARNINGS_LISTED + 1 and "more" in bullets[-1]
