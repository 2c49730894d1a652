"""Revs commit in order: a reader paging with `since` while several writers commit never steps past a row.

PostgreSQL only (SQLite has a single writer anyway). Writers go through the real push path, and each holds its
transaction open a little after its revs are assigned, so an out-of-order commit would show up as a skipped row.
"""

from __future__ import annotations

import random
import threading
import time

from server_testkit import Server

from sync.protocol import PushChange
from sync.server.db import new_id, transaction
from sync.server.scope import Caller
from sync.server.sync_pull import pull_page
from sync.server.sync_push import push_changes

WRITERS = 4
CHANGES_PER_WRITER = 25


def test_paging_reader_never_skips_a_row_under_concurrent_writers(postgres_url: str) -> None:
    server = Server(postgres_url)
    try:
        user_id = server.add_user("meg", role="manager")
        learner = server.add_learner(None)
        caller = Caller(user_id=user_id, username="meg", role="manager", device_id="d")
        created: list[str] = []
        lock = threading.Lock()
        errors: list[BaseException] = []

        def write(seed: int) -> None:
            rng = random.Random(seed)
            try:
                for i in range(CHANGES_PER_WRITER):
                    record_id = new_id()
                    change = PushChange(change_id=new_id(), entity="plan_item", id=record_id, op="create",
                                        fields={"learner_id": learner, "title": f"Item {seed}-{i}"})
                    with transaction(server.factory) as session:
                        [result] = push_changes(session, caller, [change])
                        assert result.status == "applied"
                        time.sleep(rng.uniform(0, 0.01))  # commit late, while others wait for the lock
                    with lock:
                        created.append(record_id)
            except BaseException as error:  # surfaced below
                errors.append(error)

        threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
        seen: set[str] = set()
        cursor = 0
        for thread in threads:
            thread.start()
        while any(t.is_alive() for t in threads):
            with transaction(server.factory) as session:
                changes, cursor, _ = pull_page(session, caller, cursor, 7)
            seen.update(c.id for c in changes if c.entity == "plan_item")
            time.sleep(0.002)
        for thread in threads:
            thread.join()
        assert not errors, errors
        more = True
        while more:
            with transaction(server.factory) as session:
                changes, cursor, more = pull_page(session, caller, cursor, 50)
            seen.update(c.id for c in changes if c.entity == "plan_item")
        assert len(created) == WRITERS * CHANGES_PER_WRITER
        assert set(created) == seen
    finally:
        server.close()
