"""Opens a real review wizard on whatever screen the offscreen platform was given, and reports where it lands.

    QT_QPA_PLATFORM=offscreen:configfile=SCREEN.json python tests/ui/screen_fit_driver.py DATA_DIR REVIEW_ID

Prints one JSON line: the screen's available area, the main window's and the wizard's frames, and the Finalise
button's place on screen on every step, for a first open and for a second open after the wizard was moved.
"""

import json
import sys

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication, QWidget

from reviewapp.store.database import Store
from reviewapp.ui.main_window import MainWindow
from reviewapp.ui.wizard.review_wizard import ReviewWizard


def rect(r: QRect) -> list[int]:
    return [r.x(), r.y(), r.width(), r.height()]


def on_screen(widget: QWidget) -> list[int]:
    return rect(QRect(widget.mapToGlobal(widget.rect().topLeft()), widget.size()))


def open_wizard(app: QApplication, store: Store, review_id: str) -> tuple[ReviewWizard, dict]:
    wizard = ReviewWizard(store, review_id)
    wizard.show()
    app.processEvents()
    buttons = []
    for step in range(wizard.pages.count()):
        wizard.go_to(step)
        app.processEvents()
        buttons.append(on_screen(wizard.finalise_button))
    return wizard, {"frame": rect(wizard.frameGeometry()), "finalise": buttons,
                    "minimum": [wizard.minimumSizeHint().width(), wizard.minimumSizeHint().height()]}


def main() -> None:
    app = QApplication(sys.argv[:1])
    store = Store.open(sys.argv[1])
    window = MainWindow(store)
    window.show()
    app.processEvents()
    report = {"available": rect(app.primaryScreen().availableGeometry()), "main": rect(window.frameGeometry())}
    wizard, report["first"] = open_wizard(app, store, sys.argv[2])
    wizard.setGeometry(40, 30, 900, 500)  # where the assessor put it
    app.processEvents()
    report["moved_to"] = rect(wizard.geometry())
    wizard.close()
    second, report["second"] = open_wizard(app, store, sys.argv[2])
    report["second_geometry"] = rect(second.geometry())
    second.close()
    window.close()
    store.close()
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
