#!/usr/bin/env bash
# Installs the built bundle on a Linux laptop: the program in /opt/ReviewApp, a menu entry and its icon.
# Usage (as root, from the repository after `make bundle`): packaging/install-linux.sh [PREFIX]   (PREFIX: /opt)
# Then checks the installation with its self-test, as IT would. Uninstall: packaging/install-linux.sh --remove
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="${1:-/opt}"
if [[ "$prefix" == "--remove" ]]; then
  rm -rf /opt/ReviewApp /usr/local/bin/reviewapp /usr/share/applications/reviewapp.desktop \
         /usr/share/icons/hicolor/scalable/apps/reviewapp.svg /usr/share/icons/hicolor/256x256/apps/reviewapp.png
  echo "ReviewApp removed (each user's caseload and log folders are left in place)."
  exit 0
fi
[[ -x dist/ReviewApp/ReviewApp ]] || { echo "install: no bundle in dist/ReviewApp; run 'make bundle' first" >&2; exit 1; }
rm -rf "$prefix/ReviewApp"
cp -a dist/ReviewApp "$prefix/ReviewApp"
ln -sf "$prefix/ReviewApp/ReviewApp" /usr/local/bin/reviewapp
sed "s|/opt/ReviewApp|$prefix/ReviewApp|g" packaging/reviewapp.desktop > /usr/share/applications/reviewapp.desktop
install -D -m 644 reviewapp/resources/icons/reviewapp.svg /usr/share/icons/hicolor/scalable/apps/reviewapp.svg
install -D -m 644 reviewapp/resources/icons/reviewapp.png /usr/share/icons/hicolor/256x256/apps/reviewapp.png
command -v update-desktop-database >/dev/null && update-desktop-database -q /usr/share/applications || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q /usr/share/icons/hicolor || true
echo "ReviewApp installed in $prefix/ReviewApp; checking it:"
QT_QPA_PLATFORM=offscreen "$prefix/ReviewApp/ReviewApp" --self-test
