"""Printing review PDFs: the PDF itself sent to the printer, or, where that cannot be done, its pages rendered.

The PDF made by `reviewapp.reports` is the document of record, so printing sends those very bytes rather than laying
the review out a second time with Qt: what is printed is what is kept. Sent as PDF (to a CUPS queue through `lp`,
or to a PDF file), three signed copies are a job of a few hundred kilobytes that a cheap printer copes with; they
were once rasterised at 300 dpi, a 13.7 MB job. Only a printer with no PDF route (no CUPS) gets rendered pages, at
a resolution sharp enough for text and a signature (`RASTER_DPI`). Bytes are printed from memory (`lp` reads them
on its standard input), so a copy kept in the encrypted store never passes through a plain file to be printed. The
dialog is one function and the printing another, so tests print to a PDF file through exactly the code the print
button uses, with no modal dialog.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QWidget

from reviewapp.core.documents import ReportSettings, ReviewDocument
from reviewapp.operations.printing import keep_review_copies, record_delivery
from reviewapp.reports.review_pdf import Copy
from reviewapp.reports.saving import render_review_copies

if TYPE_CHECKING:
    from reviewapp.store.database import Store

#: A PDF to print: a file, or the bytes of one (a copy kept in the store).
PdfSource = Path | bytes

#: Where pages must be rendered (a printer with no PDF route), they are rendered at the printer's resolution but
#: never finer than this: 200 dpi is sharp for 8-point text and a signature and a quarter of the data of the
#: 300 dpi once used for every job, while a 1200 dpi A4 page would be a 500 MB image.
MAX_RENDER_DPI = 200
#: How long `lp` may take to take a job into the print queue (it queues; it does not wait for the paper).
LP_TIMEOUT_SECONDS = 30


class PrintError(RuntimeError):
    """A PDF that could not be opened or printed; the message is for the user."""


def _open(source: PdfSource, buffers: list[QBuffer]) -> QPdfDocument:
    """A PDF opened for rendering; bytes are read through a buffer, kept in `buffers` while the document is open."""
    document = QPdfDocument(None)
    if isinstance(source, bytes):
        buffer = QBuffer()
        buffer.setData(QByteArray(source))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        buffers.append(buffer)
        document.load(buffer)
        error, name = document.error(), "the copy"
    else:
        error, name = document.load(str(source)), Path(source).name
    if error != QPdfDocument.Error.None_ or document.pageCount() == 0:
        raise PrintError(f"Could not open {name} for printing ({error.name}).")
    return document


def prepare_printer(printer: QPrinter) -> QPrinter:
    """A4 portrait, whole sheet addressed, so a PDF page maps onto the paper one to one."""
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setFullPage(True)
    return printer


def render_pdfs(sources: Sequence[PdfSource], printer: QPrinter) -> int:
    """Print every page of each PDF, in order, as one job on a ready printer; returns the pages printed."""
    buffers: list[QBuffer] = []
    documents = [_open(s if isinstance(s, bytes) else Path(s), buffers) for s in sources]
    painter = QPainter()
    if not painter.begin(printer):
        raise PrintError("The printer could not be started. Check it is switched on and try again.")
    pages = 0
    try:
        dpi = min(printer.resolution(), MAX_RENDER_DPI)
        target = QRectF(printer.pageRect(QPrinter.Unit.DevicePixel))
        target.moveTo(0, 0)
        for document in documents:
            for index in range(document.pageCount()):
                if pages:
                    printer.newPage()
                points = document.pagePointSize(index)
                size = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
                image = document.render(index, size)
                scale = min(target.width() / size.width(), target.height() / size.height())
                w, h = size.width() * scale, size.height() * scale
                painter.drawImage(QRectF(target.x() + (target.width() - w) / 2, target.y(), w, h), image)
                pages += 1
    finally:
        painter.end()
        for document in documents:
            document.close()
        for buffer in buffers:
            buffer.close()
    return pages


def print_pdfs(sources: Sequence[PdfSource], printer: QPrinter, *, title: str = "ReviewApp") -> int:
    """Print the PDFs, in order, on a printer the user chose: the PDFs themselves where the printer takes PDF (a
    PDF file, or a CUPS queue), else their rendered pages. Returns the pages printed."""
    if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat and printer.outputFileName():
        return write_pdfs(sources, Path(printer.outputFileName()))
    lp = shutil.which("lp")
    if lp is not None and printer.printerName():
        return send_to_cups(sources, PrintChoices.of(printer), lp, title=title)
    return render_pdfs(sources, printer)


def _readers(sources: Sequence[PdfSource]) -> list[tuple[bytes, PdfReader]]:
    """Each PDF's bytes and a reader over them; PrintError, naming the PDF, for one that cannot be read."""
    opened = []
    for source in sources:
        name = "the copy" if isinstance(source, bytes) else Path(source).name
        try:
            data = source if isinstance(source, bytes) else Path(source).read_bytes()
            reader = PdfReader(io.BytesIO(data))
            if len(reader.pages) == 0:
                raise PrintError(f"Could not open {name} for printing (it has no pages).")
        except (OSError, PyPdfError, ValueError) as exc:
            raise PrintError(f"Could not open {name} for printing ({type(exc).__name__}).") from exc
        opened.append((data, reader))
    return opened


def joined_pdf(sources: Sequence[PdfSource]) -> tuple[bytes, int]:
    """The PDFs as one PDF, page for page and still as text and vector drawing (never rendered), and its pages."""
    opened = _readers(sources)
    if len(opened) == 1:
        data, reader = opened[0]
        return data, len(reader.pages)
    writer = PdfWriter()
    for _data, reader in opened:
        writer.append(reader)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), sum(len(reader.pages) for _data, reader in opened)


def write_pdfs(sources: Sequence[PdfSource], out_path: Path) -> int:
    """A PDF file as the printer ("print to file", and the tests): the PDFs themselves, joined; the pages."""
    data, pages = joined_pdf(sources)
    out_path.write_bytes(data)
    return pages


@dataclass(frozen=True)
class PrintChoices:
    """What the print dialog chose that a CUPS queue is told: the printer, copies, two-sided, black and white."""

    printer_name: str
    copies: int = 1
    sides: str = ""  # "", "two-sided-long-edge" or "two-sided-short-edge"
    monochrome: bool = False

    @classmethod
    def of(cls, printer: QPrinter) -> PrintChoices:
        sides = {QPrinter.DuplexMode.DuplexLongSide: "two-sided-long-edge",
                 QPrinter.DuplexMode.DuplexShortSide: "two-sided-short-edge"}.get(printer.duplex(), "")
        return cls(printer.printerName(), max(1, printer.copyCount()), sides,
                   printer.colorMode() == QPrinter.ColorMode.GrayScale)


def lp_command(lp: str, choices: PrintChoices, *, title: str) -> list[str]:
    """The `lp` command that queues a PDF read from its standard input, as the print dialog chose."""
    command = [lp, "-d", choices.printer_name, "-t", title, "-n", str(choices.copies)]
    if choices.sides:
        command += ["-o", f"sides={choices.sides}"]
    if choices.monochrome:
        command += ["-o", "print-color-mode=monochrome"]
    return [*command, "--", "-"]


def send_to_cups(sources: Sequence[PdfSource], choices: PrintChoices, lp: str, *, title: str) -> int:
    """Queue the PDFs on a CUPS printer, joined into one job so the copies come out together and in order; the
    pages sent. The job goes to `lp` on its standard input: no file is written."""
    data, pages = joined_pdf(sources)
    name = choices.printer_name
    try:
        done = subprocess.run(lp_command(lp, choices, title=title), input=data, capture_output=True,
                              timeout=LP_TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PrintError(f"The job could not be sent to the printer {name} ({exc}). Check the printer is set up "
                         "on this laptop and try again.") from exc
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip() or f"lp stopped with code {done.returncode}"
        raise PrintError(f"The printer {name} did not take the job: {said}")
    return pages


def print_to_pdf_file(sources: Sequence[PdfSource], out_path: Path, *, dpi: int = 150) -> int:
    """The print path with a PDF file as the printer (tests, and "print to file"); returns the pages printed."""
    printer = prepare_printer(QPrinter(QPrinter.PrinterMode.HighResolution))
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out_path))
    printer.setResolution(dpi)
    return print_pdfs(sources, printer)


def _run_dialog(dialog: QPrintDialog) -> bool:
    return dialog.exec() == QPrintDialog.DialogCode.Accepted


SIGNED_COPIES_TITLE = "Print signed review copies"
SAVED_COPY_TITLE = "Print a saved copy again"
READING_COPY_TITLE = "Print a draft to read through"
PRE_VISIT_TITLE = "Print the pre-visit pack"
BLANK_FORM_TITLE = "Print a blank paper review form"


def delivery_channel(printer: QPrinter) -> str:
    """How a print hands a copy over, as a delivery records it: "saved" when the printer is a PDF file."""
    if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat and printer.outputFileName():
        return "saved"
    return "printed"


def print_with_dialog(sources: Sequence[PdfSource], parent: QWidget | None = None, *, title: str,
                      run_dialog: Callable[[QPrintDialog], bool] = _run_dialog,
                      printed: Callable[[str], object] | None = None) -> int:
    """Ask the user for a printer with Qt's print dialog, then print; returns pages printed (0 if cancelled).

    `title` names what is being printed (signed copies, a pre-visit pack, a blank form...): it has no default, as
    one fixed title ("Print review copies") misnamed every other document. `run_dialog` is how the dialog is
    shown; tests replace it rather than face a modal dialog. `printed` is told the delivery channel ("printed",
    or "saved" for a PDF file) once the job was taken: never after a cancel or a printer's refusal (PrintError).
    """
    printer = prepare_printer(QPrinter(QPrinter.PrinterMode.HighResolution))
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(title)
    if not run_dialog(dialog):
        return 0
    pages = print_pdfs(sources, printer, title=title.removeprefix("Print ").capitalize())
    if printed is not None and pages:
        printed(delivery_channel(printer))
    return pages


def print_review(store: Store, document: ReviewDocument, copies: Sequence[Copy], parent: QWidget | None = None,
                 *, settings: ReportSettings | None = None,
                 run_dialog: Callable[[QPrintDialog], bool] = _run_dialog) -> tuple[list[str], int]:
    """The print action of a finalised review: keep the chosen copies in the encrypted store, then print them
    through the dialog. Returns the ids of the copies kept and the pages printed. No file is written.

    A draft or tampered review raises ReviewPdfError before anything is kept or printed.
    """
    rendered = render_review_copies(document, copies, settings)
    ids = keep_review_copies(store, document, rendered).value

    def delivered(channel: str) -> None:  # each copy printed is a delivery, synced to the office
        record_delivery(store, review_id=document.review_id, learner_id=document.learner_id,
                        copies=[copy for copy, _pdf in rendered], channel=channel)

    return ids, print_with_dialog([pdf for _copy, pdf in rendered], parent, title=SIGNED_COPIES_TITLE,
                                  run_dialog=run_dialog, printed=delivered)
