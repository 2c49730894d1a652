"""Review wizard: opening it on a learner with 20 past reviews, and moving between its steps, as the user sees it.

    python benchmarks/wizard.py [--quick] [--past N] [--repeats N]

A learner of a demo caseload is given N finalised reviews (default 20: start, answers, three signatures, finalise,
through the store as the app does). The real MainWindow (offscreen) then opens the wizard through the entry points
it uses itself: `start_review` once (the draft made and shown), `open_review` on that draft after (the wizard
closed in between, as an assessor comes back to a draft), each timed from the call to the wizard painted (the event
queue drained). Moving between steps is a click on its Next button through every step and Back to the first, each
timed the same way. A bare QWidget shown and painted is the baseline. Targets: open <= 300 ms, a step <= 30 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from typing import Any

OPEN_TARGET_MS = 300.0
STEP_TARGET_MS = 30.0


def give_past_reviews(store: Any, learner_id: str, count: int, today: dt.date) -> None:
    """`count` finalised reviews for the learner, a month apart up to `today`, made as the wizard makes them."""
    from reviewapp.core.templates import available_templates, load_template
    from reviewapp.selftest import scripted_answers
    from reviewapp.store import reviews

    template = load_template(available_templates()[0][0])
    for number in range(count):
        visit = today - dt.timedelta(days=30 * (count - number))
        review_id = reviews.start_draft(store, learner_id, template, visit)
        with store.read() as session:
            context = reviews.review_context(session, learner_id, review_id)
        answers = scripted_answers(context, visit)
        answers["next_review_change_reason"] = "Employer's site closed that week"  # asked when not as proposed
        reviews.save_answers(store, review_id, answers)
        for role, name in (("learner", "Zoë Ødegård"), ("employer", "Tom Clarke"), ("assessor", "Alex Morgan")):
            reviews.save_signature(store, review_id, role, name=name, image_png="iVBORw0KGgo=",
                                   strokes=[[[0, 0], [10, 5]]])
        reviews.finalise(store, review_id, template)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 past reviews and 2 opens instead of 20 and 8")
    parser.add_argument("--past", type=int, help="finalised reviews the learner has (default 20)")
    parser.add_argument("--repeats", type=int, help="opens of the draft timed (default 8)")
    parser.add_argument("--learners", type=int, default=200)
    args = parser.parse_args(argv)
    past = args.past if args.past is not None else (5 if args.quick else 20)
    repeats = args.repeats or (2 if args.quick else 8)

    from benchlib import BENCH_TODAY, could_not_run, make_caseload, median, ms, p95, scratch, verdict

    with scratch("wizard") as root:
        data_dir = root / "data"
        make_caseload(data_dir, args.learners)

        from PySide6.QtWidgets import QApplication, QPushButton, QWidget
        from sqlalchemy import select

        from reviewapp.store.database import Store
        from reviewapp.store.models import Learner
        from reviewapp.ui.main_window import MainWindow

        app = QApplication.instance() or QApplication(sys.argv[:1])
        store = Store.open(data_dir, "demo")
        with store.read() as session:
            learner_id = session.scalars(select(Learner.id).where(Learner.status == "active")).first()
        if learner_id is None:
            return could_not_run("wizard", "the demo caseload has no active learner")
        try:
            give_past_reviews(store, learner_id, past, BENCH_TODAY)
        except Exception as exc:  # a benchmark that cannot make its data measures nothing
            return could_not_run("wizard", f"could not finalise the past reviews: {exc!r}")

        window = MainWindow(store, today=lambda: BENCH_TODAY)
        window.offer_resume_drafts = lambda: None  # type: ignore[method-assign]
        window.show()
        loaded: list[bool] = []
        window.caseload_loaded.connect(lambda: loaded.append(True))
        window.refresh()
        deadline = time.monotonic() + 120
        while not loaded and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.005)
        if not loaded or not window.select_learner(learner_id):
            return could_not_run("wizard", "the caseload did not load, or the learner is not in it")
        app.processEvents()

        def timed(action: Any) -> tuple[float, Any]:
            started = time.perf_counter()
            result = action()
            app.processEvents()
            return time.perf_counter() - started, result

        def close(wizard: QWidget) -> None:
            wizard.close()
            for _ in range(5):
                app.processEvents()

        first_open, wizard = timed(window.start_review)
        if wizard is None:
            return could_not_run("wizard", "start_review opened no wizard")
        review_id = wizard.review_id
        close(wizard)
        opens: list[float] = []
        for _ in range(repeats):
            seconds, wizard = timed(lambda: window.open_review(review_id))
            opens.append(seconds)
            close(wizard)

        wizard = window.open_review(review_id)
        app.processEvents()
        buttons = {word: b for b in wizard.findChildren(QPushButton) for word in b.text().replace("&", "").split()}
        next_button, back_button = buttons.get("Next"), buttons.get("Back")
        if next_button is None or back_button is None:
            return could_not_run("wizard", f"no Next and Back buttons in the wizard (found {sorted(buttons)})")
        steps: list[float] = []
        for button in (next_button, back_button, next_button, back_button):
            while button.isEnabled() and len(steps) < 400:
                steps.append(timed(button.click)[0])
        close(wizard)

        bare: list[float] = []
        for _ in range(repeats):
            widget = QWidget()
            widget.resize(900, 700)
            seconds, _ = timed(widget.show)
            bare.append(seconds)
            widget.close()
        window.close()
        store.close()

    if not steps:
        return could_not_run("wizard", "no step was moved")
    open_met = median(opens) * 1000 <= OPEN_TARGET_MS and first_open * 1000 <= OPEN_TARGET_MS
    step_met = p95(steps) * 1000 <= STEP_TARGET_MS
    print(f"learner with {past} finalised reviews; {len(steps)} step moves; bare QWidget shown in "
          f"{ms(median(bare))}")
    print(f"  start_review (draft made and shown): {ms(first_open)}")
    print(f"  open_review on the draft: median {ms(median(opens))}, max {ms(max(opens))} ({len(opens)} opens)")
    print(f"  step (Next/Back): median {ms(median(steps))}, p95 {ms(p95(steps))}, max {ms(max(steps))}")
    print(f"wizard: open median {ms(median(opens))} (first {ms(first_open)}; target <= {OPEN_TARGET_MS:.0f} ms: "
          f"{verdict(open_met)}), step median {ms(median(steps))}, p95 {ms(p95(steps))} "
          f"(target <= {STEP_TARGET_MS:.0f} ms: {verdict(step_met)}) with {past} past reviews")
    return 0


if __name__ == "__main__":
    sys.exit(main())
