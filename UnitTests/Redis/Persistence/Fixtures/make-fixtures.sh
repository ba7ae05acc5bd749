#!/usr/bin/env bash
# Regenerates redis-7.0.rdb and redis-7.0.expected.txt from a real redis-server 7.0 (Debian's redis-server package):
# fills keys that force every encoding 7.0 writes, SAVEs, and has Redis itself describe every key, so the test that
# loads the file compares our decoder with Redis's own reading of it.
#
# Encodings forced: strings as int8/int16/int32, raw, LZF (compressible, over 20 bytes), empty and binary; lists as
# quicklist nodes that are listpacks (small), several of them with the inner ones LZF-compressed (list-compress-depth
# 1), and plain nodes (elements over the packed threshold); sets as intset and hashtable; sorted sets as listpack and
# skiplist (with inf, -inf, fractions); hashes as listpack and hashtable; keys with deadlines; databases 0 and 1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
port=${PORT:-$((20000 + RANDOM % 20000))}
redis-server --port "$port" --dir "$work" --save "" --appendonly no --list-compress-depth 1 \
    --hash-max-listpack-entries 128 --hash-max-listpack-value 64 --zset-max-listpack-entries 128 --set-max-intset-entries 512 \
    --enable-debug-command yes --daemonize yes --pidfile "$work/redis.pid" --logfile "$work/redis.log"
trap 'kill "$(cat "$work/redis.pid")" 2>/dev/null; rm -rf "$work"' EXIT
cli() { redis-cli -p "$port" "$@"; }
for _ in $(seq 50); do cli ping >/dev/null 2>&1 && break; sleep 0.1; done

version=$(cli info server | tr -d '\r' | sed -n 's/^redis_version://p')
case "$version" in 7.0.*) ;; *) echo "redis-server $version is not 7.0" >&2; exit 1 ;; esac

# Elements over 100 bytes go to plain quicklist nodes (the default threshold is 1 GB).
cli debug quicklist-packed-threshold 100 >/dev/null

deadline=4102444800000 # 2100-01-01: far enough that the fixture's keys stay live
cli set str:int8 42 >/dev/null
cli set str:int16 -1234 >/dev/null
cli set str:int32 2147483647 >/dev/null
cli set str:int64 9223372036854775807 >/dev/null
cli set str:leading-zero 007 >/dev/null
cli set str:raw "hello world" >/dev/null
cli set str:lzf "$(printf 'compressible %.0s' $(seq 40))" >/dev/null
cli set str:empty "" >/dev/null
printf 'bin\x00\x01\xfe\xff\r\nend' | cli -x set str:binary >/dev/null
cli set str:expiring "soon enough" >/dev/null
cli pexpireat str:expiring $deadline >/dev/null

cli rpush list:small a b 3 -4 "" >/dev/null
for i in $(seq 0 2999); do echo "RPUSH list:nodes element-$i $i"; done | cli >/dev/null
cli rpush list:plain short "$(printf 'x%.0s' $(seq 150))" also-short "$(printf 'y%.0s' $(seq 300))" >/dev/null
cli rpush list:expiring one two >/dev/null
cli pexpireat list:expiring $deadline >/dev/null

cli sadd set:intset 1 -2 300 70000 -5000000000 >/dev/null
cli sadd set:hashtable apple banana 12 >/dev/null
for i in $(seq 0 599); do echo "SADD set:big-intset $i"; done | cli >/dev/null

cli zadd zset:listpack 1 one 2.5 two-and-half -3 minus-three inf plus-inf -inf minus-inf 0 zero >/dev/null
for i in $(seq 0 199); do echo "ZADD zset:skiplist $i.25 member-$i"; done | cli >/dev/null
cli zadd zset:skiplist inf top -inf bottom >/dev/null

cli hset hash:listpack field value number 123 empty "" >/dev/null
for i in $(seq 0 599); do echo "HSET hash:hashtable field-$i value-$i"; done | cli >/dev/null
cli hset hash:long-value f "$(printf 'v%.0s' $(seq 100))" >/dev/null
cli pexpireat hash:long-value $deadline >/dev/null

cli -n 1 set db1:string "in database one" >/dev/null
cli -n 1 rpush db1:list x y z >/dev/null
cli -n 1 pexpireat db1:list $deadline >/dev/null

# The list nodes must include plain ones and LZF-compressed ones, or the file does not test them.
cli debug object list:nodes | grep -q 'ql_compressed:[1-9]' || { echo "list:nodes has no compressed node" >&2; exit 1; }
cli debug object list:plain | grep -q 'ql_nodes:4' || { echo "list:plain is not four nodes" >&2; exit 1; }
# Redis's own reading of every key (describe-keys.lua), which the test compares with ours.
cli --raw --eval "$here/describe-keys.lua" > "$here/redis-7.0.expected.txt"
cli save >/dev/null
cp "$work/dump.rdb" "$here/redis-7.0.rdb"
redis-check-rdb "$here/redis-7.0.rdb" | tail -1
echo "wrote $here/redis-7.0.rdb and redis-7.0.expected.txt ($(wc -l < "$here/redis-7.0.expected.txt") keys)"
