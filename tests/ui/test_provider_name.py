"""The provider's name heads every printed copy: a start without one asks for it (the demo names its own), and the
print options say so while it is missing, rather than printing "Apprenticeship training provider" unnoticed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from reviewapp.core.documents import DEFAULT_PROVIDER_NAME, ReportSettings
from reviewapp.demo import DEMO_PROVIDER_NAME, name_demo_provider
from reviewapp.store.review_documents import report_settings
from reviewapp.store.settings import save_report_settings
from reviewapp.ui.print_options import PrintOptionsDialog
from reviewapp.ui.provider_name import PROVIDER_NAME_MISSING, ProviderNameDialog


def stored_name(store) -> str:
    with store.read() as session:
        return report_settings(session).provider_name


def answer_the_dialog(qtbot, typed: str | None, asked: list[str]) -> None:
    """When the modal dialog is up, type `typed` and Save (or press Not now for None), as the user would."""
    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ProviderNameDialog)
        asked.append(dialog.windowTitle())
        save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
        assert not save.isEnabled()  # nothing typed yet
        if typed is None:
            qtbot.mouseClick(dialog.later, Qt.MouseButton.LeftButton)
            return
        qtbot.keyClicks(dialog.name, typed)
        assert save.isEnabled()
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, answer)


def test_a_start_without_a_provider_name_asks_for_it_once(window, qtbot, demo_store):
    assert stored_name(demo_store) == DEFAULT_PROVIDER_NAME
    asked: list[str] = []
    answer_the_dialog(qtbot, "  Northfield Training Ltd ", asked)
    assert window.ask_provider_name_if_unset()
    assert asked == ["Your training provider's name"]
    assert stored_name(demo_store) == "Northfield Training Ltd"
    window.choose_provider_name = lambda: pytest.fail("asked again although the name is set")
    assert not window.ask_provider_name_if_unset()


def test_not_now_keeps_the_placeholder_and_asks_again_next_time(window, qtbot, demo_store):
    asked: list[str] = []
    answer_the_dialog(qtbot, None, asked)
    assert not window.ask_provider_name_if_unset()
    assert asked and stored_name(demo_store) == DEFAULT_PROVIDER_NAME
    answer_the_dialog(qtbot, "Northfield Training Ltd", asked)
    assert window.ask_provider_name_if_unset() and len(asked) == 2


def test_the_demo_names_its_provider_but_never_over_a_name_set(demo_store):
    name_demo_provider(demo_store)
    assert stored_name(demo_store) == DEMO_PROVIDER_NAME
    save_report_settings(demo_store, ReportSettings("Tried it with our own name"))
    name_demo_provider(demo_store)
    assert stored_name(demo_store) == "Tried it with our own name"


def test_the_print_options_say_when_the_provider_name_is_missing(qtbot):
    missing = PrintOptionsDialog("Zoë Ødegård", settings=ReportSettings())
    named = PrintOptionsDialog("Zoë Ødegård", settings=ReportSettings("Northfield Training Ltd"))
    for dialog in (missing, named):
        qtbot.addWidget(dialog)
        dialog.show()
    assert missing.provider_note.isVisible() and missing.provider_note.text() == PROVIDER_NAME_MISSING
    assert DEFAULT_PROVIDER_NAME in PROVIDER_NAME_MISSING and "Provider settings" in PROVIDER_NAME_MISSING
    assert not named.provider_note.isVisible()
    missing.grab().save("/tmp/c/print_options_missing_name.png")


def test_the_main_windows_print_options_read_the_stored_name(window, qtbot, demo_store, monkeypatch):
    import reviewapp.ui.print_options as print_options

    made: list[PrintOptionsDialog] = []

    def shown(dialog: PrintOptionsDialog) -> int:
        made.append(dialog)
        return 0  # cancelled

    monkeypatch.setattr(print_options.PrintOptionsDialog, "exec", shown)
    assert window.choose_print_options("Zoë Ødegård", window) is None
    save_report_settings(demo_store, ReportSettings("Northfield Training Ltd"))
    window.choose_print_options("Zoë Ødegård", window)
    assert [d.provider_note.isVisibleTo(d) for d in made] == [True, False]


def test_a_saved_copy_headed_by_the_placeholder_says_so(qtbot, demo_store):
    from reviewapp.reports.review_pdf import review_pdf
    from reviewapp.store.review_documents import load_review_document
    from reviewapp.store.reviews import finalised_review_ids
    from reviewapp.ui.saved_copy_view import PLACEHOLDER_COPY_NOTE, SavedCopyViewer

    with demo_store.read() as session:
        document = load_review_document(session, finalised_review_ids(session)[-1])
    unnamed = SavedCopyViewer("Learner copy", review_pdf(document, copy="learner"))
    named = SavedCopyViewer("Learner copy", review_pdf(document, copy="learner",
                                                       settings=ReportSettings("Northfield Training Ltd")))
    for viewer in (unnamed, named):
        qtbot.addWidget(viewer)
        viewer.show()
    assert unnamed.headed_by_placeholder() and unnamed.placeholder_note.isVisible()
    assert unnamed.placeholder_note.text() == PLACEHOLDER_COPY_NOTE
    assert not named.headed_by_placeholder() and not named.placeholder_note.isVisible()
    unnamed.grab().save("/tmp/c/saved_copy_placeholder_note.png")
