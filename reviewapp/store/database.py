"""Opening the local database: where it lives, its key, its engine, its schema version, and units of work.

One SQLite file per assessor account, encrypted with SQLCipher, in WAL mode with foreign keys on. Writes take the
write lock at BEGIN (`BEGIN IMMEDIATE`), so two writers never deadlock half-way through a unit of work; reads use a
plain deferred BEGIN so they never wait for, or block, a writer.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from reviewapp import DEMO_ACCOUNT
from reviewapp.store import keys, migrations, outbox
from reviewapp.store.errors import MissingKeyError, StoreOpenError, WrongKeyError
from reviewapp.store.locations import database_path, default_data_dir


def _make_engine(path: Path, key: str | None) -> Engine:
    if key is None:
        url = URL.create("sqlite", database=str(path))
    else:
        url = URL.create("sqlite+pysqlcipher", password=f"x'{key}'", database=str(path))
    engine = create_engine(
        url,
        poolclass=QueuePool,
        pool_size=2,
        max_overflow=4,
        connect_args={"check_same_thread": False, "timeout": 30},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's BEGIN below be the only transaction control (the driver's own is off).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable across application crashes in WAL mode
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Readers and writers share pooled connections, so each unit of work sets query_only for itself.
        if conn.get_execution_options().get("reviewapp_read_only"):
            conn.exec_driver_sql("PRAGMA query_only=ON")
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("PRAGMA query_only=OFF")
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    outbox.guard_engine(engine)
    return engine


class Store:
    """One account's local database. Every change to a synced record goes through a session from `write()`,
    which records it in the outbox in the same transaction."""

    def __init__(self, engine: Engine, path: Path, account: str, encrypted: bool) -> None:
        self.engine = engine
        self.path = path
        self.account = account
        self.encrypted = encrypted
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(
            engine.execution_options(reviewapp_read_only=True), expire_on_commit=False
        )

    @classmethod
    def open(
        cls,
        data_dir: Path | str | None = None,
        account: str = DEMO_ACCOUNT,
        *,
        encrypted: bool = True,
        create: bool = True,
    ) -> Store:
        """Open (creating if allowed) the account's database, upgrading an older schema in place.

        Raises a `StoreOpenError` with advice for the user when the keyring, the key or the schema is wrong.
        """
        data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        path = database_path(data_dir, account)
        exists = path.exists() and path.stat().st_size > 0
        if not exists and not create:
            raise StoreOpenError(f"There is no caseload for {account} in {data_dir}.")
        key: str | None = None
        if encrypted:
            key = keys.load_key(path)
            if key is None:
                if exists:
                    raise MissingKeyError(str(path))
                key = keys.create_key(path)
        data_dir.mkdir(parents=True, exist_ok=True)
        engine = _make_engine(path, key)
        try:
            migrations.upgrade(engine, str(path))
        except DatabaseError as exc:
            engine.dispose()
            if isinstance(exc.orig, sqlite3.DatabaseError | _sqlcipher_error()) and "not a database" in str(exc):
                raise WrongKeyError(str(path)) from exc
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreOpenError(
                    f"The caseload {path} is busy: another ReviewApp window or command is using it.",
                    "Close the other ReviewApp (or wait for it to finish) and try again.",
                ) from exc
            raise
        except BaseException:
            engine.dispose()
            raise
        store = cls(engine, path, account, encrypted)
        _adopt_plain_copies(store)
        return store

    @staticmethod
    def discard(data_dir: Path | str | None, account: str) -> None:
        """Delete an account's local database and its key: for demo data, or a device wiped on revocation."""
        data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        path = database_path(data_dir, account)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        keys.forget_key(path)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def write(self, user: str | None = None) -> Iterator[Session]:
        """A unit of work by the local user: committed on success, rolled back whole on any error."""
        with self._sessions() as session:
            session.info["origin"] = outbox.LOCAL
            session.info["user"] = user or self.account
            with session.begin():
                yield session

    @contextmanager
    def apply_remote(self) -> Iterator[Session]:
        """A unit of work applying what the server sent (or seeding demo data): no outbox entries are made."""
        with self._sessions() as session:
            session.info["origin"] = outbox.REMOTE
            with session.begin():
                session.connection().exec_driver_sql("PRAGMA defer_foreign_keys=ON")
                yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work; it never takes the write lock. Any attempt to flush a change fails."""
        with self._read_sessions() as session:
            session.info["origin"] = outbox.READ_ONLY
            with session.begin():
                yield session


def _adopt_plain_copies(store: Store) -> None:
    """Move saved copies an older version left as plain files into the store. Opening never fails for it: a file
    that cannot be moved now stays, and is tried again at the next open."""
    from reviewapp.store.saved_copies import adopt_plain_copies

    try:
        adopt_plain_copies(store)
    except Exception as exc:  # a caseload that cannot move old files still opens; they are tried again next time
        # The error's kind only: its message would name the file, and so the learner.
        logging.getLogger(__name__).warning("Saved copies left as plain files could not be moved into the "
                                            "caseload this time (%s)", type(exc).__name__)


def _sqlcipher_error() -> type[Exception]:
    try:
        from sqlcipher3 import dbapi2

        return dbapi2.DatabaseError
    except ImportError:  # pragma: no cover - sqlcipher3 is a dependency
        return sqlite3.DatabaseError
