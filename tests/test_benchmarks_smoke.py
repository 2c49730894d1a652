"""Every benchmark still runs: each script in its quickest mode with tiny sizes, its figure as the last line.

No timing is checked here (benchmarks/README.md holds the figures); this only proves the commands work, and work
far enough to measure something: a trial whose driver never starts exits non-zero (2, "COULD NOT RUN") and
reports a PROBLEM, and either fails this test. The finalise trials once went months unnoticed printing "MISSED"
with status 0 because their driver imported a module that had moved.
"""

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"

TINY = {
    "startup": ["--repeats", "1", "--learners", "20"],
    "caseload_filter": ["--learners", "60", "--surnames", "1"],
    "autosave": ["--saves", "10", "--learners", "10"],
    "pdf": ["--repeats", "1"],
    "server_load": ["--assessors", "2", "--seconds", "2", "--learners-each", "3"],
    "crash_trials": ["--trials", "1"],
    "sync_pull": ["--learners", "10", "--small", "5", "--push", "3", "--repeats", "1"],
    "sync_fault_trials": ["--trials", "2"],
    "sync_resume": ["--learners", "30", "--kills", "1", "--page-size", "100"],
    "caseload_import": ["--rows", "1200", "--repeats", "1"],
    "mis_import": ["--learners", "300", "--backend", "auto", "--idle-pushes", "5"],
    "office": ["--quick", "--repeats", "1"],
    "wizard": ["--quick", "--past", "2", "--repeats", "1", "--learners", "20"],
    "ui_heartbeat": ["--quick"],
}
#: Trials whose output names each trial that could not be carried out as a PROBLEM (benchmarks/crash_trials.py).
TRIALS = {"crash_trials", "sync_fault_trials"}


def test_every_benchmark_has_a_smoke_run() -> None:
    """A new benchmark gets a tiny run here too, or nobody notices when it stops working."""
    scripts = {path.stem for path in BENCHMARKS.glob("*.py") if path.stem != "benchlib"}
    assert scripts == set(TINY)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(TINY))
def test_benchmark_runs_and_prints_its_figure_last(name: str) -> None:
    result = subprocess.run([sys.executable, str(BENCHMARKS / f"{name}.py"), *TINY[name]], capture_output=True,
                            text=True, timeout=240, check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith(f"{name}:"), last
    assert "COULD NOT RUN" not in last, last
    if name in TRIALS:  # every trial was carried out and checked, not merely attempted
        assert "PROBLEM" not in result.stdout, result.stdout[-3000:]
