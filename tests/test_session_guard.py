"""The guard of issue 18 (tests/session_guard.py) can fail: code compiled as if it were a file under reviewapp/ui
that opens a store session, directly or through a store function, fails; through an operation it does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewapp.store.database import Store

ROOT = Path(__file__).resolve().parent.parent


def _run_as(path: str, source: str, store: Store) -> object:
    """Run `source` as if it were the file `path` of the repository (the frame's filename is what the guard reads),
    under a guard of its own: a refusal is raised by it before the test's own guard (conftest) sees the session,
    so the refusals these tests make on purpose do not fail them at their end."""
    from tests.session_guard import session_guard

    namespace: dict[str, object] = {"store": store}
    with session_guard(fail_at_end=False):
        exec(compile(source, str(ROOT / path), "exec"), namespace)
    return namespace.get("result")


@pytest.mark.parametrize("opening", ["store.read()", "store.write()", "store.apply_remote()"])
def test_a_session_opened_in_ui_code_fails_the_test(store: Store, opening: str) -> None:
    with pytest.raises(AssertionError, match=r"Store\.\w+\(\) was opened from the UI .*reviewapp/ui/fake_widget\.py"):
        _run_as("reviewapp/ui/fake_widget.py", f"def load():\n    with {opening}:\n        pass\nload()\n", store)


def test_a_store_function_called_from_ui_code_fails_the_test(store: Store) -> None:
    with pytest.raises(AssertionError, match=r"fake_widget\.py:3 in load"):
        _run_as("reviewapp/ui/fake_widget.py",
                "from reviewapp.store.settings import get_setting\n"
                "def load():\n    return get_setting(store, 'sync.server_url', '')\nresult = load()\n", store)


def test_ui_code_calling_an_operation_passes(store: Store) -> None:
    result = _run_as("reviewapp/ui/fake_widget.py",
                     "from reviewapp.operations.caseload import has_learners\nresult = has_learners(store)\n", store)
    assert result is False


def test_the_task_runner_is_not_ui_code(store: Store) -> None:
    """Work the runner runs (the demo generator, say) is judged by what it is, not by the runner's own frames."""
    assert _run_as("reviewapp/ui/tasks.py", "with store.read():\n    result = 'read'\n", store) == "read"


def test_tests_and_the_store_may_open_sessions(store: Store) -> None:
    with store.read() as session:
        assert session.info["origin"]
    assert _run_as("reviewapp/store/fake_query.py", "with store.write():\n    result = 'written'\n", store) == "written"


def test_the_guard_leaves_store_as_it_found_it() -> None:
    from tests.session_guard import SESSION_METHODS, session_guard

    installed = {name: Store.__dict__[name] for name in SESSION_METHODS}
    with session_guard():
        assert all(Store.__dict__[name] is not installed[name] for name in SESSION_METHODS)
    assert all(Store.__dict__[name] is installed[name] for name in SESSION_METHODS)


def test_a_refusal_on_a_background_thread_fails_the_test_at_its_end(store: Store) -> None:
    """Work on the task runner reports its errors to the window, which a test may have replaced: the refusal is
    kept, and the guard fails the test when it ends."""
    import threading

    from tests.session_guard import session_guard

    source = "def load():\n    try:\n        store.read()\n    except AssertionError:\n        pass\n"
    with pytest.raises(AssertionError, match=r"fake_widget\.py"), session_guard() as refusals:
        code = compile(source + "load()\n", str(ROOT / "reviewapp/ui/fake_widget.py"), "exec")
        worker = threading.Thread(target=exec, args=(code, {"store": store}))
        worker.start()
        worker.join()
        assert len(refusals) == 1
