# shellcheck shell=bash
# pg_cluster.sh — a throw-away PostgreSQL 15 cluster with PostGIS, for the
# benchmarks and checks that compare with it (bench/pg_check.sh, bench/run.sh
# deconflict). Sourced, not run:
#
#   . bench/pg_cluster.sh
#   pg_cluster_start          # sets PGCONN (and PG_CLUSTER_DIR); returns nonzero if it cannot
#   ... build/bench/deconflict ...
#   pg_cluster_stop           # stops the server and removes the folder (idempotent)
#
# The cluster lives in a fresh temporary folder: data, log and the unix
# socket, no TCP listener at all. Debian's binaries (/usr/lib/postgresql/15/bin,
# or PG_BIN). PostgreSQL refuses to run as root: when uid is 0 the server runs
# as the `postgres` user (runuser, else su) and the folder is handed to it.
# The database is `bench` with the postgis and btree_gist extensions. Settings
# are for a disposable cluster (fsync off, no WAL archiving) and a fair query
# benchmark (shared_buffers 256MB, no parallel workers on a 2-core machine).
# The caller sets a trap that calls pg_cluster_stop.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_CLUSTER_DIR=
PG_CLUSTER_USER=

# Runs a command as the cluster's owner.
pg_cluster_as() {
    if [ -n "$PG_CLUSTER_USER" ]; then
        if command -v runuser >/dev/null 2>&1; then
            runuser -u "$PG_CLUSTER_USER" -- "$@"
        else
            su -s /bin/sh "$PG_CLUSTER_USER" -c "$(printf '%q ' "$@")"
        fi
    else
        "$@"
    fi
}

pg_cluster_start() {
    if [ ! -x "$PG_BIN/initdb" ] || [ ! -x "$PG_BIN/pg_ctl" ]; then
        echo "pg_cluster: no PostgreSQL in $PG_BIN (apt-get install postgresql-15 postgresql-15-postgis-3, or set PG_BIN)" >&2
        return 1
    fi
    if ! ls "$("$PG_BIN/pg_config" --sharedir 2>/dev/null || echo /usr/share/postgresql/15)"/extension/postgis.control >/dev/null 2>&1; then
        echo "pg_cluster: PostGIS is not installed for this PostgreSQL (apt-get install postgresql-15-postgis-3)" >&2
        return 1
    fi
    PG_CLUSTER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/truce-pg.XXXXXX") || return 1
    PG_CLUSTER_USER=
    if [ "$(id -u)" = 0 ]; then
        PG_CLUSTER_USER=postgres
        if ! id "$PG_CLUSTER_USER" >/dev/null 2>&1; then
            echo "pg_cluster: running as root and there is no postgres user to run the server as" >&2
            return 1
        fi
        chown "$PG_CLUSTER_USER" "$PG_CLUSTER_DIR"
        # The postgres user must be able to reach the folder.
        chmod 755 "$PG_CLUSTER_DIR"
    fi
    local log=$PG_CLUSTER_DIR/server.log
    if ! pg_cluster_as "$PG_BIN/initdb" -D "$PG_CLUSTER_DIR/data" -U bench -A trust -E UTF8 --locale=C.UTF-8 \
            --no-sync >"$PG_CLUSTER_DIR/initdb.log" 2>&1; then
        echo "pg_cluster: initdb failed:" >&2
        tail -20 "$PG_CLUSTER_DIR/initdb.log" >&2
        return 1
    fi
    # One line: pg_ctl hands -o to a shell, where a newline would end the
    # command before its log redirection.
    local o="-c listen_addresses='' -c unix_socket_directories='$PG_CLUSTER_DIR' -c fsync=off"
    o+=" -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=256MB -c work_mem=32MB"
    o+=" -c maintenance_work_mem=256MB -c max_parallel_workers_per_gather=0"
    o+=" -c max_parallel_maintenance_workers=0 -c jit=off -c max_wal_size=4GB"
    if ! pg_cluster_as "$PG_BIN/pg_ctl" -D "$PG_CLUSTER_DIR/data" -l "$log" -w -t 60 -o "$o" start >/dev/null; then
        echo "pg_cluster: the server did not start:" >&2
        tail -20 "$log" >&2
        return 1
    fi
    # Trust authentication on a socket only its folder's users can reach: the
    # client may be any OS user (root included) connecting as role bench.
    if ! "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "host=$PG_CLUSTER_DIR dbname=postgres user=bench" \
            -c "CREATE DATABASE bench" >/dev/null 2>"$PG_CLUSTER_DIR/psql.err"; then
        echo "pg_cluster: CREATE DATABASE failed:" >&2
        cat "$PG_CLUSTER_DIR/psql.err" >&2
        return 1
    fi
    PGCONN="host=$PG_CLUSTER_DIR dbname=bench user=bench"
    if ! "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$PGCONN" \
            -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION btree_gist" >/dev/null 2>"$PG_CLUSTER_DIR/psql.err"; then
        echo "pg_cluster: CREATE EXTENSION postgis, btree_gist failed:" >&2
        cat "$PG_CLUSTER_DIR/psql.err" >&2
        return 1
    fi
    export PGCONN PG_CLUSTER_DIR
    return 0
}

pg_cluster_stop() {
    [ -n "$PG_CLUSTER_DIR" ] || return 0
    if [ -f "$PG_CLUSTER_DIR/data/postmaster.pid" ]; then
        pg_cluster_as "$PG_BIN/pg_ctl" -D "$PG_CLUSTER_DIR/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PG_CLUSTER_DIR"
    PG_CLUSTER_DIR=
}
