"""The test guard of issue 18: code under `reviewapp/ui` never opens a store session, not even through a store
function. It reads and changes the store only through `reviewapp.operations` (or the sync engine,
`reviewapp.sync_client`, which the window runs on the task runner).

`tests/conftest.py` installs it for every test. A session is refused when, walking out from the code that asked
for it, a frame in a file under `reviewapp/ui/` comes before any frame of an operation or of the sync engine. The
task runner (`reviewapp/ui/tasks.py`) is the worker that runs operations, not a widget, so its frames are passed
over. Tests themselves, the app's start-up (`reviewapp/app.py`) and the command lines may open sessions.

The refusal is an AssertionError raised where the session was asked for; since work on the task runner reports
its errors to the window (which a test may have replaced), each refusal is also kept, and `session_guard` fails the
test at its end when any was made.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

#: Where the guard looks; paths are compared with forward slashes, so it holds on Windows too.
UI = "/reviewapp/ui/"
TASK_RUNNER = "/reviewapp/ui/tasks.py"
#: The layers that may open a session on the UI's behalf.
OWNERS = ("/reviewapp/operations/", "/reviewapp/sync_client/")
#: The Store methods that open a session.
SESSION_METHODS = ("read", "write", "apply_remote")


def ui_caller(frame: FrameType | None) -> str | None:
    """The UI code (file:line in function) that opened a session, directly or through the store; None if none."""
    while frame is not None:
        path = frame.f_code.co_filename.replace("\\", "/")
        if any(owner in path for owner in OWNERS):
            return None
        if UI in path and not path.endswith(TASK_RUNNER):
            return f"{frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}"
        frame = frame.f_back
    return None


def check_caller(method: str, frame: FrameType | None, refusals: list[str] | None = None) -> None:
    """Fail the test when UI code opened a store session (kept in `refusals` too, when given)."""
    caller = ui_caller(frame)
    if caller is not None:
        message = (f"Store.{method}() was opened from the UI ({caller}): widgets call an operation in "
                   "reviewapp/operations instead (issue 18)")
        if refusals is not None:
            refusals.append(message)
        raise AssertionError(message)


def guarded(method: str, original: Callable[..., Any], refusals: list[str]) -> Callable[..., Any]:
    def opening(self: Any, *args: Any, **kwargs: Any) -> Any:
        check_caller(method, sys._getframe(1), refusals)
        return original(self, *args, **kwargs)

    opening.__name__ = method
    opening.__doc__ = original.__doc__
    opening.__wrapped__ = original  # type: ignore[attr-defined]
    return opening


@contextmanager
def session_guard(*, fail_at_end: bool = True) -> Iterator[list[str]]:
    """Install the guard on `Store` for the duration, yielding the refusals made; the originals are put back
    afterwards, and (unless `fail_at_end` is False) an AssertionError lists the refusals, even those that work on
    a background thread reported to the window rather than raised in the test."""
    from reviewapp.store.database import Store

    refusals: list[str] = []
    originals = {name: Store.__dict__[name] for name in SESSION_METHODS}
    for name, original in originals.items():
        setattr(Store, name, guarded(name, original, refusals))
    try:
        yield refusals
    finally:
        for name, original in originals.items():
            setattr(Store, name, original)
    if fail_at_end and refusals:
        raise AssertionError("\n".join(dict.fromkeys(refusals)))
