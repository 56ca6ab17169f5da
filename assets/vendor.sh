#!/usr/bin/env bash
# Copy the browser assets the app serves from the npm packages pinned in package-lock.json.
# Run by `make assets`; the copies are committed so that `make run` needs no npm.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../core/static/vendor"
cd "$here"
npm ci --no-audit --no-fund --silent
rm -rf "$out" && mkdir -p "$out/vazirmatn" "$out/jalalidatepicker" "$out/chartjs"
cp node_modules/vazirmatn/fonts/webfonts/Vazirmatn-Regular.woff2 \
   node_modules/vazirmatn/fonts/webfonts/Vazirmatn-Bold.woff2 \
   node_modules/vazirmatn/OFL.txt "$out/vazirmatn/"
cp node_modules/@majidh1/jalalidatepicker/dist/jalalidatepicker.min.js \
   node_modules/@majidh1/jalalidatepicker/dist/jalalidatepicker.min.css "$out/jalalidatepicker/"
cp node_modules/@majidh1/jalalidatepicker/LICENSE* "$out/jalalidatepicker/" 2>/dev/null || true
# the progress charts (a table beside each chart says the same for screen readers)
cp node_modules/chart.js/LICENSE.md "$out/chartjs/"
# without its source-map comment: the map is not served, and collectstatic's manifest refuses a dangling reference
sed '/^\/\/# sourceMappingURL=/d' node_modules/chart.js/dist/chart.umd.min.js > "$out/chartjs/chart.umd.min.js"
# the accessibility checker the browser tests inject (never served by the app)
tests="$here/../tests/browser/vendor/axe-core"
rm -rf "$tests" && mkdir -p "$tests"
cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE "$tests/"
echo "vendored into $out and $tests"
