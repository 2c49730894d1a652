"""Targets are listed in one order everywhere (issue 18: it was decided in three places with two results): the
learner panel ordered by due date alone, so two targets due the same day came out in whatever order the file held
them, while the wizard, the printed copy and the pre-visit pack broke the tie by the target's words."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reviewapp.core.review_rules import target_order
from reviewapp.store import queries, reviews
from reviewapp.store.database import Store
from reviewapp.store.models import Learner, Target
from reviewapp.store.review_documents import load_pre_visit_pack

LEARNER_ID = "5f0c7f0e-0000-4000-8000-000000000002"
DUE = dt.date(2026, 12, 4)
# Stored in this order: the later words first, and one with no due date before both.
STORED = [("5f0c7f0e-0000-4000-8000-0000000000a3", "Write up the stock count", DUE),
          ("5f0c7f0e-0000-4000-8000-0000000000a1", "Shadow the buyer for a day", None),
          ("5f0c7f0e-0000-4000-8000-0000000000a2", "Book the first aid course", DUE)]
EXPECTED = ["Book the first aid course", "Write up the stock count", "Shadow the buyer for a day"]


def test_the_panel_the_wizard_and_the_pre_visit_pack_list_targets_in_core_order(tmp_path: Path) -> None:
    with Store.open(tmp_path / "data", "assessor1") as store:
        with store.apply_remote() as session:
            session.add(Learner(id=LEARNER_ID, rev=1, uln="1000000043", first_name="Ana", last_name="Lima",
                                start_date=dt.date(2026, 1, 5)))
            session.flush()
            for rev, (target_id, text, due) in enumerate(STORED, start=2):
                session.add(Target(id=target_id, rev=rev, learner_id=LEARNER_ID, text=text, due_date=due))
        with store.read() as session:
            detail = queries.learner_detail(session, LEARNER_ID)
            context = reviews.review_context(session, LEARNER_ID, "no-review-yet")
            pack = load_pre_visit_pack(session, LEARNER_ID)
    assert detail is not None and pack is not None
    assert [t.text for t in detail.open_targets] == EXPECTED  # the panel: by due date alone before
    assert [t.text for t in context.open_targets.values()] == EXPECTED  # the wizard's step
    assert [t.text for t in pack.open_targets.values()] == EXPECTED
    assert sorted(detail.open_targets, key=target_order) == list(detail.open_targets)
