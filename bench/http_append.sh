#!/usr/bin/env bash
# http_append.sh — durable appends per second through the HTTP API.
#
#   bench/http_append.sh [WRITERS...]        (default: 1 8 64 64 64 64 64)
#
# The 64-writer run is made five times by default: this machine's speed
# swings by up to a factor of two over minutes (other guests on the host),
# so one run says little; a last line gives their median, lowest and highest
# and how many met the target.
#
# Makes a data folder with `truce init` (the Gaza scenario when
# scenarios/gaza/scenario.json exists, else the tiny bench/scenarios/mini),
# serves it on a free 127.0.0.1 port, logs in as the CMCC watch officer
# (cmcc.watch, or watch in mini) and runs wrk with bench/journal_post.lua:
# POST /api/v1/journal with the bearer token, keep-alive connections,
# -t2 -c N -d 10s. A 201 is only sent once the event is fsynced, so 201s per
# second are durable appends per second. After each run it reads GET /metrics
# and reports the writer's mean batch size (truce_writer_batch_events_sum /
# _count) and the fsyncs of that run, and the server's CPU use.
#
# Environment: BENCH_HTTP_SECONDS (10), BENCH_TMP (a temp folder), TRUCE (./truce),
# BENCH_PERF=1 (profile the server with perf during the 64-writer run; BENCH_PERF_KEEP=FILE keeps perf.data).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TRUCE=${TRUCE:-$ROOT/truce}
DUR=${BENCH_HTTP_SECONDS:-10}
TARGET=20000
WRITERS=("$@")
[ ${#WRITERS[@]} -gt 0 ] || WRITERS=(1 8 64 64 64 64 64)

if ! command -v wrk >/dev/null 2>&1; then
    echo "http_append: wrk is missing; installing the Debian package" >&2
    if [ "$(id -u)" = 0 ]; then (apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }) >/dev/null 2>&1 || true
    else (sudo -n apt-get install -y wrk) >/dev/null 2>&1 || true; fi
fi
if ! command -v wrk >/dev/null 2>&1; then
    echo "http append: SKIPPED (wrk is not installed: apt-get install -y wrk)"
    exit 0
fi
[ -x "$TRUCE" ] || { echo "http_append: no $TRUCE; run make truce" >&2; exit 1; }

OWN_TMP=
if [ -z "${BENCH_TMP:-}" ]; then BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/truce-bench.XXXXXX"); OWN_TMP=1; fi
DIR=$BENCH_TMP/http
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$DIR"
    [ -z "$OWN_TMP" ] || rm -rf "$BENCH_TMP"
}
trap cleanup EXIT

rm -rf "$DIR"
if [ -f "$ROOT/scenarios/gaza/scenario.json" ]; then
    SCEN=gaza; USER_=cmcc.watch
    "$TRUCE" init "$DIR" --scenario gaza >/dev/null
else
    SCEN=mini; USER_=watch
    "$TRUCE" init "$DIR" --scenarios "$ROOT/bench/scenarios" --scenario mini >/dev/null
fi
PASS=$(awk -v u="$USER_" '$1 == u { print $2 }' "$DIR/demo-credentials.txt")
[ -n "$PASS" ] || { echo "http_append: no account $USER_ in $DIR/demo-credentials.txt" >&2; exit 1; }

# Serve on a free port: try random ones until the server answers /healthz.
BASE=
for _ in 1 2 3 4 5 6 7 8 9 10; do
    PORT=$(( 20000 + RANDOM % 40000 ))
    "$TRUCE" serve "$DIR" --listen "127.0.0.1:$PORT" >"$BENCH_TMP/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 100); do
        if curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then BASE=http://127.0.0.1:$PORT; break; fi
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    [ -z "$BASE" ] || break
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
done
[ -n "$BASE" ] || { echo "http_append: the server did not start:" >&2; cat "$BENCH_TMP/server.log" >&2; exit 1; }

LOGIN=$(curl -s -X POST -H 'Content-Type: application/json' \
    -d "{\"username\":\"$USER_\",\"password\":\"$PASS\"}" "$BASE/api/v1/session")
TOKEN=$(printf '%s' "$LOGIN" | sed -n 's/.*"token" *: *"\([0-9a-f]*\)".*/\1/p')
[ -n "$TOKEN" ] || { echo "http_append: login failed: $LOGIN" >&2; exit 1; }
export TRUCE_TOKEN=$TOKEN

# One POST by hand, so a broken route shows as an error rather than as a fast benchmark.
CODE=$(curl -s -o "$BENCH_TMP/one.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $TOKEN" -d '{"text":"benchmark probe (EXERCISE)"}' "$BASE/api/v1/journal")
if [ "$CODE" != 201 ]; then
    echo "http_append: POST /api/v1/journal answered $CODE: $(head -c 300 "$BENCH_TMP/one.json")" >&2
    exit 1
fi

metric() { curl -s "$BASE/metrics" | awk -v m="$1" '$1 == m { print $2; exit }'; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }
# Idle and total ticks of the whole machine (all cores), from /proc/stat.
idle_ticks() { awk '$1 == "cpu" { print $5 + $6; exit }' /proc/stat; }
all_ticks() { awk '$1 == "cpu" { t = 0; for (i = 2; i <= NF; i++) t += $i; print t; exit }' /proc/stat; }
HZ=$(getconf CLK_TCK)

echo "http append: scenario $SCEN, user $USER_, wrk keep-alive, ${DUR}s per run, $(nproc) cores shared by wrk and the server"
# Warm-up (not reported).
wrk -t2 -c8 -d2s -s "$ROOT/bench/journal_post.lua" "$BASE/api/v1/journal" >/dev/null 2>&1 || true

RATE64=
RATES64=()
for N in "${WRITERS[@]}"; do
    T=2; [ "$N" -ge 2 ] || T=1
    S0=$(metric truce_writer_batch_events_sum); C0=$(metric truce_writer_batch_events_count)
    F0=$(metric truce_log_fsyncs_total); K0=$(cpu_ticks); I0=$(idle_ticks); A0=$(all_ticks)
    PERF_PID=
    if [ "${BENCH_PERF:-0}" = 1 ] && [ "$N" = 64 ] && command -v perf >/dev/null 2>&1; then
        perf record -q -F ${BENCH_PERF_FREQ:-999} --call-graph ${BENCH_PERF_CALLGRAPH:-fp} -p "$SERVER_PID" -o "$BENCH_TMP/perf-http.data" 2>/dev/null &
        PERF_PID=$!
    fi
    OUT=$(wrk -t"$T" -c"$N" -d"${DUR}s" --timeout 10s -s "$ROOT/bench/journal_post.lua" "$BASE/api/v1/journal" 2>&1) || true
    if [ -n "$PERF_PID" ]; then
        kill -INT "$PERF_PID" 2>/dev/null || true
        wait "$PERF_PID" 2>/dev/null || true
    fi
    K1=$(cpu_ticks); I1=$(idle_ticks); A1=$(all_ticks)
    S1=$(metric truce_writer_batch_events_sum); C1=$(metric truce_writer_batch_events_count)
    F1=$(metric truce_log_fsyncs_total)
    LINE=$(printf '%s\n' "$OUT" | grep '^BENCH ' | tail -1 || true)
    if [ -z "$LINE" ]; then
        echo "http append  $N writers: wrk failed:"; printf '%s\n' "$OUT" | sed 's/^/    /'
        continue
    fi
    get() { printf '%s\n' "$LINE" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2 }'; }
    REQ=$(get requests); DUS=$(get duration_us); NON=$(get non2xx)
    ERRS=$(( $(get connect) + $(get read) + $(get write) + $(get timeout) ))
    awk -v n="$N" -v req="$REQ" -v dus="$DUS" -v non="$NON" -v errs="$ERRS" \
        -v p50="$(get p50_us)" -v p99="$(get p99_us)" -v mx="$(get max_us)" \
        -v s="$(( S1 - S0 ))" -v c="$(( C1 - C0 ))" -v f="$(( F1 - F0 ))" \
        -v ticks="$(( K1 - K0 ))" -v hz="$HZ" -v idle="$(( I1 - I0 ))" -v all="$(( A1 - A0 ))" -v target="$TARGET" 'BEGIN {
        sec = dus / 1e6; ok = req - non; rate = ok / sec
        if (n == 64) tgt = sprintf("target >= %d/s at 64 writers: %s", target, rate >= target ? "MET" : "MISSED")
        else tgt = sprintf("target: none at %d (>= %d/s at 64)", n, target)
        printf "http append %2d writers: %8.0f events/s   p50 %7.2f ms  p99 %7.2f ms  max %7.1f ms   non-2xx %d  socket errors %d   batch mean %5.1f  fsyncs %d (%.0f/s)  server CPU %.2f cores, machine idle %.0f%%   [%s]\n",
            n, rate, p50 / 1000, p99 / 1000, mx / 1000, non, errs, c ? s / c : 0, f, f / sec, ticks / hz / sec, all ? 100 * idle / all : 0, tgt
    }'
    [ "$N" != 64 ] || RATE64=$(awk -v r="$REQ" -v n="$NON" -v d="$DUS" 'BEGIN { printf "%.0f", (r - n) / (d / 1e6) }')
    [ "$N" != 64 ] || RATES64+=("$RATE64")
done
if [ ${#RATES64[@]} -gt 1 ]; then
    printf '%s\n' "${RATES64[@]}" | sort -n | awk -v target="$TARGET" '{ r[NR] = $1; met += $1 >= target } END {
        med = NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2
        printf "http append 64 writers over %d runs: median %.0f events/s, lowest %.0f, highest %.0f; %d of %d at or above %d/s   [target >= %d/s: %s at the median]\n",
            NR, med, r[1], r[NR], met, NR, target, target, (med >= target ? "MET" : "MISSED") }'
fi
if [ "${BENCH_PERF:-0}" = 1 ] && [ -f "$BENCH_TMP/perf-http.data" ]; then
    echo "http append: server profile at 64 writers (perf, self time, top 40):"
    perf report -i "$BENCH_TMP/perf-http.data" --stdio --no-children --sort dso,symbol 2>/dev/null |
        grep -E '^ +[0-9.]+%' | head -40 || true
    [ -z "${BENCH_PERF_KEEP:-}" ] || cp "$BENCH_TMP/perf-http.data" "$BENCH_PERF_KEEP"
fi
# The peer: the cheapest route on the same server and connections (no auth,
# no log), i.e. what HTTP alone costs on this machine.
PEER=$(wrk -t2 -c64 -d5s "$BASE/healthz" 2>&1 | awk '/^Requests\/sec:/ { print $2 }')
if [ -n "$PEER" ]; then
    awk -v p="$PEER" -v r="${RATE64:-0}" 'BEGIN {
        printf "http peer: GET /healthz with 64 connections (no auth, no log): %.0f requests/s", p
        if (r > 0) printf "; POST /api/v1/journal at 64 writers is %.1f%% of it", 100 * r / p
        printf "   [target: none]\n" }'
fi
echo "http append: metrics after the runs: truce_writer_batch_events_sum $(metric truce_writer_batch_events_sum), _count $(metric truce_writer_batch_events_count), truce_log_fsyncs_total $(metric truce_log_fsyncs_total), truce_log_size $(metric truce_log_size)"
