"""Opening the local database: where it lives, its key, its engine, its schema version, and units of work.

One SQLite file per assessor account, encrypted with SQLCipher, in WAL mode with foreign keys on. Writes take the
write lock at BEGIN (`BEGIN IMMEDIATE`), so two writers never deadlock half-way through a unit of work; reads use a
plain deferred BEGIN so they never wait for, or block, a writer.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
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
from reviewapp.store.errors import DamagedStoreError, MissingKeyError, StoreOpenError, WrongKeyError
from reviewapp.store.locations import database_path, default_data_dir

log = logging.getLogger(__name__)

#: What SQLite (and SQLCipher, for a page whose authentication fails) says when a file's pages cannot be read.
_DAMAGE_MESSAGES = ("database disk image is malformed", "malformed database schema", "file is not a database",
                    "database corruption")


def _damage(exc: BaseException | None) -> str:
    """The driver's own words if `exc` says the file is damaged, else ""."""
    text = str(exc or "").lower()
    return next((words for words in _DAMAGE_MESSAGES if words in text), "")


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

    @event.listens_for(engine, "handle_error")
    def _on_error(context: Any) -> BaseException | None:
        # A damaged page can be met by any query, long after the file opened (only the schema is read then): one
        # rule here turns it into the store's own error, with advice, wherever it happens.
        words = _damage(context.original_exception)
        return DamagedStoreError(str(path), words) if words else None

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
        self._sessions = sessionmaker(engine, class_=outbox.StoreSession, expire_on_commit=False)
        self._read_sessions = sessionmaker(
            engine.execution_options(reviewapp_read_only=True), class_=outbox.StoreSession, expire_on_commit=False
        )

    @classmethod
    def open(
        cls,
        data_dir: Path | str | None = None,
        account: str = DEMO_ACCOUNT,
        *,
        encrypted: bool = True,
        create: bool = True,
        demo: bool = False,
    ) -> Store:
        """Open (creating if allowed) the account's database, upgrading an older schema in place.

        `demo` is for the app's demo caseload only: where the keyring cannot keep its key across restarts, the key
        is kept in a file beside it (`keys.key_file_path`), never for a real caseload. A missing key is reported
        (`MissingKeyError`) for the demo too: no new caseload is ever made over a file whose key is gone.
        Raises a `StoreOpenError` with advice for the user when the keyring, the key or the schema is wrong.
        """
        data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        path = database_path(data_dir, account)
        exists = path.exists() and path.stat().st_size > 0
        if not exists and not create:
            raise StoreOpenError(f"There is no caseload for {account} in {data_dir}.")
        key: str | None = None
        if encrypted:
            key = keys.load_key(path, demo=demo)
            if key is None:
                if exists:
                    raise MissingKeyError(str(path))
                key = keys.create_key(path, demo=demo)
        data_dir.mkdir(parents=True, exist_ok=True)
        engine = _make_engine(path, key)
        try:
            migrations.upgrade(engine, str(path))
        except DamagedStoreError as exc:
            engine.dispose()
            if key is not None and "not a database" in exc.message:
                raise WrongKeyError(str(path)) from exc  # page 1 does not decrypt: damaged, or another key
            raise
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
        from reviewapp.store.office_settings import use_office_templates  # it builds on this module

        use_office_templates(store)  # the templates the office sent at the last sync, kept for offline use
        return store

    @staticmethod
    def discard(data_dir: Path | str | None, account: str) -> None:
        """Delete an account's local database and its key: for demo data, or a device wiped on revocation."""
        data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        path = database_path(data_dir, account)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        keys.forget_key(path)

    @staticmethod
    def set_aside_damaged(data_dir: Path | str | None, account: str, *, now: dt.datetime | None = None) -> Path:
        """Rename a damaged caseload (with its -wal and -shm files) to `<account>.damaged-<date-time>.db`, its key
        kept in the keyring under the new name, and return the new path. Nothing in the file is changed: unsynced
        work can be recovered from it later (`reviewapp --account <account>.damaged-<date-time>` opens it), and
        the next open of the account starts a fresh caseload with a new key."""
        data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        path = database_path(data_dir, account)
        stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
        target = path.with_name(f"{path.stem}.damaged-{stamp}{path.suffix}")
        number = 2
        while any(Path(f"{target}{suffix}").exists() for suffix in ("", "-wal", "-shm")):  # never overwrite one
            target = path.with_name(f"{path.stem}.damaged-{stamp}-{number}{path.suffix}")
            number += 1
        key_file = keys.key_file_path(path)
        if key_file.exists():  # a demo's key file goes with it, first, as a keyring key would
            os.replace(key_file, keys.key_file_path(target))
        else:
            key = keys.load_key(path)
            if key is not None:
                keys.keep_key(target, key)  # first: there is never a moment when the moved file has no key
        for suffix in ("-wal", "-shm", ""):  # the main file last, so a fresh one never meets an old -wal
            if Path(f"{path}{suffix}").exists():
                os.replace(f"{path}{suffix}", f"{target}{suffix}")
        keys.forget_key(path)
        log.warning("A damaged caseload was set aside as %s.", target.name)
        return target

    @classmethod
    def start_afresh(cls, data_dir: Path | str | None, account: str, *, demo: bool = False) -> tuple[Store, Path]:
        """Set the damaged caseload aside and open a fresh, empty one for the account; the sync settings (server,
        username) are carried over when the damaged file still yields them, so the next sync downloads the
        caseload. Returns the fresh store and where the damaged file now is."""
        from reviewapp.store.models import Setting

        moved = cls.set_aside_damaged(data_dir, account)
        salvaged: dict[str, Any] = {}
        try:
            old = _make_engine(moved, keys.read_key_file(moved) or keys.load_key(moved))
            try:
                with old.connect() as conn:
                    salvaged = dict(conn.execute(Setting.__table__.select()).tuples().all())
            finally:
                old.dispose()
        except Exception:  # the settings are a convenience; the server holds what matters
            log.info("No settings could be read from the damaged caseload; the fresh one starts without them.")
        store = cls.open(data_dir, account, demo=demo)
        if salvaged:
            with store.apply_remote() as session:
                session.add_all(Setting(key=key, value=value) for key, value in salvaged.items())
        return store, moved

    def check_integrity(self) -> None:
        """Read every page (slow on a large caseload: for a repair asked for, not for every start) and raise
        `DamagedStoreError` if any is damaged."""
        pragma = "PRAGMA cipher_integrity_check" if self.encrypted else "PRAGMA quick_check"
        with self.engine.connect() as conn:
            problems = [str(row[0]) for row in conn.exec_driver_sql(pragma) if str(row[0]) != "ok"]
            if not problems:  # the pages authenticate: check the b-trees too
                problems = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA quick_check") if str(r[0]) != "ok"]
        if problems:
            raise DamagedStoreError(str(self.path), problems[0][:200])

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
