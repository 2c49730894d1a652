"""A saved copy shown inside ReviewApp, read from the encrypted store into memory.

Opening it in the desktop's PDF viewer would need a plain file on disk, which is what keeping the copies in the
store avoids; QtPdf shows the bytes from memory instead.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from reviewapp.ui.window_fit import fit_window


class SavedCopyViewer(QDialog):
    """One saved copy, page after page, with nothing written to disk."""

    def __init__(self, title: str, pdf: bytes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._buffer = QBuffer(self)
        self._buffer.setData(QByteArray(pdf))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setAccessibleName(title)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Read from the encrypted caseload; nothing is written to disk."))
        layout.addWidget(self.view, stretch=1)
        layout.addWidget(buttons)
        fit_window(self, "saved_copy", QSize(720, 860))

    def pages(self) -> int:
        return self.document.pageCount()
