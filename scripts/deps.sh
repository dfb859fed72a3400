#!/usr/bin/env bash
# Installs what Truce needs on Debian 12 when it is missing: the C libraries
# (-dev packages), Node.js and npm for the browser assets and tests, Debian's
# Chromium for the browser tests (poppler-utils: pdftotext reads the printed
# SITREP back), wrk for the benchmarks. Never downloads a
# browser through npm.
set -euo pipefail
pkgs=(build-essential pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev libsodium-dev libjemalloc-dev
      libcmocka-dev libgeos-dev libproj-dev proj-bin libpq-dev postgresql postgresql-15-postgis-3
      nodejs npm chromium poppler-utils wrk sqlite3)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs/npm may come from elsewhere (nodesource); accept working binaries.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
want=()
for p in "${missing[@]}"; do [ -n "$p" ] && want+=("$p"); done
if [ ${#want[@]} -gt 0 ]; then
  echo "installing: ${want[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${want[@]}"
fi
