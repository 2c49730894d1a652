"""Types into a real review wizard forever, reporting each keystroke, until it is killed (by the kill -9 test).

    python tests/ui/autosave_driver.py DATA_DIR REVIEW_ID

Each line printed is `TYPED <question id> <answer so far as JSON> <monotonic seconds>`, flushed, after the
keystroke has been delivered to the widget.
"""

import json
import sys
import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from reviewapp.store.database import Store
from reviewapp.ui.wizard.review_wizard import ReviewWizard

FIELDS = ("visit_location", "evidence_notes", "employer_rep_name", "employer_rep_role")
WORDS = "The learner showed the stock rota she built and explained how she checked it with the team "


def main() -> None:
    app = QApplication(sys.argv[:1])
    store = Store.open(sys.argv[1])
    wizard = ReviewWizard(store, sys.argv[2])
    wizard.show_error = lambda title, text: print("ERROR", title, text, flush=True)
    wizard.show()
    state = {"field": 0, "char": 0}

    def type_one() -> None:
        question_id = FIELDS[state["field"] % len(FIELDS)]
        editor = wizard.editors[question_id]
        widget = editor.focus_widget()
        if not widget.hasFocus():
            widget.setFocus()
        QTest.keyClick(widget, WORDS[state["char"] % len(WORDS)])
        state["char"] += 1
        print("TYPED", question_id, json.dumps(editor.value()), time.monotonic(), flush=True)
        if state["char"] % 25 == 0:  # move on to the next field now and then, as a person does
            state["field"] += 1
        QTimer.singleShot(40, type_one)

    QTimer.singleShot(200, type_one)
    wizard.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    app.exec()


if __name__ == "__main__":
    main()
