"""Printing review PDFs through Qt: the PDF pages rendered with QtPdf onto a QPrinter.

The PDF made by `reviewapp.reports` is the document of record, so printing renders those very bytes rather than
laying the review out a second time with Qt: what is printed is what is kept. Bytes are printed from memory, so a
copy kept in the encrypted store never passes through a plain file to be printed. The dialog is one function and
the rendering another, so tests print to a PDF file through exactly the code the print button uses, with no modal
dialog.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QWidget

from reviewapp.core.documents import ReportSettings, ReviewDocument
from reviewapp.reports.review_pdf import Copy
from reviewapp.reports.saving import keep_review_copies, render_review_copies

if TYPE_CHECKING:
    from reviewapp.store.database import Store

#: A PDF to print: a file, or the bytes of one (a copy kept in the store).
PdfSource = Path | bytes

#: Pages are rasterised at the printer's resolution, but never finer than this: 300 dpi is sharp for text and a
#: signature, while a 1200 dpi A4 page would be a 500 MB image.
MAX_RENDER_DPI = 300


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


def print_to_pdf_file(sources: Sequence[PdfSource], out_path: Path, *, dpi: int = 150) -> int:
    """The print path with a PDF file as the printer (tests, and "print to file"); returns the pages printed."""
    printer = prepare_printer(QPrinter(QPrinter.PrinterMode.HighResolution))
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out_path))
    printer.setResolution(dpi)
    return render_pdfs(sources, printer)


def _run_dialog(dialog: QPrintDialog) -> bool:
    return dialog.exec() == QPrintDialog.DialogCode.Accepted


SIGNED_COPIES_TITLE = "Print signed review copies"
SAVED_COPY_TITLE = "Print a saved copy again"
READING_COPY_TITLE = "Print a draft to read through"
PRE_VISIT_TITLE = "Print the pre-visit pack"
BLANK_FORM_TITLE = "Print a blank paper review form"


def print_with_dialog(sources: Sequence[PdfSource], parent: QWidget | None = None, *, title: str,
                      run_dialog: Callable[[QPrintDialog], bool] = _run_dialog) -> int:
    """Ask the user for a printer with Qt's print dialog, then print; returns pages printed (0 if cancelled).

    `title` names what is being printed (signed copies, a pre-visit pack, a blank form...): it has no default, as
    one fixed title ("Print review copies") misnamed every other document. `run_dialog` is how the dialog is
    shown; tests replace it rather than face a modal dialog.
    """
    printer = prepare_printer(QPrinter(QPrinter.PrinterMode.HighResolution))
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(title)
    if not run_dialog(dialog):
        return 0
    return render_pdfs(sources, printer)


def print_review(store: Store, document: ReviewDocument, copies: Sequence[Copy], parent: QWidget | None = None,
                 *, settings: ReportSettings | None = None,
                 run_dialog: Callable[[QPrintDialog], bool] = _run_dialog) -> tuple[list[str], int]:
    """The print action of a finalised review: keep the chosen copies in the encrypted store, then print them
    through the dialog. Returns the ids of the copies kept and the pages printed. No file is written.

    A draft or tampered review raises ReviewPdfError before anything is kept or printed.
    """
    rendered = render_review_copies(document, copies, settings)
    ids = keep_review_copies(store, document, rendered)
    return ids, print_with_dialog([pdf for _copy, pdf in rendered], parent, title=SIGNED_COPIES_TITLE,
                                  run_dialog=run_dialog)
