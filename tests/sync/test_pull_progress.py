"""A pull says how far it has got: "1,200 of 6,001 records · about 40 s left" (issue 19 item 3).

The server tells the total once per sync, when asked (`count=1` on the first page); a laptop that does not ask
never meets the field, so older laptops keep working.
"""

from __future__ import annotations

import re
from typing import Any

from reviewapp.sync_client.progress import PullProgress
from reviewapp.sync_client.tokens import load_token


class _Page:
    def __init__(self, changes: int, remaining: int | None = None) -> None:
        self.changes = [object()] * changes
        self.remaining = remaining


def test_the_text_says_records_so_far_of_the_total_and_the_time_left() -> None:
    now = {"t": 0.0}
    progress = PullProgress(clock=lambda: now["t"])
    assert progress.text() == ""  # the total not known yet
    now["t"] = 10.0
    progress.received([(_Page(500, remaining=5501), None), (_Page(700), None)])
    assert progress.text() == "1,200 of 6,001 records · about 40 s left"
    now["t"] = 50.0
    progress.received([(_Page(4801), None)])
    assert progress.text() == "6,001 of 6,001 records"


def test_a_sync_reports_the_servers_total(world: dict[str, Any]) -> None:
    alice = world["laptop"]("alice", page_size=2)
    seen: list[tuple[int, int, str]] = []
    summary = alice.client.sync(progress=lambda done, total, text="": seen.append((done, total, text)))
    pulls = [item for item in seen if " records" in item[2]]
    assert pulls and summary.pages >= 2, seen  # several pages; those that name each other are applied together
    assert all(total == summary.pulled for _done, total, _text in pulls), seen
    assert pulls[-1][:2] == (summary.pulled, summary.pulled)
    assert all(re.fullmatch(r"[\d,]+ of [\d,]+ records( · about \d+ (s|min) left)?", text) for *_, text in pulls)


def test_a_laptop_that_does_not_ask_never_meets_the_field(world: dict[str, Any]) -> None:
    alice = world["laptop"]("alice")
    token = load_token(alice.store, world["server"].url)
    headers = {"Authorization": f"Bearer {token}"}
    plain = alice.client.http.get("/api/v1/sync/pull", params={"since": 0, "limit": 2}, headers=headers)
    asked = alice.client.http.get("/api/v1/sync/pull", params={"since": 0, "limit": 2, "count": "true"},
                                  headers=headers)
    assert plain.status_code == asked.status_code == 200
    assert "remaining" not in plain.json()
    assert asked.json()["remaining"] > 0 and asked.json()["more"] is True
