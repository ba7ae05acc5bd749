#!/usr/bin/env bash
# BGSAVE under load: loop-redis (a point-in-time snapshot written by a thread while the loops serve) against
# redis-server (fork and copy-on-write), each filled with KEYS keys by DEBUG POPULATE. For each server, GET and SET
# from redis-benchmark (-P 1, random keys of the filled set) run twice for the same number of requests: once quiet,
# once with a BGSAVE started as the load begins. Reports the BGSAVE's time and the requests' p50/p99/max latency
# both ways, in Benchmarks/results/redis-bgsave.md.
#
#   Benchmarks/redis-bgsave.sh      Environment: KEYS=1000000 VALUE=100 (bytes) REQUESTS=600000 CONNECTIONS=50
#                                   WARMUP=6 (seconds of GET and SET load after filling, before the runs)
set -euo pipefail
cd "$(dirname "$0")/.."
KEYS=${KEYS:-1000000}
VALUE=${VALUE:-100}
REQUESTS=${REQUESTS:-600000}
WARMUP=${WARMUP:-6}
CONNECTIONS=${CONNECTIONS:-50}
source Benchmarks/lib.sh
need_commands redis-server:redis-server redis-benchmark:redis-tools redis-cli:redis-tools taskset:util-linux
log "building (Release)"
dotnet_build Samples/Redis
data=$(mktemp -d)
trap 'stop_server; rm -rf "$data" "$server_log"' EXIT

cli() { redis-cli -p "$PORT" "$@"; }
field() { cli INFO "${2:-persistence}" | tr -d '\r' | sed -n "s/^$1://p"; }
# The collector's pause total so far (loop-redis's INFO memory; 0 for redis-server, which has none).
gc_pause() { local ms; ms=$(field gc_pause_total_ms memory); echo "${ms:-0}"; }

# measure TEST WITH_BGSAVE: one redis-benchmark run; prints "req/s p50 p99 max bgsave_seconds gc_pause_ms".
measure() {
    local test=$1 with=$2 started ended=0 csv paused
    wait_for_quiet
    paused=$(gc_pause)
    taskset -c "$CLIENT_CPU" redis-benchmark -p "$PORT" -c "$CONNECTIONS" -n "$REQUESTS" -r "$KEYS" -d "$VALUE" -t "$test" --csv \
        >"$data/bench.csv" 2>/dev/null &
    local bench=$!
    if [[ $with == 1 ]]; then
        started=$(date +%s.%N)
        cli BGSAVE >/dev/null
        while [[ $(field rdb_bgsave_in_progress) != 0 ]]; do sleep 0.01; done
        ended=$(echo "$(date +%s.%N) - $started" | bc)
        [[ $(field rdb_last_bgsave_status) == ok ]] || { log "BGSAVE failed"; exit 1; }
    fi
    wait "$bench"
    # "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
    csv=$(tail -n 1 "$data/bench.csv" | tr -d '"')
    IFS=, read -r _ rps _ _ p50 _ p99 max <<<"$csv"
    printf '%s %s %s %s %.2f %s\n' "$rps" "$p50" "$p99" "$max" "$ended" "$(($(gc_pause) - paused))"
}

rows=()
# run NAME READY COMMAND...: fills the server, then GET and SET quiet and during a BGSAVE.
run() {
    local name=$1 ready=$2 test rps p50 p99 max took gc; shift 2
    start_server "$ready" "$@"
    cli DEBUG POPULATE "$KEYS" key "$VALUE" >/dev/null
    log "$name: $(cli DBSIZE) keys"
    # An untimed warm-up of WARMUP seconds, the same for both: loop-redis reaches its steady code (tier-1, PGO) after a
    # few seconds of load, and a first measured run would otherwise pay for it.
    timeout "$WARMUP" taskset -c "$CLIENT_CPU" redis-benchmark -p "$PORT" -c "$CONNECTIONS" -n 1000000000 -r "$KEYS" -d "$VALUE" \
        -t get,set -q >/dev/null || true
    for test in get set; do
        read -r rps p50 p99 max _ gc < <(measure "$test" 0)
        rows+=("| $name | ${test^^} | quiet | $rps | $p50 | $p99 | $max | | $gc |")
        read -r rps p50 p99 max took gc < <(measure "$test" 1)
        rows+=("| $name | ${test^^} | during BGSAVE | $rps | $p50 | $p99 | $max | $took | $gc |")
        log "$name ${test^^}: p99 ${p99} ms during a ${took} s BGSAVE"
    done
    stop_server
    rm -f "$data"/*.rdb
}
run loop-redis "listening on" "${LOOP_REDIS_ENV[@]}" dotnet Samples/Redis/bin/Release/net10.0/loop-redis.dll --port "$PORT" --loops 1 --save "" --dir "$data"
run redis-server "Ready to accept connections" redis-server --port "$PORT" --save "" --appendonly no --dir "$data" --enable-debug-command yes

mkdir -p "$RESULTS"
{
    echo "# BGSAVE under load"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'): \`Benchmarks/redis-bgsave.sh\`"
    echo
    echo "- $(machine)"
    echo "- Server on CPU $SERVER_CPU (loop-redis: 1 loop), redis-benchmark on CPU $CLIENT_CPU: $CONNECTIONS connections, -P 1,"
    echo "  $REQUESTS requests on random keys of $KEYS filled by DEBUG POPULATE ($VALUE-byte values), after $WARMUP s of load; each test run quiet,"
    echo "  then again with a BGSAVE started as the load begins (its time measured to the end of rdb_bgsave_in_progress)"
    echo
    echo "| server | test | run | req/s | p50 ms | p99 ms | max ms | BGSAVE s | GC pauses ms |"
    echo "|---|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
} >"$RESULTS/redis-bgsave.md"
log "saved $RESULTS/redis-bgsave.md"
