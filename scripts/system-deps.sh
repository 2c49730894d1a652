#!/usr/bin/env bash
# Installs the Debian packages ReviewApp's tests and tools need, skipping those already present.
# Idempotent; does nothing on a machine without apt-get, and explains what to install when not root.
set -euo pipefail

packages=(
  poppler-utils        # pdftoppm / pdftotext: looking at and checking PDFs
  xvfb xauth           # a virtual screen for screenshots of real windows
  dbus                 # dbus-run-session for the Secret Service test
  gnome-keyring        # a real Secret Service
  postgresql           # the central server's production database
  sqlite3              # proving the local file is unreadable without its key
  fonts-dejavu-core    # a TTF font with the accents learners' names need
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
  libxcb-cursor0 libnss3 libxcomposite1 libxdamage1 libxrandr2 libxtst6 libxi6 libasound2
)

command -v dpkg-query >/dev/null 2>&1 || { echo "system-deps: not a Debian system; install the equivalents of: ${packages[*]}"; exit 0; }

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -eq 0 ]]; then SUDO=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo"; else
  echo "system-deps: please install these Debian packages (as root): apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
