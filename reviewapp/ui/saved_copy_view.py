"""A saved copy shown inside ReviewApp, read from the encrypted store into memory.

Opening it in the desktop's PDF viewer would need a plain file on disk, which is what keeping the copies in the
store avoids; QtPdf shows the bytes from memory instead.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from reviewapp.core.documents import DEFAULT_PROVIDER_NAME
from reviewapp.ui.plain_label import plain_label
from reviewapp.ui.window_fit import fit_window

#: Said over a copy headed by the placeholder, which its reader may take for a missing provider.
PLACEHOLDER_COPY_NOTE = (f"This copy is headed “{DEFAULT_PROVIDER_NAME}”: the provider's name was not set when it "
                         "was made. Set it under File › Provider settings; copies made after that carry it.")


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
        self.placeholder_note = plain_label(PLACEHOLDER_COPY_NOTE, wrap=True)
        self.placeholder_note.setStyleSheet("color: #8a4b00")
        self.placeholder_note.setVisible(self.headed_by_placeholder())
        layout.addWidget(self.placeholder_note)
        layout.addWidget(self.view, stretch=1)
        layout.addWidget(buttons)
        fit_window(self, "saved_copy", QSize(720, 860))

    def pages(self) -> int:
        return self.document.pageCount()

    def headed_by_placeholder(self) -> bool:
        """Whether the copy was made without the provider's name: every PDF the app makes names the provider it
        is headed by as its author (`reports.layout.build_pdf`), so the copy itself says, whatever the setting is
        now."""
        author = self.document.metaData(QPdfDocument.MetaDataField.Author)
        return str(author or "").strip() == DEFAULT_PROVIDER_NAME
