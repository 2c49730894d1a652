"""The choice made before printing signed copies: which copies, and where the saved files go.

On site an assessor usually wants all three (learner, employer, provider); a reprint for an employer who lost theirs
wants one. The files are always saved, in the learner's folder unless the assessor picks another folder (a USB stick
the employer takes away, say), because a jammed printer must not be the only record of what was handed over.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reviewapp.reports.review_pdf import COPY_NAMES, Copy


@dataclass(frozen=True)
class PrintOptions:
    copies: tuple[Copy, ...]
    #: Where to save the copies (each in a folder named after the learner); None for the data directory's.
    out_dir: Path | None = None


class PrintOptionsDialog(QDialog):
    """Tick the copies to print; optionally choose where they are saved. OK saves them and opens the print dialog."""

    def __init__(self, default_folder: Path, parent: QWidget | None = None,
                 copies: Sequence[Copy] = ("learner", "employer", "provider")) -> None:
        super().__init__(parent)
        self.setWindowTitle("Print signed copies")
        self.default_folder = default_folder
        self.out_dir: Path | None = None
        group = QGroupBox("Copies to save and print")
        group_layout = QVBoxLayout(group)
        self.boxes: dict[Copy, QCheckBox] = {}
        for copy in copies:
            box = QCheckBox(f"&{COPY_NAMES[copy]}")
            box.setChecked(True)
            box.setAccessibleName(COPY_NAMES[copy])
            box.toggled.connect(self._update)
            group_layout.addWidget(box)
            self.boxes[copy] = box
        self.folder_label = QLabel()
        self.folder_label.setWordWrap(True)
        choose = QPushButton("Save &in another folder…")
        choose.setToolTip("For example a USB stick; the copies go in a folder named after the learner")
        choose.clicked.connect(self._choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_label, 1)
        folder_row.addWidget(choose)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Save and print…")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(group)
        layout.addLayout(folder_row)
        layout.addWidget(self.buttons)
        self._update()

    def options(self) -> PrintOptions:
        return PrintOptions(tuple(copy for copy, box in self.boxes.items() if box.isChecked()), self.out_dir)

    def _update(self) -> None:
        folder = self.out_dir or self.default_folder
        self.folder_label.setText(f"Saved in: {folder}")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.options().copies))

    def _choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Save the copies in", str(self.out_dir or Path.home()))
        if chosen:
            self.out_dir = Path(chosen)
            self._update()
