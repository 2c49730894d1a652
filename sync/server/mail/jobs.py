"""Who runs `deliver_due`, and when.

PostgreSQL: procrastinate (a PostgreSQL-backed job queue; its tables live in the schema `reviewapp_jobs`, made by
migration 0015). Its periodic task `mail.deliver` is deferred once per tick however many workers run (procrastinate
locks the tick), and a commit that queued mail defers one at once (`queueing_lock`, so never a pile of them). Workers:
`reviewapp-server worker`, and one inside `serve` unless `--no-worker`.

SQLite (the embedded default): a background thread in the server process runs the same function every few seconds
and at once after a commit that queued mail.

The server's other periodic jobs (sync/server/periodic.py: cases nobody acknowledged, the managers' alert e-mails,
the archive) ride the same mechanism: the procrastinate periodic task `reviewapp.periodic` (its own queue, so a long
archive batch never holds up the mail), and on SQLite the same thread, every `PERIODIC_SECONDS`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from .delivery import deliver_due
from .outbox import add_nudge, remove_nudge
from .settings import DeliveryTimings, SmtpSettings

log = logging.getLogger("reviewapp.mail")
JOB_SCHEMA = "reviewapp_jobs"
QUEUE = "mail"
TASK = "mail.deliver"
#: The periodic tick (procrastinate's cron, with seconds as the sixth field).
TICK_CRON = "* * * * * */10"
PERIODIC_QUEUE = "periodic"
PERIODIC_TASK = "reviewapp.periodic"
#: On SQLite, how often the thread runs the periodic jobs (PostgreSQL: TICK_CRON's every 10 seconds).
PERIODIC_SECONDS = 10.0


def install_job_schema(connection: Connection) -> None:
    """Create procrastinate's tables and functions in their own schema (migration 0015, PostgreSQL only)."""
    from procrastinate.schema import SchemaManager

    previous = connection.exec_driver_sql("SHOW search_path").scalar()
    connection.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{JOB_SCHEMA}"')
    connection.exec_driver_sql(f'SET LOCAL search_path TO "{JOB_SCHEMA}"')
    exists = connection.exec_driver_sql("SELECT to_regclass('procrastinate_jobs')").scalar()
    if exists is None:
        # psycopg itself, without parameters: the schema's SQL has % signs that are not placeholders
        connection.connection.driver_connection.execute(SchemaManager.get_schema())
    connection.exec_driver_sql(f"SET LOCAL search_path TO {previous}")


def _conninfo(database_url: str) -> str:
    from psycopg.conninfo import make_conninfo

    url = make_url(database_url).set(drivername="postgresql")
    return make_conninfo(url.render_as_string(hide_password=False), options=f"-c search_path={JOB_SCHEMA}")


def job_app(database_url: str, job: Callable[[], object],  # type: ignore[no-untyped-def]
            periodic: Callable[[], object] | None = None):
    """A procrastinate App on the database whose task `mail.deliver` calls `job` (and `reviewapp.periodic`,
    `periodic`)."""
    import procrastinate

    # a small pool: the worker runs one job at a time (plus procrastinate's LISTEN connection)
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=_conninfo(database_url), min_size=1,
                                                                     max_size=3))

    @app.periodic(cron=TICK_CRON, periodic_id="mail")
    @app.task(name=TASK, queue=QUEUE, queueing_lock="mail.deliver")
    def deliver(timestamp: int | None = None) -> None:
        job()

    if periodic is not None:
        @app.periodic(cron=TICK_CRON, periodic_id="periodic")
        @app.task(name=PERIODIC_TASK, queue=PERIODIC_QUEUE, queueing_lock=PERIODIC_TASK)
        def tick(timestamp: int | None = None) -> None:
            periodic()

    return app


def defer_now(database_url: str) -> None:
    """Ask a worker to deliver now (after a commit that queued mail); the tick covers a lost request."""
    import procrastinate
    from psycopg_pool import NullConnectionPool

    app = procrastinate.App(connector=procrastinate.SyncPsycopgConnector())
    # one connection for this request, closed after it: nothing left idle in each web process
    with NullConnectionPool(_conninfo(database_url), min_size=0, max_size=1, open=True) as pool, app.open(pool), \
            contextlib.suppress(procrastinate.exceptions.AlreadyEnqueued):
        app.configure_task(TASK, queue=QUEUE, queueing_lock="mail.deliver").defer()


def install_nudge(engine: Engine) -> None:
    """In a web process on PostgreSQL: after a commit that queued mail, ask a worker (in any process) to send now."""
    if engine.dialect.name != "postgresql" or getattr(engine, "_reviewapp_mail_nudge", False):
        return
    url = engine.url.render_as_string(hide_password=False)

    def nudge() -> None:
        try:
            defer_now(url)
        except Exception:
            log.warning("could not ask a mail worker to start now; its next tick will send")

    engine._reviewapp_mail_nudge = True  # type: ignore[attr-defined]
    add_nudge(nudge)


class MailWorker:
    """Delivery for one process: a thread running the procrastinate worker (PostgreSQL) or a polling loop (SQLite)."""

    def __init__(self, engine: Engine, factory: sessionmaker[Session], smtp: SmtpSettings | None,
                 timings: DeliveryTimings, periodic: Callable[[], object] | None = None) -> None:
        self.engine, self.factory, self.smtp, self.timings = engine, factory, smtp, timings
        self.periodic = periodic
        self.database_url = engine.url.render_as_string(hide_password=False)
        self.postgres = engine.dialect.name == "postgresql"
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def run_once(self) -> None:
        try:
            deliver_due(self.factory, self.smtp, self.timings)
        except Exception as error:  # a database hiccup must not end the worker; the next tick tries again
            # the type only: a database error's text would carry the row's values (addresses) into the log
            log.error("mail delivery run failed (%s); trying again at the next tick", type(error).__name__)

    # SQLite: a polling loop -------------------------------------------------------------------------------------
    def _poll(self) -> None:
        last_periodic = -PERIODIC_SECONDS
        while not self._stop.is_set():
            if self.periodic is not None and time.monotonic() - last_periodic >= PERIODIC_SECONDS:
                last_periodic = time.monotonic()
                self.periodic()  # before delivering, so what it queued goes at once
            self.run_once()
            self._wake.wait(self.timings.poll_seconds)
            self._wake.clear()

    def _nudge(self) -> None:
        self._wake.set()

    # PostgreSQL: procrastinate ----------------------------------------------------------------------------------
    def _procrastinate(self, install_signal_handlers: bool) -> None:
        app = job_app(self.database_url, self.run_once, self.periodic)
        queues = [QUEUE] if self.periodic is None else [QUEUE, PERIODIC_QUEUE]

        async def run() -> None:
            self._loop = asyncio.get_running_loop()
            async with app.open_async():
                # two at once: a periodic tick (an archive batch) beside the mail, never in front of it
                await app.run_worker_async(queues=queues, concurrency=len(queues),
                                           install_signal_handlers=install_signal_handlers,
                                           delete_jobs="always", fetch_job_polling_interval=self.timings.poll_seconds,
                                           name="reviewapp-mail")

        asyncio.run(run())

    def run_forever(self) -> None:
        """`reviewapp-server worker`: in the foreground until interrupted."""
        if self.postgres:
            self._procrastinate(install_signal_handlers=True)
        else:
            self._poll()

    def start(self) -> None:
        """Inside `serve`: in a daemon thread (on SQLite woken by this process's commits that queue mail)."""
        if not self.postgres:
            add_nudge(self._nudge)
        target = (lambda: self._procrastinate(False)) if self.postgres else self._poll
        self._thread = threading.Thread(target=target, name="reviewapp-mail", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        remove_nudge(self._nudge)
        self._stop.set()
        self._wake.set()
        if self._loop is not None:
            for task in asyncio.all_tasks(self._loop):
                self._loop.call_soon_threadsafe(task.cancel)
        if self._thread is not None:
            self._thread.join(timeout=10)
