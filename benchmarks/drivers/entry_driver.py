"""Types a review into a real wizard, as a person does, until it is killed (by benchmarks/crash_trials.py).

    python benchmarks/drivers/entry_driver.py DATA_DIR REVIEW_ID SEED

Built on tests/ui/autosave_driver.py, with a person's uneven pace (20-120 ms between keys, pauses now and then)
and fields visited in a random order, so kills land at every point of the autosave cycle. Each line printed is
`TYPED <question id> <answer so far as JSON> <monotonic seconds>`, flushed after the key reached the widget.
"""

import json
import random
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from reviewapp.store.database import Store
from reviewapp.ui.wizard.review_wizard import ReviewWizard

FIELDS = ("visit_location", "evidence_notes", "employer_rep_name", "employer_rep_role")
WORDS = "The learner showed the stock rota she built and explained how she checked it with the team. "


def main() -> None:
    app = QApplication(sys.argv[:1])
    store = Store.open(sys.argv[1])
    wizard = ReviewWizard(store, sys.argv[2])
    rng = random.Random(int(sys.argv[3]))
    wizard.show_error = lambda title, text: print("ERROR", title, text, flush=True)
    wizard.show()
    state = {"field": rng.choice(FIELDS), "left": rng.randint(5, 40), "char": rng.randrange(len(WORDS))}

    def type_one() -> None:
        editor = wizard.editors[state["field"]]
        widget = editor.focus_widget()
        if not widget.hasFocus():
            widget.setFocus()
        QTest.keyClick(widget, WORDS[state["char"] % len(WORDS)])
        state["char"] += 1
        print("TYPED", state["field"], json.dumps(editor.value()), time.monotonic(), flush=True)
        state["left"] -= 1
        if state["left"] <= 0:  # on to another field, as a person does
            state["field"], state["left"] = rng.choice(FIELDS), rng.randint(5, 40)
        pause = rng.randint(20, 120) if rng.random() > 0.05 else rng.randint(300, 900)
        QTimer.singleShot(pause, type_one)

    QTimer.singleShot(100, type_one)
    print("READY", time.monotonic(), flush=True)
    app.exec()


if __name__ == "__main__":
    main()
