"""The choice made before printing signed copies: which copies to keep and print.

On site an assessor usually wants all three (learner, employer, provider); a reprint for an employer who lost theirs
wants one. The copies are always kept, because a jammed printer must not be the only record of what was handed
over; they are kept inside the encrypted caseload, never as files, since they carry welfare answers. The dialog says
so, and where a file can be had instead (an export from the learner's saved copies, which is then unprotected).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QVBoxLayout,
    QWidget,
)

from reviewapp.core.documents import ReportSettings
from reviewapp.reports.review_pdf import COPY_NAMES, Copy
from reviewapp.ui.plain_label import plain_label
from reviewapp.ui.provider_name import PROVIDER_NAME_MISSING
from reviewapp.ui.window_fit import fit_window


@dataclass(frozen=True)
class PrintOptions:
    copies: tuple[Copy, ...]


def where_copies_are_kept(learner_name: str) -> str:
    return (f"The copies are kept encrypted in this laptop's caseload, with {learner_name}'s saved copies "
            "(under the review history); no file is written. To give someone a file, export a saved copy "
            "from there: an exported file is not protected.")


class PrintOptionsDialog(QDialog):
    """Tick the copies to print. OK keeps them in the store and opens the print dialog. With `settings` whose
    provider name was never set, the dialog says so before the copies are printed with the placeholder."""

    def __init__(self, learner_name: str, parent: QWidget | None = None,
                 copies: Sequence[Copy] = ("learner", "employer", "provider"),
                 settings: ReportSettings | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Print signed copies")
        group = QGroupBox("Copies to keep and print")
        group_layout = QVBoxLayout(group)
        self.boxes: dict[Copy, QCheckBox] = {}
        for copy in copies:
            box = QCheckBox(f"&{COPY_NAMES[copy]}")
            box.setChecked(True)
            box.setAccessibleName(COPY_NAMES[copy])
            box.toggled.connect(self._update)
            group_layout.addWidget(box)
            self.boxes[copy] = box
        self.kept_label = plain_label(where_copies_are_kept(learner_name), wrap=True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Keep and print…")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(group)
        layout.addWidget(self.kept_label)
        self.provider_note = plain_label(PROVIDER_NAME_MISSING, wrap=True)
        self.provider_note.setStyleSheet("color: #8a4b00")
        self.provider_note.setVisible(settings is not None and not settings.provider_named)
        layout.addWidget(self.provider_note)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(440)
        self._update()
        fit_window(self, "print_options", self.sizeHint())

    def options(self) -> PrintOptions:
        return PrintOptions(tuple(copy for copy, box in self.boxes.items() if box.isChecked()))

    def _update(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.options().copies))
