#!/usr/bin/env bash
# Regenerates aof/: an append-only file as a real redis-server 7.0 (Debian's redis-server package) leaves it, and what
# the test that loads it compares with.
#
# The server runs with appendonly yes, appendfsync always, timestamps annotations on (#TS: lines) and the history kept
# (aof-disable-auto-gc), so the manifest has all three types. Keys written before a BGREWRITEAOF end up in an RDB-preamble
# base, which Redis describes itself (base-keys.txt, by describe-keys.lua); the commands sent after it go to the incr
# file, and each is recorded as sent (incr-commands.txt: "db x<hex> x<hex> ...", one argument per x<hex>). Only
# commands Redis logs as they are sent are used (relative expiries, for one, are logged as absolute ones), with
# MULTI/EXEC around at least two writes (Redis logs a lone write without them). A second short run with an
# appendfilename that needs quoting keeps only its manifest (quoted-name.manifest).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'for pid in "$work"/*.pid; do [ -e "$pid" ] && kill "$(cat "$pid")"; done; rm -rf "$work"' EXIT

start() { # directory port [arguments...]
    local dir=$1 port=$2
    shift 2
    mkdir -p "$dir"
    redis-server --port "$port" --dir "$dir" --save "" --appendonly yes --appendfsync always --daemonize yes \
        --pidfile "$work/$port.pid" --logfile "$work/$port.log" "$@"
    for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && return; sleep 0.1; done
    echo "redis-server did not start: $(cat "$work/$port.log")" >&2
    exit 1
}
stop() { # port
    redis-cli -p "$1" shutdown >/dev/null
    while [ -e "$work/$1.pid" ]; do sleep 0.1; done
}

port=${PORT:-$((20000 + RANDOM % 20000))}
start "$work/main" "$port" --aof-use-rdb-preamble yes --aof-timestamp-enabled yes --aof-disable-auto-gc yes
cli() { redis-cli -p "$port" "$@"; }
version=$(cli info server | tr -d '\r' | sed -n 's/^redis_version://p')
case "$version" in 7.0.*) ;; *) echo "redis-server $version is not 7.0" >&2; exit 1 ;; esac

deadline=4102444800000 # 2100-01-01: far enough that the fixture's keys stay live

# Before the rewrite: these go to the base.
cli set str hello >/dev/null
cli pexpireat str $deadline >/dev/null
cli rpush list a b c >/dev/null
cli hset hash field value number 12 >/dev/null
cli sadd set x y 3 >/dev/null
cli zadd zset 1 one 2.5 two-and-half >/dev/null
printf 'MULTI\nSET tx:a 1\nINCR tx:b\nEXEC\n' | cli -n 1 >/dev/null
cli --raw --eval "$here/describe-keys.lua" > "$work/base-keys.txt"

cli bgrewriteaof >/dev/null
for _ in $(seq 100); do
    cli info persistence | tr -d '\r' | grep -q '^aof_rewrite_in_progress:0' \
        && cli info persistence | tr -d '\r' | grep -q '^aof_rewrite_scheduled:0' \
        && cli info persistence | tr -d '\r' | grep -q '^aof_last_bgrewrite_status:ok' && break
    sleep 0.1
done

# After the rewrite: each command sent to the incr file, recorded as sent. The pauses make Redis write a #TS:
# annotation (one per new second) at the start and before the transaction.
sleep 1.1
: > "$work/incr-commands.txt"
hex() { printf '%s' "$1" | xxd -p | tr -d '\n'; }
record() { # db arguments...
    local line=$1
    shift
    for argument in "$@"; do line+=" x$(hex "$argument")"; done
    echo "$line" >> "$work/incr-commands.txt"
}
send() { # db arguments...
    cli -n "$@" >/dev/null
    record "$@"
}
transaction() { # db, then one command per argument (words split on blanks)
    local db=$1
    shift
    { echo MULTI; printf '%s\n' "$@"; echo EXEC; } | cli -n "$db" >/dev/null
    record "$db" MULTI
    for command in "$@"; do read -ra words <<< "$command"; record "$db" "${words[@]}"; done
    record "$db" EXEC
}

send 0 set after:str "with spaces"
send 0 set empty ""
send 0 SET expiring value PXAT $deadline
send 0 rpush list d e
send 0 incr counter
send 0 del hash
send 1 set db1:after one
sleep 1.1
transaction 1 "SET tx:c 3" "INCR tx:c" "RPUSH db1:list z"
send 0 zadd zset 3 three
printf 'bin\0\1\r\n\377end' > "$work/binary"
cli -x set binary < "$work/binary" >/dev/null
echo "0 x$(hex set) x$(hex binary) x$(xxd -p "$work/binary" | tr -d '\n')" >> "$work/incr-commands.txt"
send 0 pexpireat list $deadline
stop "$port"
[ "$(grep -c '^#TS:' "$work/main/appendonlydir/appendonly.aof.2.incr.aof")" -ge 2 ] || { echo "the incr file has no annotations" >&2; exit 1; }

rm -rf "$here/aof"
mkdir -p "$here/aof"
cp -r "$work/main/appendonlydir" "$here/aof/appendonlydir"
cp "$work/base-keys.txt" "$work/incr-commands.txt" "$here/aof/"

quoted_port=$((port + 1))
start "$work/quoted" "$quoted_port" --appendfilename "$(printf 'odd "name"\tcafé.aof')"
stop "$quoted_port"
cp "$work/quoted/appendonlydir/"*.manifest "$here/aof/quoted-name.manifest"

redis-check-aof "$here/aof/appendonlydir/appendonly.aof.manifest" | tail -1
echo "wrote $here/aof: $(ls "$here/aof/appendonlydir" | wc -l) files, $(wc -l < "$here/aof/base-keys.txt") base keys, $(wc -l < "$here/aof/incr-commands.txt") incr commands"
