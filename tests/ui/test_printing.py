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
from reviewapp.store.saved_copies import copies_of_learner, copy_pdf
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


def pdfs_under(folder: Path) -> list[Path]:
    """Every PDF anywhere under a folder, by content as well as by name."""
    return [p for p in folder.rglob("*") if p.is_file() and (p.suffix.lower() == ".pdf"
                                                             or p.read_bytes()[:5] == b"%PDF-")]


def test_the_print_action_keeps_copies_in_the_store_then_prints_through_the_dialog(qapp, demo_store, document,
                                                                                  tmp_path):
    printed = tmp_path / "printed.pdf"
    seen = []

    def accept(dialog) -> bool:
        seen.append(dialog.windowTitle())
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(printed))
        dialog.printer().setResolution(100)
        return True

    kept, printed_pages = print_review(demo_store, document, ["learner", "employer"], run_dialog=accept)
    assert seen == ["Print signed review copies"]
    with demo_store.read() as session:
        listed = copies_of_learner(session, document.learner_id)
        stored = [copy_pdf(session, copy_id)[1] for copy_id in kept]
    assert sorted(c.kind for c in listed if c.id in kept) == ["employer", "learner"]
    assert all(c.review_id == document.review_id for c in listed if c.id in kept)
    assert printed_pages == pages(printed) == sum(len(PdfReader(BytesIO(pdf)).pages) for pdf in stored)
    assert pdfs_under(demo_store.path.parent) == []  # nothing printed left a file in the data folder


def test_cancelling_the_dialog_prints_nothing(qapp, document, tmp_path):
    source = tmp_path / "copy.pdf"
    source.write_bytes(review_pdf(document))
    assert print_with_dialog([source], title="Print a test copy", run_dialog=lambda dialog: False) == 0


def test_a_draft_is_neither_saved_nor_printed(qapp, demo_store, tmp_path):
    draft_id = make_draft(demo_store)
    with demo_store.read() as session:
        draft = load_review_document(session, draft_id)
    with pytest.raises(NotSignedError):
        print_review(demo_store, draft, ["learner"], run_dialog=lambda dialog: True)
    with demo_store.read() as session:
        assert copies_of_learner(session, draft.learner_id) == []


def test_a_file_that_is_not_a_pdf_is_reported(qapp, tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_text("not a pdf")
    with pytest.raises(PrintError, match=r"Could not open bad\.pdf"):
        print_to_pdf_file([bad], tmp_path / "out.pdf")


def test_the_print_options_dialog_offers_each_copy_and_needs_one(qtbot, tmp_path):
    from PySide6.QtWidgets import QDialogButtonBox

    from reviewapp.ui.print_options import PrintOptions, PrintOptionsDialog

    dialog = PrintOptionsDialog("Zoë Ødegård")
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert dialog.options() == PrintOptions(("learner", "employer", "provider"))
    assert "Zoë Ødegård" in dialog.kept_label.text() and "encrypted" in dialog.kept_label.text()
    assert "an exported file is not protected" in dialog.kept_label.text()
    dialog.boxes["learner"].click()
    dialog.boxes["provider"].click()
    assert dialog.options() == PrintOptions(("employer",)) and ok.isEnabled()
    dialog.boxes["employer"].click()
    assert not ok.isEnabled()  # nothing to print
    assert [box.accessibleName() for box in dialog.boxes.values()] == ["Learner copy", "Employer copy",
                                                                       "Provider copy"]


def test_bytes_print_as_a_file_would(qapp, document, tmp_path):
    """A copy kept in the store prints from memory, page for page as its file would."""
    pdf = review_pdf(document)
    printed = tmp_path / "printed.pdf"
    assert print_to_pdf_file([pdf], printed) == pages(printed) == len(PdfReader(BytesIO(pdf)).pages)
    with pytest.raises(PrintError, match="Could not open the copy"):
        print_to_pdf_file([b"not a pdf"], tmp_path / "out.pdf")
