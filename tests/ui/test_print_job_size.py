"""What the print path hands the printer: the PDF itself, a few hundred kilobytes for three signed copies, never
rendered pages (a 13.7 MB raster that a cheap laptop printer choked on). Read back from a PDF-file printer through
the same code the print button uses, and from a real CUPS queue (a private scheduler) through the app's `lp` call."""

from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter

from reviewapp.reports.review_pdf import review_pdf
from reviewapp.store.review_documents import load_review_document
from reviewapp.store.reviews import finalised_review_ids
from reviewapp.ui.printing import PrintChoices, joined_pdf, lp_command, print_review, print_to_pdf_file, send_to_cups
from tests.ui.cups_server import cups_server

#: The job may be the copies' own bytes plus what joining them costs (a new cross-reference table, a page tree):
#: a tenth more and 20 KB is generous for that, and far below any rendering (150 dpi is over 20 times the size).
JOIN_OVERHEAD = 1.10
JOIN_SLACK = 20_000
#: Three signed copies of a review, whatever their length, must make a job a cheap printer takes in its stride.
MAX_JOB_BYTES = 1_000_000


@pytest.fixture
def document(demo_store):
    with demo_store.read() as session:
        return load_review_document(session, finalised_review_ids(session)[-1])


@pytest.fixture
def three_copies(document) -> list[bytes]:
    return [review_pdf(document, copy=copy) for copy in ("learner", "employer", "provider")]


def pages_of(data: bytes) -> int:
    return len(PdfReader(BytesIO(data)).pages)


def assert_the_pdf_itself(job: bytes, copies: list[bytes], learner_name: str) -> None:
    assert len(job) <= min(sum(map(len, copies)) * JOIN_OVERHEAD + JOIN_SLACK, MAX_JOB_BYTES), len(job)
    assert pages_of(job) == sum(map(pages_of, copies))
    reader = PdfReader(BytesIO(job))
    assert learner_name in reader.pages[0].extract_text()  # text, not a picture of text


def test_printing_to_a_pdf_file_sends_the_pdf_itself(qapp, document, three_copies, tmp_path):
    printed = tmp_path / "printed.pdf"
    assert print_to_pdf_file(three_copies, printed) == sum(map(pages_of, three_copies))
    assert_the_pdf_itself(printed.read_bytes(), three_copies, document.learner_name)


def test_the_print_buttons_path_at_a_printers_resolution_stays_small(qapp, demo_store, document, tmp_path):
    printed = tmp_path / "printed.pdf"

    def to_file_at_600_dpi(dialog) -> bool:  # a laser printer's resolution, which once meant 300 dpi pages
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(printed))
        dialog.printer().setResolution(600)
        return True

    _ids, pages = print_review(demo_store, document, ["learner", "employer", "provider"],
                               run_dialog=to_file_at_600_dpi)
    copies = [review_pdf(document, copy=copy) for copy in ("learner", "employer", "provider")]
    assert pages == sum(map(pages_of, copies))
    assert_the_pdf_itself(printed.read_bytes(), copies, document.learner_name)


def test_the_lp_command_carries_the_dialogs_choices() -> None:
    plain = lp_command("/usr/bin/lp", PrintChoices("Office_Laser"), title="Signed review copies")
    assert plain == ["/usr/bin/lp", "-d", "Office_Laser", "-t", "Signed review copies", "-n", "1", "--", "-"]
    chosen = lp_command("lp", PrintChoices("Office", copies=2, sides="two-sided-long-edge", monochrome=True),
                        title="t")
    assert chosen[chosen.index("-n") + 1] == "2"
    assert "sides=two-sided-long-edge" in chosen and "print-color-mode=monochrome" in chosen
    assert chosen[-2:] == ["--", "-"]  # the job is read from standard input: no file is written


def test_a_cups_printer_is_sent_the_pdf_itself(qapp, document, three_copies, tmp_path, monkeypatch):
    import shutil

    with cups_server(tmp_path / "cups") as cups:
        monkeypatch.setenv("CUPS_SERVER", str(cups.socket))
        pages = send_to_cups(three_copies, PrintChoices(cups.queue), shutil.which("lp") or "lp",
                             title="Signed review copies")
        [received] = cups.received()
    assert pages == sum(map(pages_of, three_copies))
    assert received == joined_pdf(three_copies)[0]  # one job, the copies in order, byte for byte
    assert_the_pdf_itself(received, three_copies, document.learner_name)


def test_a_printer_that_refuses_the_job_is_reported(qapp, three_copies, tmp_path, monkeypatch):
    import shutil

    from reviewapp.ui.printing import PrintError

    with cups_server(tmp_path / "cups") as cups:
        monkeypatch.setenv("CUPS_SERVER", str(cups.socket))
        with pytest.raises(PrintError, match="The printer No_Such_Printer did not take the job"):
            send_to_cups(three_copies, PrintChoices("No_Such_Printer"), shutil.which("lp") or "lp", title="t")


def test_a_printer_with_no_pdf_route_gets_pages_rendered_no_finer_than_the_cap(qapp, three_copies, tmp_path):
    """The fallback (no CUPS): rendered pages, every one, at no more than MAX_RENDER_DPI whatever the printer says."""
    from reviewapp.ui.printing import MAX_RENDER_DPI, prepare_printer, render_pdfs

    printed = tmp_path / "rendered.pdf"
    printer = prepare_printer(QPrinter(QPrinter.PrinterMode.HighResolution))
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(printed))
    printer.setResolution(600)
    assert render_pdfs(three_copies[:1], printer) == pages_of(three_copies[0]) == pages_of(printed.read_bytes())
    [image] = PdfReader(BytesIO(printed.read_bytes())).pages[0].images
    assert image.image.width <= round(210 / 25.4 * MAX_RENDER_DPI) + 1 and MAX_RENDER_DPI <= 200
