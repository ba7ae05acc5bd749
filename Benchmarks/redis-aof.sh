#!/usr/bin/env bash
# SET with an append-only file: loop-redis (1 loop; it writes the log after each batch before replying, and with
# always as an io_uring WRITE + linked FSYNC for every batch waiting, replies held until it completes) against
# redis-server (writes in its event loop before replying; always: fsync there too), each with appendfsync everysec and
# always, and loop-redis without the file for the cost of it; SET at -P 1 and -P 16 from redis-benchmark. Reports req/s, p50/p99 and the server's CPU per request in
# Benchmarks/results/redis-aof.md. The file lives in a temporary directory (the disk under it is named in the report).
#
#   Benchmarks/redis-aof.sh      Environment: REQUESTS=200000 (per run at -P 1; 10x at -P 16) CONNECTIONS=50 KEYS=100000
#                                WARMUP=6 (seconds of load before each measured run)
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${REQUESTS:-200000}
CONNECTIONS=${CONNECTIONS:-50}
KEYS=${KEYS:-100000}
WARMUP=${WARMUP:-6}
source Benchmarks/lib.sh
need_commands redis-server:redis-server redis-benchmark:redis-tools redis-cli:redis-tools taskset:util-linux
log "building (Release)"
dotnet_build Samples/Redis
data=$(mktemp -d)
trap 'stop_server; rm -rf "$data" "$server_log"' EXIT

cpu_seconds() { awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/$1/stat"; }

rows=()
# run NAME FSYNC READY COMMAND...: SET at -P 1 and -P 16 on a fresh server and directory.
run() {
    local name=$1 fsync=$2 ready=$3 pipeline requests before after csv rps p50 p99; shift 3
    for pipeline in 1 16; do
        requests=$REQUESTS
        ((pipeline == 1)) || requests=$((REQUESTS * 10))
        rm -rf "${data:?}"/*
        wait_for_quiet
        start_server "$ready" "$@"
        # An untimed warm-up of WARMUP seconds, the same for both servers: loop-redis reaches its steady pace (tier-1
        # code, PGO) after a few seconds of load; a warm-up counted in requests ended before that at -P 16.
        timeout "$WARMUP" taskset -c "$CLIENT_CPU" redis-benchmark -p "$PORT" -c "$CONNECTIONS" -n 1000000000 -r "$KEYS" \
            -P "$pipeline" -t set -q >/dev/null || true
        before=$(cpu_seconds "$server_pid")
        csv=$(taskset -c "$CLIENT_CPU" redis-benchmark -p "$PORT" -c "$CONNECTIONS" -n "$requests" -r "$KEYS" -P "$pipeline" -t set --csv | tail -n 1 | tr -d '"')
        after=$(cpu_seconds "$server_pid")
        stop_server
        IFS=, read -r _ rps _ _ p50 _ p99 _ <<<"$csv"
        rows+=("| $name | $fsync | $pipeline | $rps | $p50 / $p99 | $(awk -v a="$before" -v b="$after" -v n="$requests" 'BEGIN { printf "%.2f", (b - a) / n * 1e6 }') |")
        log "$name $fsync -P $pipeline: $rps req/s"
    done
}
loop=("${LOOP_REDIS_ENV[@]}" dotnet Samples/Redis/bin/Release/net10.0/loop-redis.dll --port "$PORT" --loops 1 --save "" --dir "$data")
redis=(redis-server --port "$PORT" --save "" --dir "$data")
run loop-redis "(no file)" "listening on" "${loop[@]}" --appendonly no
for fsync in everysec always; do
    run loop-redis "$fsync" "listening on" "${loop[@]}" --appendonly yes --appendfsync "$fsync"
    run redis-server "$fsync" "Ready to accept connections" "${redis[@]}" --appendonly yes --appendfsync "$fsync"
done

mkdir -p "$RESULTS"
{
    echo "# SET with an append-only file"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'): \`Benchmarks/redis-aof.sh\`"
    echo
    echo "- $(machine)"
    echo "- Disk under the file: $(df --output=source,fstype "$data" | tail -n 1)"
    echo "- Server on CPU $SERVER_CPU (loop-redis: 1 loop), redis-benchmark on CPU $CLIENT_CPU: $CONNECTIONS connections,"
    echo "  SET on $KEYS random keys, $REQUESTS requests at -P 1 and $((REQUESTS * 10)) at -P 16, after $WARMUP s of untimed load"
    echo
    echo "| server | appendfsync | -P | req/s | p50 / p99 ms | server CPU-s per 1M requests |"
    echo "|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
} | tee "$RESULTS/redis-aof.md"
