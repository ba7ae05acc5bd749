#!/usr/bin/env bash
# A PostgreSQL server for the HTTP sample's database routes and their tests, on a spare port with its data in a
# temporary folder: TechEmpower's hello_world database (user benchmarkdbuser, password benchmarkdbpass).
#   scripts/postgres.sh start   install PostgreSQL from Debian's packages when missing, create the database the
#                               first time, start the server (nothing to do when it runs already)
#   scripts/postgres.sh halt    stop the server, keeping its data (start brings it back)
#   scripts/postgres.sh stop    stop the server and delete its data
# LOOP_PG_PORT (5433) and LOOP_PG_DATA (/tmp/loop-postgres-PORT) choose where; CPU pinning: LOOP_PG_CPUS (taskset list).
set -euo pipefail
port=${LOOP_PG_PORT:-5433}
data=${LOOP_PG_DATA:-/tmp/loop-postgres-$port}
schema="$(cd "$(dirname "$0")" && pwd)/hello_world.sql"

bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

# PostgreSQL refuses to run as root: its commands run as the postgres user that Debian's package creates.
as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install() {
    [ -n "$(bin_dir)" ] && [ -x "$(bin_dir)/initdb" ] && return
    echo "installing PostgreSQL (Debian's postgresql package)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
}

running() { [ -f "$data/postmaster.pid" ] && as_postgres "$(bin_dir)/pg_ctl" -D "$data" status >/dev/null 2>&1; }

create() {
    mkdir -p "$data" && chown postgres: "$data" 2>/dev/null || true
    as_postgres "$(bin_dir)/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 \
        --locale=C.UTF-8 >/dev/null
    cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$data'
max_connections = 400
# As TechEmpower's own server: a benchmark's updates need not wait for the disk.
synchronous_commit = off
CONF
    launch
    psql_root -d postgres -c "CREATE USER benchmarkdbuser WITH PASSWORD 'benchmarkdbpass'" \
        -c "CREATE DATABASE hello_world OWNER benchmarkdbuser" >/dev/null
    psql_root -d hello_world -f "$schema" >/dev/null
    echo "PostgreSQL: created hello_world in $data"
}

psql_root() { as_postgres "$(bin_dir)/psql" -h "$data" -p "$port" -U postgres -v ON_ERROR_STOP=1 -q "$@"; }

launch() {
    local start=("$(bin_dir)/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start)
    if [ -n "${LOOP_PG_CPUS:-}" ]; then as_postgres taskset -c "$LOOP_PG_CPUS" "${start[@]}" >/dev/null
    else as_postgres "${start[@]}" >/dev/null; fi
}

case "${1:-}" in
    start)
        install
        if [ ! -f "$data/PG_VERSION" ]; then create
        elif ! running; then launch; fi
        echo "PostgreSQL: Host=127.0.0.1;Port=$port;Database=hello_world;Username=benchmarkdbuser;Password=benchmarkdbpass"
        ;;
    halt)
        if running; then as_postgres "$(bin_dir)/pg_ctl" -D "$data" -m fast -w stop >/dev/null; fi
        ;;
    stop)
        if [ -n "$(bin_dir)" ] && running; then as_postgres "$(bin_dir)/pg_ctl" -D "$data" -m fast -w stop >/dev/null; fi
        rm -rf "$data"
        ;;
    *) echo "usage: $0 start|halt|stop" >&2; exit 2 ;;
esac
