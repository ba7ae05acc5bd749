#!/usr/bin/env bash
# Runs Redis 7.0's own test suite (tests/ of Debian's redis source package) against loop-redis, in its external-server
# mode: the tests tagged external:skip are left out by the suite itself, and those that need DEBUG's internals here.
#   scripts/redis-test-suite.sh [UNIT...]     the units given (unit/type/list ...), or all that external mode runs
# Each unit runs on its own against a fresh loop-redis (built in Release first); one line per unit says how it went, and
# the failures follow it. Needs tclsh (Debian's tcl) and a deb-src entry for Debian's archive, both added when missing.
# Not part of ./test.sh: the whole suite takes a quarter of an hour, and docs/redis-compatibility.md lists what fails.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work=${LOOP_REDIS_SUITE_DIR:-/tmp/loop-redis-suite}
port=${LOOP_REDIS_SUITE_PORT:-21111}

command -v tclsh >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tcl >/dev/null; }
if [ ! -d "$work/redis/tests" ]; then
    mkdir -p "$work" && cd "$work"
    sources=/etc/apt/sources.list.d/loop-redis-suite.sources
    trap 'rm -f "$sources"' EXIT # the source entry is there only for this download
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' > "$sources"
    apt-get update -qq && apt-get source --download-only -qq redis >/dev/null 2>&1
    rm -f "$sources" && apt-get update -qq
    tar xzf redis_*.orig.tar.gz && mv redis-[0-9]* redis
    # The suite starts its helpers from src/; the tools are Debian's.
    for tool in redis-server redis-cli redis-benchmark redis-check-aof redis-check-rdb; do ln -sf "$(command -v $tool)" redis/src/$tool; done
fi
dotnet build "$root/Samples/Redis" -c Release -v q -nologo >/dev/null

units=("$@")
if [ ${#units[@]} -eq 0 ]; then
    mapfile -t units < <(cd "$work/redis/tests" && ls unit/*.tcl unit/type/*.tcl | sed 's/\.tcl$//' | grep -v -e list-common -e unit/tls -e cluster)
fi
log=$(mktemp)
for unit in "${units[@]}"; do
    data=$(mktemp -d)
    dotnet "$root/Samples/Redis/bin/Release/net10.0/loop-redis.dll" --port "$port" --dir "$data" >"$data/server.log" 2>&1 &
    server=$!
    for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    (cd "$work/redis" && timeout 900 ./runtest --host 127.0.0.1 --port "$port" --ignore-encoding --ignore-digest --timeout 60 \
        --clients 1 --tags -needs:debug --single "$unit" >"$log" 2>&1) || true
    kill -TERM $server; wait $server 2>/dev/null || true
    rm -rf "$data"
    failures=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -a -E '^\[(err|exception|TIMEOUT)\]' || true)
    if [ -z "$failures" ] && grep -aq "All tests passed" "$log"; then echo "ok   $unit"; else echo "FAIL $unit"; echo "$failures" | sed 's/^/     /'; fi
done
rm -f "$log"
