"""The one way long work runs off the UI thread: `TaskRunner.run(fn, ...)`, results back by signal.

Database reads, demo generation, imports, PDF batches and sync all go through it, so the window never freezes
and every such job reports progress and errors the same way. Work receives a `report(done, total, text)` callable
when it asks for one (a `progress` keyword parameter).
"""

from __future__ import annotations

import inspect
import logging
import traceback
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


class _Signals(QObject):
    finished = Signal(object)
    failed = Signal(object)
    progress = Signal(int, int, str)


class _Job(QRunnable):
    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.signals = _Signals()

    @Slot()
    def run(self) -> None:
        try:
            if "progress" in inspect.signature(self.fn).parameters:
                self.kwargs["progress"] = lambda done, total, text="": self.signals.progress.emit(done, total, text)
            result = self.fn(*self.args, **self.kwargs)
        except Exception as exc:  # reported to the UI, which shows it; never lost
            log.error("Background task %s failed:\n%s", getattr(self.fn, "__name__", self.fn), traceback.format_exc())
            self.signals.failed.emit(exc)
        else:
            self.signals.finished.emit(result)


class TaskRunner(QObject):
    """Runs callables on a small thread pool; `busy_changed` lets the window show that work is under way."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._jobs: set[_Job] = set()

    def run(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        on_progress: Callable[[int, int, str], None] | None = None,
        **kwargs: Any,
    ) -> None:
        job = _Job(fn, args, kwargs)
        self._jobs.add(job)
        # Queued: the signals object lives on the UI thread, so callbacks run there whatever thread emits.
        queued = Qt.ConnectionType.QueuedConnection
        if on_progress:
            job.signals.progress.connect(on_progress, queued)

        def finish(result: Any) -> None:
            if self._forget(job) and on_done:
                on_done(result)

        def fail(exc: Exception) -> None:
            if self._forget(job) and on_error:
                on_error(exc)

        job.signals.finished.connect(finish, queued)
        job.signals.failed.connect(fail, queued)
        if len(self._jobs) == 1:
            self.busy_changed.emit(True)
        self.pool.start(job)

    def _forget(self, job: _Job) -> bool:
        """Drop a finished job; False when this runner (and so the window it served) is already gone: a result that
        arrives after its window closed is dropped rather than delivered to deleted widgets."""
        self._jobs.discard(job)
        if not shiboken6.isValid(self):
            return False
        if not self._jobs:
            self.busy_changed.emit(False)
        return True

    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    def wait(self, msecs: int = 30000) -> bool:
        """Block until all work is done (for shutdown and tests)."""
        return self.pool.waitForDone(msecs)
