#!/usr/bin/env bash
# Builds the desktop bundle, dist/ReviewApp/, from this tree with PyInstaller (packaging/reviewapp.spec).
# Usage: packaging/build.sh [--self-test]   (--self-test: then run the bundled executable's --self-test, offscreen)
#
# The build uses its own virtual environment, .venv-bundle, holding ReviewApp's runtime dependencies and PyInstaller
# only, so nothing from the test tools can slip into the bundle or hide a missing runtime dependency. The previous
# build/ and dist/ output is removed first, so every build starts clean. Linux here; on Windows and macOS the same
# spec is run with `pyinstaller packaging/reviewapp.spec` (see packaging/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
py="${PYTHON:-python3}"
venv=.venv-bundle
started=$(date +%s)

scripts/system-deps.sh run || echo "build: continuing without the Debian packages above"
if [[ ! -x $venv/bin/python ]]; then
  "$py" -m venv "$venv"
  $venv/bin/python -m pip install -q --upgrade pip
fi
stamp="$venv/.installed"
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  echo "build: installing ReviewApp's runtime dependencies and PyInstaller into $venv"
  if ! $venv/bin/python -m pip install -q --disable-pip-version-check -e ".[bundle]" > "$venv/pip.log" 2>&1; then
    cat "$venv/pip.log" >&2
    exit 1
  fi
  $venv/bin/python -c "import reviewapp, PyInstaller"
  echo "$want" > "$stamp"
fi

rm -rf build/pyinstaller dist/ReviewApp
echo "build: PyInstaller (log in build/pyinstaller.log)"
mkdir -p build
if ! $venv/bin/python -m PyInstaller --noconfirm --clean --log-level WARN \
      --distpath dist --workpath build/pyinstaller packaging/reviewapp.spec > build/pyinstaller.log 2>&1; then
  tail -n 40 build/pyinstaller.log
  echo "build: PyInstaller failed; the whole log is build/pyinstaller.log" >&2
  exit 1
fi
echo "build: dist/ReviewApp/ built in $(( $(date +%s) - started )) s, $(du -sh dist/ReviewApp | cut -f1)"

if [[ "${1:-}" == "--self-test" ]]; then
  log_dir=$(mktemp -d)
  trap 'rm -rf "$log_dir"' EXIT
  # Offscreen, a log folder of its own, and no data folder given: the self-test must need none of them.
  QT_QPA_PLATFORM=offscreen REVIEWAPP_LOG_DIR="$log_dir" dist/ReviewApp/ReviewApp --self-test
fi
