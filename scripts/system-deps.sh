#!/usr/bin/env bash
# Installs the Debian packages ReviewApp needs, skipping those already present.
# Usage: scripts/system-deps.sh [run|test]   (run: what the app needs; test: that and what the tests need)
# Idempotent; does nothing on a machine without apt-get, and explains what to install when not root.
set -euo pipefail

packages=(
  dbus                 # a session bus for the keyring
  gnome-keyring        # a real Secret Service, where the database key is kept
  fonts-dejavu-core    # a TTF font with the accents learners' names need
  colord-data          # sRGB.icc (CC0-1.0): the output intent of the server's PDF/A archival copies
  # Qt's platform libraries (xcb for a real screen, EGL/GL, fonts, input)
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libxcb-cursor0 libxcb-icccm4
  libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1
  libnss3 libxcomposite1 libxdamage1 libxrandr2 libxtst6 libxi6 libasound2
)
if [[ "${1:-test}" == "test" ]]; then
  packages+=(
    poppler-utils      # pdftoppm / pdftotext: looking at and checking PDFs; pdfsig / pdffonts: the archival copies
    xvfb xauth         # a virtual screen for screenshots of real windows
    postgresql         # the central server's production database
    sqlite3            # proving the local file is unreadable without its key
    chromium           # the office web app's tests drive it with Playwright
    zbar-tools         # zbarimg: `reviewapp verify` reads a copy's QR code (without it, the printed reference)
  )
fi

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
# Wait for another apt run (an unattended upgrade, say) rather than failing on its lock.
apt_opts=(-o DPkg::Lock::Timeout=300 -o Acquire::Retries=3)
$SUDO apt-get "${apt_opts[@]}" update -qq
$SUDO apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
