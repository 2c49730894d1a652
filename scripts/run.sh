#!/usr/bin/env bash
# `make run`: the app on the demo caseload, from a fresh machine.
# Where no keyring is running (a bare Linux machine, a virtual screen), starts a private GNOME Keyring for this
# session. Its keys live only in memory, so the demo caseload keeps its key in `demo.db.key-NOT-SECURE` beside the
# demo data (reviewapp/store/keys.py) and survives the next `make run`; a real caseload never gets a key file.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/system-deps.sh run || echo "run: continuing without the Debian packages above"
scripts/venv.sh
if .venv/bin/python -c "import sys, keyring; from keyring.backends import fail, chainer
k = keyring.get_keyring()
sys.exit(isinstance(k, fail.Keyring) or (isinstance(k, chainer.ChainerBackend) and not k.backends))" 2>/dev/null \
   || ! command -v dbus-run-session >/dev/null || ! command -v gnome-keyring-daemon >/dev/null; then
  exec .venv/bin/python -m reviewapp --demo "$@"
fi
echo "run: no keyring is running here; starting a private GNOME Keyring for this session."
export REVIEWAPP_SECRET_SERVICE_COLLECTION=/org/freedesktop/secrets/collection/session
exec dbus-run-session -- bash -c \
  'eval "$(printf "" | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)"; exec "$0" "$@"' \
  .venv/bin/python -m reviewapp --demo "$@"
