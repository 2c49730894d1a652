"""What every benchmark shares: a throw-away keyring, a scratch directory, and the statistics it reports.

Benchmarks run on machines without a desktop keyring (CI, containers), so each one points `keyring` at a plain-file
keyring in its own temporary directory, exactly as tests/conftest.py does, and its subprocesses inherit the choice
through the environment. Machines here are shared and noisy, so every figure is a median (and p95) over repeats and,
where it can be, a ratio against a baseline measured in the same run.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
KEYRING_BACKEND = "keyrings.alt.file.PlaintextKeyring"
#: The day every benchmark caseload is made for, so runs compare like with like.
BENCH_TODAY = dt.date(2026, 11, 23)
#: Where the throw-away PostgreSQL databases of the server benchmarks are made (scripts/postgres.sh sets it up).
PG_ADMIN_URL = os.environ.get("REVIEWAPP_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
#: The server's command line, `reviewapp-server`, run from the repo (no install needed).
SERVER = [sys.executable, "-m", "sync.server"]

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # benchmarks run headless, like the tests
if str(REPO_ROOT) not in sys.path:  # `python benchmarks/x.py` puts benchmarks/, not the repo, on the path
    sys.path.append(str(REPO_ROOT))  # last, so PYTHONPATH can point a run at other code (an A/B comparison)


@contextmanager
def scratch(prefix: str) -> Iterator[Path]:
    """A temporary directory with a plain-file keyring inside it, selected for this process and its children."""
    with tempfile.TemporaryDirectory(prefix=f"reviewapp-bench-{prefix}-") as tmp:
        root = Path(tmp)
        use_throwaway_keyring(root / "keyring")
        yield root


def use_throwaway_keyring(root: Path) -> None:
    """Select a plain-file keyring under `root` (NOT secure: benchmark data only)."""
    import keyring
    from keyrings.alt.file import PlaintextKeyring

    root.mkdir(parents=True, exist_ok=True)
    os.environ["XDG_DATA_HOME"] = str(root)
    os.environ["PYTHON_KEYRING_BACKEND"] = KEYRING_BACKEND
    backend = PlaintextKeyring()
    backend.file_path = str(root / "python_keyring" / "keyring_pass.cfg")
    keyring.set_keyring(backend)


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a benchmark's subprocess: offscreen Qt, the repo importable, the same keyring."""
    path = os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return os.environ | {"QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": path} | extra


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def p95(values: Sequence[float]) -> float:
    """The 95th percentile (inclusive method, so a handful of samples still gives a value inside their range)."""
    if len(values) < 2:
        return float(values[0])
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


#: Exit statuses every benchmark and trial shares. A figure that misses its target is still a figure (0); a
#: reliability trial that finds a loss has found a defect (1); a run that could not do what it measures (a driver
#: that never started, a trial the harness could not carry out) is no figure at all (2), so `make bench`, the smoke
#: test and anyone reading "MISSED" can tell "measured and bad" from "never measured".
EXIT_MEASURED = 0
EXIT_TARGET_MISSED = 1
EXIT_COULD_NOT_RUN = 2


def could_not_run(name: str, reason: str) -> int:
    """Say on the last line that benchmark `name` did not measure what it measures, and why; the exit status."""
    print(f"{name}: COULD NOT RUN: {reason}", flush=True)
    return EXIT_COULD_NOT_RUN


def make_caseload(data_dir: Path, learners: int, *, account: str = "demo", encrypted: bool = True,
                  seed: int = 7) -> None:
    """An account's caseload of `learners` demo learners, made through the demo generator (bulk inserts)."""
    from reviewapp import demo
    from reviewapp.store.database import Store

    with Store.open(data_dir, account, encrypted=encrypted) as store:
        demo.generate(store, learners=learners, seed=seed, today=BENCH_TODAY)


# --- the sync server as a real process (server_load, sync_pull, sync_fault_trials) -------------------------------


def postgres_database() -> tuple[str | None, str]:
    """A fresh PostgreSQL database's URL, or None and the reason it cannot be had."""
    try:
        from sqlalchemy import create_engine, text

        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        name = f"reviewapp_bench_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", ""
    except Exception as exc:
        return None, str(exc).splitlines()[0]


def drop_postgres_database(url: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


def run_cli(*args: str) -> str:
    """Run the server's own command line (`reviewapp-server ARGS`) and return what it printed."""
    result = subprocess.run([*SERVER, *args], capture_output=True, text=True, env=child_env(), timeout=300,
                            check=False)
    if result.returncode != 0:
        raise SystemExit(f"reviewapp-server {args[0]} failed: {result.stderr or result.stdout}")
    return result.stdout.strip()


def free_port() -> int:
    """A port nobody listens on now (the OS picks it), so runs never collide with each other."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(url: str, port: int, workers: int = 1) -> subprocess.Popen[bytes]:
    """`reviewapp-server serve` on 127.0.0.1:port in its own process group (so SIGKILL reaches all of it).

    Returns once /api/v1/health answers, so timings never include the server's start-up.
    """
    import httpx

    process = subprocess.Popen(
        [*SERVER, "serve", "--database", url, "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=child_env(), start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited at start (status {process.returncode})")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_server(process)
    raise SystemExit("the server did not answer its health check within 60 s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Stop the server we started: its own process group (uvicorn's manager and its workers)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def server_database(root: Path, name: str, backend: str) -> str:
    """A fresh empty database for one server: PostgreSQL unless told otherwise or unreachable."""
    if backend != "sqlite":
        url, why_not = postgres_database()
        if url is not None:
            return url
        if backend == "postgresql":
            raise SystemExit(f"PostgreSQL is not reachable: {why_not}")
        print(f"NOTE: PostgreSQL is not reachable ({why_not}); using SQLite files instead")
    return f"sqlite:///{root / f'{name}.sqlite3'}"


def sync_testkit():  # type: ignore[no-untyped-def]
    """tests/sync/synckit.py (laptops, the office, seeding accounts): the sync benchmarks reuse the tests' helpers
    rather than copies of them, so what the trials check is what the tests check."""
    for folder in ("tests/sync", "tests/server"):
        if str(REPO_ROOT / folder) not in sys.path:
            sys.path.insert(0, str(REPO_ROOT / folder))
    import synckit

    return synckit
