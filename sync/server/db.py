"""Engines, sessions, and the one rule every writer follows: take the write lock, then hand out revs.

Revs must become visible in the order they were handed out, or a client paging with `since` could step past a
row committed late. So every transaction that assigns revs first takes a lock held until it commits:
`pg_advisory_xact_lock` on PostgreSQL, and on SQLite the database write lock (`BEGIN IMMEDIATE`, which this
module issues for every transaction). Readers need no lock: see `sync_pull.pull_page`.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from .models import ChangeLog, ServerState, utcnow

#: Arbitrary, fixed key of the PostgreSQL advisory lock that orders rev assignment.
REV_LOCK_KEY = 0x5E71E3A9
#: `session.info` key: the device's own time for the change being applied (PushChange.made_at), logged by next_rev.
DEVICE_TIME = "device_time"


def make_engine(database_url: str) -> Engine:
    """An engine for the URL; for SQLite, one that waits for the write lock instead of failing at once."""
    if database_url.startswith("sqlite"):
        engine = create_engine(database_url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            # Let SQLAlchemy, not pysqlite, say when transactions begin, so BEGIN IMMEDIATE below is honoured.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in database_url and "mode=memory" not in database_url:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection) -> None:  # type: ignore[no-untyped-def]
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if database_url.startswith("postgresql"):
        # No JIT: PostgreSQL compiles a query whose estimated cost passes jit_above_cost, which for the dashboard's
        # figures (tens of milliseconds each) took longer than running them: 65 ms to 1.5 s a query (issue 15).
        return create_engine(database_url, pool_pre_ping=True, connect_args={"options": "-c jit=off"})
    return create_engine(database_url, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commits when the block ends normally, rolls back otherwise."""
    with factory() as session, session.begin():
        yield session


#: How long a writer of many transactions in a row (the caseload import) leaves the write lock free between two of
#: them on SQLite. Waiters there do not queue: each polls the lock, sleeping up to 100 ms between tries (SQLite's
#: busy handler: 1, 2, 5, 10, 15, 20, 25 ms, ... then 50 and 100), so a writer that takes the lock again at once
#: would keep every push and pull waiting until it ended. 50 ms lets in every waiter that has waited less than
#: about a quarter of a second, i.e. anyone who arrived during the last chunk or two (a benchmark measured 0.12 s
#: too: no better for the pushes, a slower import). PostgreSQL queues waiters on the advisory lock, so no pause.
SQLITE_WRITER_PAUSE_S = 0.05


def let_waiters_in(factory: sessionmaker[Session]) -> None:
    """Between two transactions of a long writer: give waiting requests their turn at the write lock."""
    bind = factory.kw.get("bind")
    if bind is not None and bind.dialect.name == "sqlite":
        time.sleep(SQLITE_WRITER_PAUSE_S)


def without_commit_wait(session: Session) -> None:
    """Let this transaction's COMMIT return before PostgreSQL has flushed it to disk (`synchronous_commit` off, for
    this transaction only): for a bulk writer of many short transactions, the caseload import's chunks.

    Each chunk's commit otherwise waits for a WAL flush, and 100,000 learners are hundreds of chunks. What it
    risks is only durability, never consistency: if the database server itself crashes within a fraction of a
    second of a commit (wal_writer_delay), the last chunks are lost as a whole, the run's record of them with
    them, exactly as if the import had stopped there (its run stays "running"; `import-rollback` undoes it). A
    crash of the import process loses nothing committed. SQLite: nothing to do (WAL mode already commits quickly)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))


def take_write_lock(session: Session) -> None:
    """Serialise rev-assigning writers until this transaction ends (a no-op beyond BEGIN IMMEDIATE on SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": REV_LOCK_KEY})


def next_rev(
    session: Session, entity: str, record_id: str, op: str, user_id: str | None = None, device_id: str | None = None
) -> int:
    """Hand out the next server-wide rev and log what it is for. Call only after `take_write_lock`."""
    rev = session.execute(
        update(ServerState).where(ServerState.id == 1).values(last_rev=ServerState.last_rev + 1)
        .returning(ServerState.last_rev)
    ).scalar_one()
    session.add(ChangeLog(rev=rev, entity=entity, record_id=record_id, op=op, user_id=user_id, device_id=device_id,
                          device_time=session.info.get(DEVICE_TIME)))
    return rev


class RevBlock:
    """Revs handed out many at a time, for a bulk writer (the caseload import): one read of the sequence, one
    update and one many-row insert into the change log, instead of an UPDATE ... RETURNING and a flush per rev.

    Same rule as `next_rev`: open it only after `take_write_lock`, and `close` it in the same transaction.
    """

    def __init__(self, session: Session, by: str | None = None) -> None:
        self.session, self.by = session, by
        self._last = last_rev(session)
        self._log: list[dict[str, object]] = []

    def next(self, entity: str, record_id: str, op: str) -> int:
        self._last += 1
        self._log.append({"rev": self._last, "entity": entity, "record_id": record_id, "op": op,
                          "user_id": self.by, "device_id": None, "at": utcnow()})
        return self._last

    def close(self) -> None:
        if self._log:
            self.session.execute(update(ServerState).where(ServerState.id == 1).values(last_rev=self._last))
            self.session.execute(ChangeLog.__table__.insert(), self._log)  # Core: no per-row ORM work
            self._log = []


def last_rev(session: Session) -> int:
    return session.execute(select(ServerState.last_rev).where(ServerState.id == 1)).scalar_one()


def server_id(session: Session) -> str:
    return session.execute(select(ServerState.server_id).where(ServerState.id == 1)).scalar_one()


def renew_server_id(session: Session) -> tuple[str, str]:
    """Give the database a fresh server id, (old, new): after restoring a backup, so every client notices the
    server is not the one it last synced with, pulls everything again and sends back what the server lacks."""
    old = server_id(session)
    new = new_id()
    session.execute(update(ServerState).where(ServerState.id == 1).values(server_id=new))
    return old, new


def new_id() -> str:
    return str(uuid.uuid4())
