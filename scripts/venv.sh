#!/usr/bin/env bash
# Makes .venv (if missing) and installs ReviewApp into it with the given extras, only when pyproject.toml changed.
# Usage: scripts/venv.sh [extras]   e.g. scripts/venv.sh test
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
py="${PYTHON:-python3}"
if [[ ! -x .venv/bin/python ]]; then
  "$py" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
fi
spec="."
[[ -n "$extras" ]] && spec=".[$extras]"
stamp=".venv/.installed-${extras:-base}"
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  echo "venv: installing ReviewApp ($spec) into .venv"
  .venv/bin/python -m pip install -q --disable-pip-version-check -e "$spec" 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -c "import reviewapp" # fail here, clearly, if the install did not work
  echo "$want" > "$stamp"
fi
