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
exec .venv/bin/python -m pytest "$@"
