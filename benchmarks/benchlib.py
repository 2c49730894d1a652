"""What every benchmark shares: a throw-away keyring, a scratch directory, and the statistics it reports.

Benchmarks run on machines without a desktop keyring (CI, containers), so each one points `keyring` at a plain-file
keyring in its own temporary directory, exactly as tests/conftest.py does, and its subprocesses inherit the choice
through the environment. Machines here are shared and noisy, so every figure is a median (and p95) over repeats and,
where it can be, a ratio against a baseline measured in the same run.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
KEYRING_BACKEND = "keyrings.alt.file.PlaintextKeyring"
#: The day every benchmark caseload is made for, so runs compare like with like.
BENCH_TODAY = dt.date(2026, 11, 23)

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


def make_caseload(data_dir: Path, learners: int, *, account: str = "demo", encrypted: bool = True,
                  seed: int = 7) -> None:
    """An account's caseload of `learners` demo learners, made through the demo generator (bulk inserts)."""
    from reviewapp import demo
    from reviewapp.store.database import Store

    with Store.open(data_dir, account, encrypted=encrypted) as store:
        demo.generate(store, learners=learners, seed=seed, today=BENCH_TODAY)
