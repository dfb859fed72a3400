#!/usr/bin/env bash
# Copies the browser libraries from node_modules into web/vendor (served as
# static files; the app never loads anything from the network).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p web/vendor/leaflet
cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images web/vendor/leaflet/
if [ -d node_modules/chart.js/dist ]; then
  mkdir -p web/vendor/chart.js
  cp node_modules/chart.js/dist/chart.umd.js web/vendor/chart.js/ 2>/dev/null || cp node_modules/chart.js/dist/chart.umd.min.js web/vendor/chart.js/chart.umd.js
fi
