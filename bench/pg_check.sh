#!/usr/bin/env bash
# pg_check.sh — `make pg` (part of `make check`): the deconfliction engine's
# conflict sets and distances must equal PostGIS's on a generated set.
# Starts a throw-away PostgreSQL 15 + PostGIS cluster (bench/pg_cluster.sh),
# runs build/bench/deconflict --check on a small set, and removes the cluster
# on exit, whatever happens. Exit status: deconflict's (1 on any mismatch).
#
# Environment: PG_CHECK_ARGS replaces deconflict's size flags (default:
# 10,000 sites, 1,500 movements, 300 unit positions, 1,500 queries, about
# 10 s); PG_BIN as in pg_cluster.sh.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# shellcheck source=bench/pg_cluster.sh
. bench/pg_cluster.sh

[ -n "${MAKELEVEL:-}" ] || make --no-print-directory -s build/bench/deconflict

trap pg_cluster_stop EXIT
trap 'exit 130' INT TERM
START=$(date +%s)
pg_cluster_start
echo "pg_check: PostgreSQL with PostGIS in $PG_CLUSTER_DIR (unix socket only), up in $(( $(date +%s) - START )) s"
# shellcheck disable=SC2086
build/bench/deconflict --check ${PG_CHECK_ARGS:---sites 10000 --movements 1500 --units 300 --queries 1500}
echo "pg_check: the engine's conflict sets equal PostGIS's ($(( $(date +%s) - START )) s)"
