#!/usr/bin/env bash
# run.sh — `make bench`: builds the C benchmarks into build/bench/ against the
# library objects (every build/*.o of src/*.c except main.o) and runs them.
# Every benchmark prints its figures with the target beside them; none asserts.
#
#   bench/run.sh                 all of them: proof, log, replay, http, deconflict, monitor, ddr
#   bench/run.sh proof|log|replay|http|deconflict|monitor|ddr ...   only those
#
# Environment (defaults in brackets):
#   BENCH_LOG_SECONDS [5]     duration of each direct log run
#   BENCH_WRITERS [1 8 64]    writer counts for the log and HTTP runs
#   BENCH_HTTP_WRITERS [BENCH_WRITERS and 64 four more times]  the HTTP runs (the median of the 64s is reported)
#   BENCH_EVENTS [1000000]    events in the replay log
#   BENCH_RECEIPTS [20000]    log_receipt calls on the replayed log
#   BENCH_HTTP_SECONDS [10]   duration of each wrk run
#   BENCH_REPLAY_DIR          reuse (or keep) this replay data folder instead of a temp one
#   BENCH_PERF=1              also profile the replay with perf and print the top functions
#   BENCH_BREAKDOWN=0         skip the replay breakdown (scan / parse / hash)
#   BENCH_DECONFLICT_ARGS     flags for build/bench/deconflict [the issue's sizes: none]
#   BENCH_DDR_ARGS            PEOPLE WEAPONS REGISTRATIONS for build/bench/ddr [200000 500000 10000]
#   BENCH_DECONFLICT_HTTP=0   skip its HTTP half (loading the data into a fresh server takes about 9 minutes)
#   BENCH_MON_INCIDENTS [1000000], BENCH_MON_CONSIGNMENTS [200000]   sizes of the monitoring benchmark
#   BENCH_MON_REPS [30]       requests per dashboard query and reader
#   BENCH_MON_REPLAY=0        skip its replay of the folder
#   BENCH_MON_SNAPSHOT=1      also time its truce_close (snapshot) and a start from the snapshot
#   BENCH_CPU_CLOCK=1         the C benchmarks time calls with the thread CPU clock (a busy machine)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
WRITERS=${BENCH_WRITERS:-1 8 64}
EVENTS=${BENCH_EVENTS:-1000000}
PKGS="libmicrohttpd jansson sqlite3 libsodium geos proj"

WHAT=("$@")
[ ${#WHAT[@]} -gt 0 ] || WHAT=(proof log replay http deconflict monitor ddr)
for w in "${WHAT[@]}"; do
    case $w in proof|log|replay|http|deconflict|monitor|ddr) ;; *) echo "usage: bench/run.sh [proof|log|replay|http|deconflict|monitor|ddr]..." >&2; exit 2 ;; esac
done

# `make bench` has built ./truce already; when run alone, make sure it is current.
[ -n "${MAKELEVEL:-}" ] || make --no-print-directory -s truce

LIBOBJ=()
for f in src/*.c; do
    n=$(basename "$f" .c)
    [ "$n" = main ] || LIBOBJ+=("build/$n.o")
done
mkdir -p build/bench
# shellcheck disable=SC2086
FLAGS="-std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Isrc $(pkg-config --cflags $PKGS)"
# shellcheck disable=SC2086
LIBS="$(pkg-config --libs $PKGS) -lm -pthread $(pkg-config --libs jemalloc 2>/dev/null || true)" # the server's allocator (Makefile)
build_one() {
    local n=$1
    local out=build/bench/$n
    local newest=bench/$n.c
    for o in bench/bench.h src/*.h "${LIBOBJ[@]}"; do
        if [ "$o" -nt "$newest" ]; then newest=$o; fi
    done
    if [ ! -x "$out" ] || [ "$newest" -nt "$out" ]; then
        # shellcheck disable=SC2086
        ${CC:-cc} $FLAGS -o "$out" "bench/$n.c" "${LIBOBJ[@]}" $LIBS
    fi
}
for n in log_append replay proof; do build_one "$n"; done
# deconflict links libpq too: the Makefile has its rule.
make --no-print-directory -s build/bench/deconflict build/bench/monitor build/bench/ddr

# shellcheck source=bench/pg_cluster.sh
. bench/pg_cluster.sh
BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/truce-bench.XXXXXX")
export BENCH_TMP
trap 'stop_truce; pg_cluster_stop; rm -rf "$BENCH_TMP"' EXIT

# A fresh `truce serve` of the Gaza scenario on a free 127.0.0.1 port, logged
# in as cmcc.watch (who may write sites, the no-strike list and movements and
# see them all): sets TRUCE_URL and TRUCE_TOKEN. The deconfliction benchmark
# loads its data into it through the API.
TRUCE_PID=
start_truce() {
    local dir=$1 port pass
    rm -rf "$dir"
    ./truce init "$dir" --scenario gaza >/dev/null || return 1
    pass=$(awk '$1 == "cmcc.watch" { print $2 }' "$dir/demo-credentials.txt")
    [ -n "$pass" ] || return 1
    TRUCE_URL=
    for _ in 1 2 3 4 5; do
        port=$(( 20000 + RANDOM % 40000 ))
        ./truce serve "$dir" --listen "127.0.0.1:$port" >"$dir.log" 2>&1 &
        TRUCE_PID=$!
        for _ in $(seq 1 100); do
            if curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then TRUCE_URL=http://127.0.0.1:$port; break; fi
            kill -0 "$TRUCE_PID" 2>/dev/null || break
            sleep 0.1
        done
        [ -z "$TRUCE_URL" ] || break
        stop_truce
    done
    [ -n "$TRUCE_URL" ] || { cat "$dir.log" >&2; return 1; }
    TRUCE_TOKEN=$(curl -s -X POST -H 'Content-Type: application/json' \
        -d "{\"username\":\"cmcc.watch\",\"password\":\"$pass\"}" "$TRUCE_URL/api/v1/session" |
        sed -n 's/.*"token" *: *"\([0-9a-f]*\)".*/\1/p')
    [ -n "$TRUCE_TOKEN" ]
}
stop_truce() {
    if [ -n "$TRUCE_PID" ] && kill -0 "$TRUCE_PID" 2>/dev/null; then
        kill -TERM "$TRUCE_PID" 2>/dev/null || true
        wait "$TRUCE_PID" 2>/dev/null || true
    fi
    TRUCE_PID=
}

# A benchmark that fails says so and the others still run.
failed() { echo "$1: FAILED (exit code $?)"; }
section() { printf '\n== %s\n' "$1"; }
# Other work on the machine skews every figure here: say how busy it was.
busy() {
    printf 'load average %s; busiest other processes:' "$(cut -d' ' -f1-3 /proc/loadavg)"
    ps -eo pcpu=,comm= --sort=-pcpu 2>/dev/null | awk -v me="$$" 'NR <= 4 && $1 > 5 { printf " %s %s%%", $2, $1 } END { print "" }'
}
START=$(date +%s)
OUT=$BENCH_TMP/out.txt
: >"$OUT"
{
echo "truce benchmarks on $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%dT%H:%M:%SZ); data in $BENCH_TMP"
busy

for w in "${WHAT[@]}"; do
    case $w in
    proof)
        section "4. inclusion proofs at 1,000,000 leaves (merkle_inclusion; target <= 50 us per proof)"
        build/bench/proof 1000000 200000 || failed proof
        ;;
    log)
        section "2. durable appends directly against the log (log_start + N threads calling log_submit)"
        # shellcheck disable=SC2086
        build/bench/log_append "$BENCH_TMP" "${BENCH_LOG_SECONDS:-5}" $WRITERS || failed log
        rm -rf "$BENCH_TMP"/log-*
        ;;
    replay)
        section "3. replay of $EVENTS journal.added events (target <= 2 s per million) and 4b. log_receipt on that log"
        RDIR=${BENCH_REPLAY_DIR:-$BENCH_TMP/replay}
        if [ -f "$RDIR/truce.db" ]; then
            echo "replay: reusing $RDIR"
            # A folder built earlier may have left the page cache: read it
            # once so that replay is timed as it is right after a build.
            cat "$RDIR"/truce.db* >/dev/null
        else
            build/bench/replay build "$RDIR" "$EVENTS" || failed "replay build"
        fi
        if [ "${BENCH_PERF:-0}" = 1 ] && command -v perf >/dev/null 2>&1; then
            BENCH_BREAKDOWN=0 perf record -q -F 999 -g -o "$BENCH_TMP/perf.data" \
                build/bench/replay open "$RDIR" 0 2>/dev/null || true
            echo "replay profile (perf, self time, top 25):"
            perf report -i "$BENCH_TMP/perf.data" --stdio --no-children --sort symbol 2>/dev/null |
                grep -E '^ +[0-9.]+%' | head -25 || true
        fi
        # A clean close leaves DIR/snapshot: time a start from it, then the
        # replay of the whole log without it (the target's measure).
        if [ -f "$RDIR/snapshot" ]; then
            BENCH_BREAKDOWN=0 build/bench/replay open "$RDIR" 0 2>&1 | grep 'fresh process' |
                sed 's/^replay (fresh process)/start from snapshot (fresh process)/; s/\[target.*$/[target: none; the cache of a clean close]/'
            rm -f "$RDIR/snapshot"
        fi
        build/bench/replay open "$RDIR" "${BENCH_RECEIPTS:-20000}" || failed replay
        rm -f "$RDIR/snapshot" 
        [ -n "${BENCH_REPLAY_DIR:-}" ] || rm -rf "$RDIR"
        ;;
    http)
        section "1. durable appends through the HTTP API (POST /api/v1/journal, wrk; target >= 20,000/s with 64 writers)"
        # shellcheck disable=SC2086
        bench/http_append.sh ${BENCH_HTTP_WRITERS:-$WRITERS 64 64 64 64} || failed http
        ;;
    deconflict)
        section "5. deconfliction: 100,000 sites, 20,000 movements x 10 segments, 2,000 unit positions; 10,000 queries in process, in PostGIS and over HTTP (targets: p99 <= 50 us; >= 20 x PostGIS; the same conflict sets); then 1,000 operations a day, notice to decision-ready (target p99 <= 5 ms)"
        if pg_cluster_start; then
            echo "PostgreSQL with PostGIS in $PG_CLUSTER_DIR (unix socket only)"
        else
            echo "deconflict: no PostgreSQL/PostGIS cluster: the PostGIS half is skipped"
            unset PGCONN
        fi
        HTTP_ARGS=()
        if [ "${BENCH_DECONFLICT_HTTP:-1}" != 0 ]; then
            if start_truce "$BENCH_TMP/deconflict"; then
                HTTP_ARGS=(--http "$TRUCE_URL" --token "$TRUCE_TOKEN")
            else
                echo "deconflict: no server: the HTTP half is skipped"
            fi
        fi
        # The operations half (issue 6) runs on a data folder of its own,
        # opened in process as the server would.
        rm -rf "$BENCH_TMP/ops" && ./truce init "$BENCH_TMP/ops" --scenario gaza >/dev/null
        # shellcheck disable=SC2086
        build/bench/deconflict ${BENCH_DECONFLICT_ARGS:-} "${HTTP_ARGS[@]}" --ops "$BENCH_TMP/ops" || failed deconflict
        stop_truce
        pg_cluster_stop
        ;;
    monitor)
        section "6. monitoring (issue 7): ${BENCH_MON_INCIDENTS:-1000000} incidents and ${BENCH_MON_CONSIGNMENTS:-200000} consignments over a year; every dashboard query and the SITREP over HTTP as the CMCC and as a humanitarian (target: p99 <= 100 ms each); memory; replay"
        build/bench/monitor "$BENCH_TMP" || failed monitor
        rm -rf "$BENCH_TMP/monitor"
        ;;
    ddr)
        section "7. DDR: registration with every fraud check at 200,000 people and 500,000 weapons (target p99 <= 5 ms)"
        # shellcheck disable=SC2086
        build/bench/ddr ${BENCH_DDR_ARGS:-} || failed ddr
        ;;
    esac
done
} 2>&1 | tee "$OUT"

# Summary: every figure that has a target, and the HTTP / log ratio (the peer
# of an HTTP append is the same append without HTTP).
printf '\n== summary\n'
grep -E '\[target (>=|<=)' "$OUT" | sed -E 's/^ +//' || true
grep -E '^(conflict sets equal|HTTP conflict sets|HTTP POST|PostGIS, |movement inside|engine build:|  memory:)' "$OUT" || true
grep -E '^(queries: .* meet|load: |memory after load|truce_close \(writes|start from the snapshot \(fresh|replay of the whole log \(fresh)' "$OUT" || true
awk '/^log append +64 writers:/ { l = $5 } /^http append +64 writers:/ { h = $5 }
     END { if (l > 0 && h > 0) printf "HTTP / direct log at 64 writers: %.0f / %.0f = %.2f\n", h, l, h / l }' "$OUT"
busy
printf 'benchmarks done in %d s\n' "$(( $(date +%s) - START ))"
