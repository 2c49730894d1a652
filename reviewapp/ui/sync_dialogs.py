"""Small sync dialogs: server settings, signing in, the first-run choice, and the sync log.

Each is a plain QDialog with its values readable after `accept()`, so the controller opens them through methods
tests replace (no blocking `exec()` inside a test).
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from reviewapp.ui.field_width import LONG_SERVER_ADDRESS, fit_field_to
from reviewapp.ui.plain_label import plain_label
from reviewapp.ui.window_fit import fit_window


class SyncSettingsDialog(QDialog):
    def __init__(self, server_url: str, username: str, interval_minutes: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sync settings")
        self.server_url = QLineEdit(server_url)
        self.server_url.setPlaceholderText("https://reviews.provider.example")
        self.server_url.setAccessibleName("Server address")
        fit_field_to(self.server_url, LONG_SERVER_ADDRESS)  # the whole address shows, to be checked by eye
        self.username = QLineEdit(username)
        self.interval = QSpinBox()
        self.interval.setRange(0, 24 * 60)
        self.interval.setSuffix(" minutes")
        self.interval.setSpecialValueText("Only when I ask")
        self.interval.setValue(interval_minutes)
        form = QFormLayout(self)
        form.addRow("&Server address:", self.server_url)
        form.addRow("&Username:", self.username)
        form.addRow("Sync &every:", self.interval)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        fit_window(self, "sync_settings", self.sizeHint())


class LoginDialog(QDialog):
    """Asks for the password once; it is handed to the sync client and never stored."""

    def __init__(
        self, server_url: str, username: str, message: str = "", parent: QWidget | None = None,
        device_name: str | None = None,
    ) -> None:
        """`device_name` (at this laptop's first sign-in only) offers a name for it that the admin will see."""
        super().__init__(parent)
        self.setWindowTitle("Sign in to the ReviewApp server")
        self.username = QLineEdit(username)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.device_name: QLineEdit | None = None
        form = QFormLayout(self)
        if message:
            form.addRow(plain_label(message, wrap=True))
        # Wrapped, so an address longer than the screen is wide breaks onto a second line instead of widening
        # the dialog off the screen.
        self.server_label = plain_label(server_url, wrap=True)
        self.server_label.setAccessibleName("Server address")
        form.addRow("Server:", self.server_label)
        form.addRow("&Username:", self.username)
        form.addRow("&Password:", self.password)
        if device_name is not None:
            self.device_name = QLineEdit(device_name)
            self.device_name.setToolTip("The name your admin sees for this laptop, for example \"Sam's ThinkPad\".")
            form.addRow("This &laptop's name:", self.device_name)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        # Wide enough, where the screen allows, for a long address on one line beside its label.
        roomy = QSize(self.fontMetrics().horizontalAdvance(f"Server:  {LONG_SERVER_ADDRESS}") + 60, 0)
        fit_window(self, "sign_in", self.sizeHint().expandedTo(roomy))


class NewPasswordDialog(QDialog):
    """Asks for a new password, twice, after the server said an admin reset the old one. OK only once both match."""

    def __init__(self, message: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Choose a new password")
        self.password = QLineEdit()
        self.again = QLineEdit()
        for field in (self.password, self.again):
            field.setEchoMode(QLineEdit.EchoMode.Password)
        self.problem = QLabel("")
        form = QFormLayout(self)
        form.addRow(plain_label(message or "An admin has reset your password: choose a new one to sign in."))
        form.addRow(QLabel("At least 12 characters; a few unrelated words make a good one."))
        form.addRow("&New password:", self.password)
        form.addRow("&Again:", self.again)
        form.addRow(self.problem)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._accept_if_same)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        fit_window(self, "new_password", self.sizeHint())

    def _accept_if_same(self) -> None:
        if self.password.text() != self.again.text():
            self.problem.setText("The two passwords differ: type them again.")
            return
        self.accept()


class FirstRunDialog(QDialog):
    """The first start: connect to the provider's server, or try the demo caseload."""

    CONNECT, DEMO = "connect", "demo"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to ReviewApp")
        self.choice = ""
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Connect to your provider's ReviewApp server to download your caseload, "
                                "or try the app with a made-up demo caseload."))
        connect = QPushButton("&Connect to a server…")
        demo = QPushButton("Try the &demo caseload")
        connect.clicked.connect(lambda: self._choose(self.CONNECT))
        demo.clicked.connect(lambda: self._choose(self.DEMO))
        layout.addWidget(connect)
        layout.addWidget(demo)
        fit_window(self, "first_run", self.sizeHint())

    def _choose(self, choice: str) -> None:
        self.choice = choice
        self.accept()


class SyncLogDialog(QDialog):
    def __init__(self, lines: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sync log")
        self.text = QPlainTextEdit("\n".join(lines) or "Nothing has been synced since ReviewApp started.")
        self.text.setAccessibleName("Sync log")
        earlier = QLabel("Syncs of earlier sessions are in the log files (Help → Open log folder).")
        self.text.setReadOnly(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(earlier)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        fit_window(self, "sync_log", QSize(700, 400))
