"""Every benchmark still runs: each script in its quickest mode with tiny sizes, its figure as the last line.

No timing is checked here (benchmarks/README.md holds the figures); this only proves the commands work.
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
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(TINY))
def test_benchmark_runs_and_prints_its_figure_last(name: str) -> None:
    result = subprocess.run([sys.executable, str(BENCHMARKS / f"{name}.py"), *TINY[name]], capture_output=True,
                            text=True, timeout=240, check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith(f"{name}:"), last
