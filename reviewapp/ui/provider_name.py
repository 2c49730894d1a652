"""Asking for the provider's name, which heads every printed copy.

Until it is set, each copy the learner and employer take away says only "Apprenticeship training provider"; few
assessors would find the setting before printing on their first visit. So the laptop app asks for the name when it
starts without one (the demo names its own provider), and the print options say so while it is still missing.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QVBoxLayout, QWidget

from reviewapp.core.documents import DEFAULT_PROVIDER_NAME
from reviewapp.ui.plain_label import plain_label

PROVIDER_NAME_MISSING = (f"The provider's name is not set, so every copy will be headed “{DEFAULT_PROVIDER_NAME}”. "
                         "Set it under File › Provider settings.")


class ProviderNameDialog(QDialog):
    """One field: the training provider's name. Save is offered only once something is typed; Not now leaves the
    placeholder, and the app asks again at its next start."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Your training provider's name")
        self.name = QLineEdit()
        self.name.setAccessibleName("Provider name")
        self.name.setPlaceholderText("For example, Northfield Training Ltd")
        explanation = plain_label("The name printed at the top of every copy of a review, which the learner and "
                                  "the employer keep. You can change it later under File › Provider settings.",
                                  wrap=True)
        form = QFormLayout()
        form.addRow("Provider &name:", self.name)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save)
        self.later = self.buttons.addButton("Not &now", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)
        self.name.textChanged.connect(self._update)
        self._update()

    def chosen_name(self) -> str:
        return self.name.text().strip()

    def _update(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(bool(self.chosen_name()))
