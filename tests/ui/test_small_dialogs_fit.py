"""The small dialogs show what they hold and fit a laptop's screen: the sync settings' server address whole, every
dialog (sync settings, sign-in, new password, first start, print options, provider settings, an off-the-job
entry, a concern raised, the consent to e-mailed copies) inside a 1366×768, 1280×720 or 150%-scaled screen with its
buttons on it, and each back at the size the assessor gave it (issue 13, item 11, and the same cause in the dialogs
beside it).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication, QDialog, QPushButton, QScrollArea

from reviewapp.core.documents import ReportSettings
from reviewapp.core.scheduling import DEFAULT_RULES
from reviewapp.ui import window_fit
from reviewapp.ui.concern_dialog import ConcernDialog
from reviewapp.ui.email_consent_dialog import EmailConsentDialog
from reviewapp.ui.otj_entry_dialog import OtjEntryDialog
from reviewapp.ui.print_options import PrintOptionsDialog
from reviewapp.ui.provider_settings import ProviderSettings, ProviderSettingsDialog
from reviewapp.ui.sync_dialogs import FirstRunDialog, LoginDialog, NewPasswordDialog, SyncSettingsDialog

#: A long but real-looking address (not the helper's own example, so the test does not grade itself).
ADDRESS = "https://progress-reviews.northgate-training-college.ac.uk:8443"
LAPTOP_SCREENS = [QRect(0, 0, 1366, 768), QRect(0, 0, 1280, 720), QRect(0, 0, 910, 512)]  # the last: 150%

DIALOGS: dict[str, Callable[[], QDialog]] = {
    "sync_settings": lambda: SyncSettingsDialog(ADDRESS, "alice.assessor", 15),
    "sign_in": lambda: LoginDialog(ADDRESS + "/reviewapp/api/for-assessors-in-the-north-east-region", "alice",
                                   "Your session has ended: sign in again to sync.", device_name="Alice's laptop"),
    "new_password": lambda: NewPasswordDialog(),
    "first_run": lambda: FirstRunDialog(),
    "print_options": lambda: PrintOptionsDialog("Alexandra Montgomery-Fitzwilliam"),
    "provider_settings": lambda: ProviderSettingsDialog(
        ProviderSettings(ReportSettings("Northgate Training College Apprenticeships Ltd", None), DEFAULT_RULES)),
    "otj_entry": lambda: OtjEntryDialog("Alexandra Montgomery-Fitzwilliam"),
    # issue 16's and 17's: raising a concern without a review, and the consent to e-mailed copies
    "concern": lambda: ConcernDialog("Alexandra Montgomery-Fitzwilliam"),
    "email_consent": lambda: EmailConsentDialog(
        "Alexandra Montgomery-Fitzwilliam", "alexandra.montgomery-fitzwilliam@northgate-apprentices.example.org",
        None, employer_contact="Bartholomew Okonkwo-Henderson", employer_email="b.okonkwo@acme.example.org"),
}


def _contains(outer: QRect, inner: QRect) -> bool:
    return outer.contains(inner.topLeft()) and outer.contains(inner.bottomRight())


def _open(qtbot, make: Callable[[], QDialog]) -> QDialog:
    dialog = make()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    QApplication.processEvents()
    return dialog


def test_the_sync_settings_show_a_long_server_address_whole(qtbot):
    dialog = _open(qtbot, DIALOGS["sync_settings"])
    field = dialog.server_url
    assert field.text() == ADDRESS
    # The text, its cursor and Qt's few pixels of frame and margin all fit: nothing is scrolled out of sight.
    assert field.fontMetrics().horizontalAdvance(ADDRESS) + 8 <= field.width()
    field.grab().save("/tmp/a_item11_sync_address_field.png")
    dialog.grab().save("/tmp/a_item11_sync_settings.png")


def test_the_provider_settings_show_a_long_provider_name_and_logo_path_whole(qtbot):
    """The same cause beside it: the name printed on every copy was shown only as its end."""
    name = "Northgate Training College Apprenticeships and Skills Ltd"
    logo = "/home/sam.assessor/Pictures/northgate-logo-colour.png"
    dialog = _open(qtbot, lambda: ProviderSettingsDialog(
        ProviderSettings(ReportSettings(name, Path(logo)), DEFAULT_RULES)))
    for field, text in ((dialog.name, name), (dialog.logo, logo)):
        assert field.text() == text
        assert field.fontMetrics().horizontalAdvance(text) + 8 <= field.width(), text
    dialog.grab().save("/tmp/a_item11_provider_settings_long_name.png")


@pytest.mark.parametrize("available", LAPTOP_SCREENS, ids=lambda r: f"{r.width()}x{r.height()}")
@pytest.mark.parametrize("name", DIALOGS)
def test_each_small_dialog_fits_the_screen_with_its_buttons(qtbot, monkeypatch, name, available):
    monkeypatch.setattr(window_fit, "available_rect", lambda _window: QRect(available))
    dialog = _open(qtbot, DIALOGS[name])
    assert dialog.width() + window_fit.FRAME_ALLOWANCE.width() <= available.width(), name
    assert dialog.height() + window_fit.FRAME_ALLOWANCE.height() <= available.height(), name
    # A button inside a scrolled form is reached by scrolling; every other one (Save, Cancel, OK) stays in view.
    scrolled = [area.widget() for area in dialog.findChildren(QScrollArea)]
    buttons = [b for b in dialog.findChildren(QPushButton)
               if b.isVisible() and not any(form.isAncestorOf(b) for form in scrolled)]
    assert buttons
    for button in buttons:
        placed = QRect(button.mapTo(dialog, QPoint(0, 0)), button.size())
        assert _contains(dialog.rect(), placed), f"{name}: {button.text()!r} is outside the dialog"
    if available.width() == 1280:
        dialog.grab().save(f"/tmp/a_item11_{name}_1280x720.png")


@pytest.mark.parametrize("name", DIALOGS)
def test_each_small_dialog_comes_back_at_the_size_it_was_given(qtbot, monkeypatch, name):
    """Through window_fit, as the big windows are: its size kept in QSettings when it closes."""
    monkeypatch.setattr(window_fit, "available_rect", lambda _window: QRect(0, 0, 1366, 768))
    first = _open(qtbot, DIALOGS[name])
    wider = first.width() + 37
    first.resize(wider, first.height())
    first.close()
    again = _open(qtbot, DIALOGS[name])
    assert again.width() == wider, name
