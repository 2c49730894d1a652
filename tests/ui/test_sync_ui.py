"""Sync from the window against a real server process, and the conflicts dialog, driven as a user would."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parent.parent / "sync"))

from synckit import PASSWORD, Office, Server, ServerProcess

from reviewapp.store.database import Store
from reviewapp.store.models import Learner, OutboxEntry, SyncConflict
from reviewapp.ui.main_window import MainWindow
from reviewapp.ui.sync_conflicts import ConflictsDialog
from reviewapp.ui.sync_controller import SyncController


@pytest.fixture
def running_server(tmp_path):
    url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    setup = Server(url)
    setup.add_user("alice")
    setup.add_user("meg", role="manager")
    learners = [setup.add_learner("alice", first_name=name) for name in ("Ann", "Amy", "Abi")]
    process = ServerProcess(url, tmp_path)
    process.start()
    yield process, learners
    process.stop()
    setup.close()


@pytest.fixture
def window_and_sync(qtbot, tmp_path, running_server):
    process, learners = running_server
    store = Store.open(tmp_path / "laptop", "alice")
    window = MainWindow(store)
    errors: list[str] = []
    window.show_error = lambda title, text: errors.append(f"{title}: {text}")
    qtbot.addWidget(window)
    controller = SyncController(window, store, client_options={"backoff": 0.02, "max_attempts": 2})
    controller.ask_password = lambda message="": ("alice", PASSWORD)
    controller.save_settings(process.url, "alice", 0)
    yield window, controller, store, learners, errors, process
    window.runner.wait()
    store.close()


def test_sync_from_the_window_signs_in_pulls_and_shows_the_status(qtbot, window_and_sync):
    window, controller, store, learners, errors, _process = window_and_sync
    assert controller.last_sync_label.text() == "Never synced"
    assert controller.sync_action.shortcut().toString() == "Ctrl+Shift+S"
    with qtbot.waitSignal(controller.sync_finished, timeout=20000):
        # Not signed in yet: the sign-in is asked for (the method tests replace), then the sync runs again.
        controller.sync_action.trigger()
    qtbot.waitUntil(lambda: window.model.rowCount() == 3, timeout=10000)
    assert not errors
    assert controller.last_sync_label.text().startswith("Last sync: ")
    assert window.pending_label.text() == "All changes synced"
    with store.read() as session:
        assert {row.id for row in session.scalars(select(Learner))} == set(learners)


def test_conflict_shown_in_the_dialog_and_resolved_keep_mine(qtbot, window_and_sync):
    _window, controller, store, learners, errors, process = window_and_sync
    controller.sign_in()
    with qtbot.waitSignal(controller.sync_finished, timeout=20000):
        controller.sync_now()
    with store.write() as session:
        session.get(Learner, learners[0]).phone = "my number"
    office = Office(process.url, "meg")
    office.edit("learner", learners[0], phone="office number")
    with qtbot.waitSignal(controller.sync_finished, timeout=20000):
        controller.sync_now()
    assert controller.conflicts_label.text() == "1 conflict"
    dialog: ConflictsDialog = controller.conflicts_dialog()
    qtbot.addWidget(dialog)
    model = dialog.model
    assert model.rowCount() == 1
    shown = [model.index(0, column).data() for column in range(model.columnCount())]
    assert shown[1:5] == ["phone", "my number", "office number", "meg"]
    assert shown[0] == "Learner Ann Smith" and shown[5]  # the record, and when (DD/MM/YYYY HH:MM)
    qtbot.mouseClick(dialog.keep_mine_button, Qt.MouseButton.LeftButton)
    assert model.rowCount() == 0 and not dialog.keep_mine_button.isEnabled()
    with store.read() as session:
        assert session.scalars(select(OutboxEntry)).one().fields == {"phone": "my number"}
        assert session.scalars(select(SyncConflict)).one().resolution == "kept_mine"
    with qtbot.waitSignal(controller.sync_finished, timeout=20000):
        controller.sync_now()
    assert office.record("learner", learners[0])["phone"] == "my number"
    assert controller.conflicts_label.text() == ""
    office.close()
    assert not errors


def test_cancel_and_unreachable_server_are_reported_not_fatal(qtbot, window_and_sync):
    window, controller, _store, _learners, errors, process = window_and_sync
    controller.sign_in()
    assert window.connection_label.text().startswith("Server: ")  # not yet tried: neither online nor offline
    with qtbot.waitSignal(controller.sync_finished, timeout=20000):
        controller.sync_now()
    assert window.connection_label.text() == f"Online: {controller.server_url}"
    process.stop()
    with qtbot.waitSignal(controller.sync_failed, timeout=20000) as failed:
        controller.sync_now()
    assert "is not reachable" in failed.args[0] and errors and "Sync did not finish" in errors[0]
    assert controller.sync_action.isEnabled() and not controller.running
    assert window.connection_label.text() == f"Offline (server not reachable): {controller.server_url}"


def test_a_periodic_sync_that_fails_only_notes_it(qtbot, window_and_sync):
    window, controller, _store, _learners, errors, process = window_and_sync
    controller.sign_in()
    process.stop()
    with qtbot.waitSignal(controller.sync_failed, timeout=20000):
        controller._periodic()
    assert not errors and window.statusBar().currentMessage().startswith("Not synced: ")
    assert controller.log and "is not reachable" in controller.log[-1]


def test_a_reset_password_is_replaced_from_the_sign_in_then_the_sync_runs(qtbot, window_and_sync, tmp_path):
    """The server answers `password_change_required`: the window asks for a new password and signs in with it."""
    from reviewapp.ui.sync_dialogs import NewPasswordDialog
    from sync.server.accounts import find_user, reset_password
    from sync.server.db import make_engine, make_session_factory, transaction
    from sync.server.models import User

    window, controller, _store, _learners, errors, process = window_and_sync
    engine = make_engine(process.database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            reset_password(session, find_user(session, "alice"), "a temporary phrase from IT")
        controller.ask_password = lambda message="": ("alice", "a temporary phrase from IT")
        asked: list[str] = []
        controller.ask_new_password = lambda message="": asked.append(message) or "my own choice of words"
        with qtbot.waitSignal(controller.sync_finished, timeout=20000):
            controller.sync_action.trigger()
        assert not errors and asked and "reset your password" in asked[0]
        qtbot.waitUntil(lambda: window.model.rowCount() == 3, timeout=10000)
        with make_session_factory(engine)() as session:
            assert session.query(User).filter_by(username="alice").one().must_change_password is False
    finally:
        engine.dispose()

    dialog = NewPasswordDialog("An admin has reset your password.")
    qtbot.addWidget(dialog)
    dialog.password.setText("one thing typed")
    dialog.again.setText("another thing typed")
    dialog.buttons.accepted.emit()
    assert dialog.result() != dialog.DialogCode.Accepted and "differ" in dialog.problem.text()
    dialog.again.setText("one thing typed")
    dialog.buttons.accepted.emit()
    assert dialog.result() == dialog.DialogCode.Accepted


def test_the_first_sign_in_offers_a_laptop_name_the_admin_then_sees(qtbot, window_and_sync, monkeypatch):
    from PySide6.QtWidgets import QDialog

    from reviewapp.ui.sync_dialogs import LoginDialog
    from sync.server.db import make_engine, make_session_factory
    from sync.server.models import Device

    _window, controller, _store, _learners, errors, process = window_and_sync
    del controller.ask_password  # the real dialog this time, filled in as a user would
    shown: list[LoginDialog] = []

    def fill_in(dialog: LoginDialog) -> int:
        shown.append(dialog)
        assert dialog.device_name is not None and dialog.device_name.text().startswith("ReviewApp on ")
        dialog.password.setText(PASSWORD)
        dialog.device_name.setText("Sam's ThinkPad")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(LoginDialog, "exec", fill_in)
    assert controller.sign_in() and not errors

    def later(dialog: LoginDialog) -> int:  # signed in before: the name is not asked again
        shown.append(dialog)
        assert dialog.device_name is None
        dialog.password.setText(PASSWORD)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(LoginDialog, "exec", later)
    assert controller.sign_in() and len(shown) == 2
    engine = make_engine(process.database_url)
    try:
        with make_session_factory(engine)() as session:
            assert [d.name for d in session.query(Device)] == ["Sam's ThinkPad"]
    finally:
        engine.dispose()
