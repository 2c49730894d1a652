"""The outbox's hooks watch the Store's own sessions only, not every SQLAlchemy session in the process.

The office server embedded in the demo runs in the laptop's process with tables of the same names (`learner` …):
its bulk writes must not be refused as if they bypassed the laptop's outbox.
"""

from __future__ import annotations

from sqlalchemy import Column, MetaData, String, Table, create_engine, insert, select
from sqlalchemy.orm import Session

import reviewapp.store.outbox  # noqa: F401 - the hooks are installed on import
from reviewapp.store.models import Learner


def test_another_session_in_the_process_may_write_a_table_named_like_a_synced_one() -> None:
    other = MetaData()
    learner = Table(Learner.__tablename__, other, Column("id", String, primary_key=True))
    engine = create_engine("sqlite://")
    other.create_all(engine)
    with Session(engine) as session:
        session.execute(insert(learner), [{"id": "a"}, {"id": "b"}])  # refused when the hooks watched every Session
        session.commit()
        assert session.scalars(select(learner.c.id)).all() == ["a", "b"]


def test_the_store_sessions_are_still_watched(store) -> None:  # type: ignore[no-untyped-def]
    from reviewapp.store.outbox import StoreSession

    with store.read() as session:
        assert isinstance(session, StoreSession)
