#!/usr/bin/env bash
# Re-vendors the office web app's browser assets from the npm registry, at the pinned versions below, into
# sync/server/web/static/vendor (and axe-core, used only by the tests, into tests/web/vendor). Nothing is ever
# loaded from a CDN: offices sit behind strict proxies. Each package's licence is kept beside it.
# GOV.UK Frontend's stylesheet is used without its GDS Transport font (it may only be used on GOV.UK): the
# @font-face rules are dropped and the font stack becomes the system's. No crown or crest is used either.
set -euo pipefail
cd "$(dirname "$0")/.."
GOVUK=6.6.0 HTMX=2.0.11 AXE=4.14.1 CHARTJS=4.4.7
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "govuk-frontend@$GOVUK" "htmx.org@$HTMX" "axe-core@$AXE" "chart.js@$CHARTJS" >/dev/null)
for f in "$work"/*.tgz; do mkdir -p "${f%.tgz}" && tar xzf "$f" -C "${f%.tgz}"; done
out=sync/server/web/static/vendor
rm -rf "$out" tests/web/vendor && mkdir -p "$out/govuk-frontend" "$out/htmx" "$out/chartjs" tests/web/vendor/axe-core
g="$work/govuk-frontend-$GOVUK/package/dist/govuk"
system_fonts='system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif'
sed -e 's/@font-face{font-family:GDS Transport;[^}]*}//g' \
    -e "s/font-family:GDS Transport,arial,sans-serif/font-family:${system_fonts}/g" \
    -e "s/font-family:GDS Transport/font-family:${system_fonts}/g" \
    "$g/govuk-frontend.min.css" | sed -e 's|/\*# sourceMappingURL=[^*]*\*/||' > "$out/govuk-frontend/govuk-frontend.min.css"
sed -e 's|//# sourceMappingURL=.*$||' "$g/govuk-frontend.min.js" > "$out/govuk-frontend/govuk-frontend.min.js"
cp scripts/licences/govuk-frontend-LICENCE.txt "$out/govuk-frontend/LICENCE.txt"
cp "$work/htmx.org-$HTMX/package/dist/htmx.min.js" "$out/htmx/htmx.min.js"
cp "$work/htmx.org-$HTMX/package/LICENSE" "$out/htmx/LICENCE.txt"
sed -e 's|//# sourceMappingURL=.*$||' "$work/chart.js-$CHARTJS/package/dist/chart.umd.js" > "$out/chartjs/chart.umd.js"
cp "$work/chart.js-$CHARTJS/package/LICENSE.md" "$out/chartjs/LICENCE.txt"
cp "$work/axe-core-$AXE/package/axe.min.js" tests/web/vendor/axe-core/axe.min.js
cp "$work/axe-core-$AXE/package/LICENSE" tests/web/vendor/axe-core/LICENCE.txt
printf 'govuk-frontend %s\nhtmx.org %s\nchart.js %s\n' "$GOVUK" "$HTMX" "$CHARTJS" > "$out/VERSIONS"
printf 'axe-core %s\n' "$AXE" > tests/web/vendor/VERSIONS
echo "vendored govuk-frontend $GOVUK, htmx.org $HTMX, chart.js $CHARTJS, axe-core $AXE"
