#!/usr/bin/env bash
# The whole test suite from a fresh machine: system packages, the virtual environment, PostgreSQL, then pytest.
# Extra arguments go to pytest (e.g. scripts/test.sh -k store).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/system-deps.sh test
scripts/venv.sh test
scripts/postgres.sh
export QT_QPA_PLATFORM=offscreen
.venv/bin/python -m ruff check .
# Worker processes (pytest-xdist): most of the suite's time is spent waiting on servers, browsers and subprocesses,
# so more workers than cores still pays. REVIEWAPP_TEST_WORKERS=0 runs in one process (pytest's own -x, --pdb ...).
workers="${REVIEWAPP_TEST_WORKERS:-4}"
if [[ "$workers" == "0" ]]; then exec .venv/bin/python -m pytest "$@"; fi
exec .venv/bin/python -m pytest -n "$workers" --dist loadgroup "$@"
