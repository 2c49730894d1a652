"""The laptop's provider settings window when the office set them (issue 14 item 7): what the office set is shown
read-only with a note saying where it comes from, and saving the window never writes a laptop value beside it, so
the two sources cannot disagree silently. What the office did not set stays editable here."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reviewapp.core.scheduling import Interval, ScheduleRules, schedule_to_document
from reviewapp.store.office_settings import save_office_settings
from reviewapp.store.review_documents import report_settings
from reviewapp.store.settings import get_setting, schedule_rules
from reviewapp.ui.main_window import MainWindow
from reviewapp.ui.provider_settings import FROM_OFFICE, ProviderSettingsDialog
from sync.protocol import ProviderSettingsResponse
from tests.conftest import DEMO_TODAY

OFFICE_RULES = ScheduleRules(first_review=Interval.weeks(6), max_interval=Interval.months(2))


def _from_office(store, **fields) -> None:  # type: ignore[no-untyped-def]
    save_office_settings(store, ProviderSettingsResponse(server_id="office", version=3, **fields))


def _opened_dialog(window: MainWindow, qtbot, tmp_path: Path) -> ProviderSettingsDialog:  # type: ignore[no-untyped-def]
    seen: list[ProviderSettingsDialog] = []

    def choose(current):  # type: ignore[no-untyped-def]
        dialog = ProviderSettingsDialog(current, window)
        qtbot.addWidget(dialog)
        dialog.show()
        seen.append(dialog)
        dialog.grab().save(str(tmp_path / "office-provider-settings.png"))
        if os.environ.get("REVIEWAPP_SCREENSHOTS"):
            dialog.grab().save(os.environ["REVIEWAPP_SCREENSHOTS"])
        return dialog.settings()

    window.choose_provider_settings = choose
    window.open_provider_settings()
    window.runner.wait()
    return seen[0]


def test_settings_the_office_set_are_read_only_with_a_note_and_never_saved_over(qtbot, demo_store,
                                                                                 tmp_path: Path) -> None:
    _from_office(demo_store, provider_name="Acme Training Ltd", schedule=schedule_to_document(OFFICE_RULES))
    window = MainWindow(demo_store, today=lambda: DEMO_TODAY)
    window.show_error = lambda title, text: pytest.fail(f"unexpected error dialog: {title}: {text}")
    qtbot.addWidget(window)
    dialog = _opened_dialog(window, qtbot, tmp_path)

    notes = [label.text() for label in dialog.findChildren(type(dialog.problem)) if label.text() == FROM_OFFICE]
    assert len(notes) == 2  # one by the printed name and logo, one by the schedule
    assert dialog.name.isReadOnly() and dialog.name.text() == "Acme Training Ltd"
    assert not dialog.interval.isEnabled() and not dialog.holidays.isEnabled()
    assert dialog.interval.interval() == Interval.months(2)
    assert get_setting(demo_store, "reports.provider_name") != "Acme Training Ltd"  # nothing written beside it
    assert window.rules == OFFICE_RULES == schedule_rules(demo_store)
    with demo_store.read() as session:
        assert report_settings(session).provider_name == "Acme Training Ltd"


def test_what_the_office_did_not_set_stays_the_laptops_own(qtbot, demo_store, tmp_path: Path) -> None:
    _from_office(demo_store, provider_name="Acme Training Ltd")
    window = MainWindow(demo_store, today=lambda: DEMO_TODAY)
    qtbot.addWidget(window)
    dialog = _opened_dialog(window, qtbot, tmp_path)
    assert dialog.name.isReadOnly()
    assert dialog.interval.isEnabled() and dialog.first.isEnabled()
