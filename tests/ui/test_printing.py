"""Printing through Qt: the PDF pages rendered with QtPdf onto a QPrinter, here a PDF-file printer."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter

from reviewapp.reports.review_pdf import NotSignedError, review_pdf
from reviewapp.store.review_documents import load_review_document
from reviewapp.store.reviews import finalised_review_ids
from reviewapp.ui.printing import PrintError, print_review, print_to_pdf_file, print_with_dialog
from tests.reports.conftest import make_draft


@pytest.fixture
def document(demo_store):
    with demo_store.read() as session:
        return load_review_document(session, finalised_review_ids(session)[-1])


def pages(path: Path) -> int:
    return len(PdfReader(BytesIO(path.read_bytes())).pages)


def test_printing_to_a_pdf_file_prints_every_page(qapp, document, tmp_path):
    source = tmp_path / "copy.pdf"
    source.write_bytes(review_pdf(document))
    printed = tmp_path / "printed.pdf"
    assert print_to_pdf_file([source, source], printed) == 2 * pages(source)
    assert pages(printed) == 2 * pages(source)
    box = PdfReader(BytesIO(printed.read_bytes())).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4


def test_the_print_action_saves_copies_then_prints_through_the_dialog(qapp, document, tmp_path):
    printed = tmp_path / "printed.pdf"
    seen = []

    def accept(dialog) -> bool:
        seen.append(dialog.windowTitle())
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(printed))
        dialog.printer().setResolution(100)
        return True

    saved, printed_pages = print_review(document, ["learner", "employer"], tmp_path / "data", run_dialog=accept)
    assert seen == ["Print review copies"]
    assert [p.parent.parent for p in saved] == [tmp_path / "data" / "reviews"] * 2
    assert all(p.is_file() for p in saved)
    assert printed_pages == pages(printed) == sum(pages(p) for p in saved)


def test_cancelling_the_dialog_prints_nothing(qapp, document, tmp_path):
    source = tmp_path / "copy.pdf"
    source.write_bytes(review_pdf(document))
    assert print_with_dialog([source], run_dialog=lambda dialog: False) == 0


def test_a_draft_is_neither_saved_nor_printed(qapp, demo_store, tmp_path):
    draft_id = make_draft(demo_store)
    with demo_store.read() as session:
        draft = load_review_document(session, draft_id)
    with pytest.raises(NotSignedError):
        print_review(draft, ["learner"], tmp_path / "data", run_dialog=lambda dialog: True)
    assert not (tmp_path / "data").exists()


def test_a_file_that_is_not_a_pdf_is_reported(qapp, tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_text("not a pdf")
    with pytest.raises(PrintError, match=r"Could not open bad\.pdf"):
        print_to_pdf_file([bad], tmp_path / "out.pdf")


def test_the_print_options_dialog_offers_each_copy_and_needs_one(qtbot, tmp_path):
    from PySide6.QtWidgets import QDialogButtonBox

    from reviewapp.ui.print_options import PrintOptions, PrintOptionsDialog

    dialog = PrintOptionsDialog(tmp_path / "reviews" / "Zoë Ødegård 1234567890")
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert dialog.options() == PrintOptions(("learner", "employer", "provider"))
    assert "Zoë Ødegård 1234567890" in dialog.folder_label.text()
    dialog.boxes["learner"].click()
    dialog.boxes["provider"].click()
    assert dialog.options() == PrintOptions(("employer",)) and ok.isEnabled()
    dialog.boxes["employer"].click()
    assert not ok.isEnabled()  # nothing to print
    assert [box.accessibleName() for box in dialog.boxes.values()] == ["Learner copy", "Employer copy",
                                                                       "Provider copy"]
