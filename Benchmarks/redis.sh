#!/usr/bin/env bash
# Redis benchmark: loop-redis (one loop per server CPU) against Debian's redis-server (single-threaded), each
# alone on the server CPUs, driven by redis-benchmark on the client CPUs, in one run. Then memory per key in both.
# Prints a Markdown table and saves it with the machine and the commands to Benchmarks/results/redis.md (the
# chart's rows to Benchmarks/results/redis.tsv).
#
#   Benchmarks/redis.sh [--quick]        --quick: fewer requests, tests and keys
#
# Environment (defaults): SERVER_CPU=0 CLIENT_CPU=1 (taskset CPU lists) CLIENTS=50 KEYS=1000000
#                         REQUESTS=50000 (per test at -P 1) PIPELINED_REQUESTS=1000000 (per test at -P 16)
#                         TESTS=set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,mset
#                         WARMUP=1 (seconds of untimed load per test before the runs, twice over)
#                         PORT=<free-ish port derived from this shell's pid>
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh # settings, log, start_server, stop_server (also on exit), wait_for_quiet, summary_row

CLIENTS=${CLIENTS:-50}
# -P 16 runs many times faster than -P 1: more requests keep its tests from ending before they settle.
REQUESTS=${REQUESTS:-50000}
PIPELINED_REQUESTS=${PIPELINED_REQUESTS:-1000000}
WARMUP=${WARMUP:-1}
KEYS=${KEYS:-1000000}
TESTS=${TESTS:-set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,mset}
for arg in "$@"; do
    case "$arg" in
        --quick) REQUESTS=10000 PIPELINED_REQUESTS=100000 KEYS=100000 TESTS=set,get,incr,lpush,lrange_100 ;;
        *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
    esac
done

LOOP_REDIS=Samples/Redis/bin/Release/net10.0/loop-redis.dll
# redis-benchmark is single-threaded unless told otherwise.
BENCH_THREADS=()
((CLIENT_CPUS > 1)) && BENCH_THREADS=(--threads "$CLIENT_CPUS")

need_commands redis-server:redis-server redis-benchmark:redis-tools redis-cli:redis-tools strace:strace
log "building (Release)"
dotnet_build Samples/Redis

cpu_seconds() { awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/$1/stat"; }
rss_bytes() { awk '/^VmRSS/ { print $2 * 1024 }' "/proc/$1/status"; }

# 1M SETs of key:N -> "value" in RESP, fed through redis-cli --pipe.
load_keys() {
    awk -v n="$KEYS" 'BEGIN { for (i = 0; i < n; i++) { k = "key:" i; printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$5\r\nvalue\r\n", length(k), k } }' \
        | redis-cli -p "$1" --pipe >/dev/null
}

# An empty directory of their own: a dump.rdb left in the working directory would otherwise be loaded at start.
data=$(mktemp -d)
trap 'stop_server; rm -rf "$server_log" "$data"' EXIT

declare -A rps p50 p99 cpu memory syscalls
commands=()
for server in redis-server loop-redis; do
    PORT=$((PORT + 1))
    case $server in
        redis-server) server_cmd=(redis-server --port "$PORT" --save "" --appendonly no --dir "$data") ; ready="Ready to accept connections" ;;
        loop-redis) server_cmd=("${LOOP_REDIS_ENV[@]}" dotnet "$LOOP_REDIS" --port "$PORT" --loops "$SERVER_CPUS" --save "" --dir "$data") ; ready="listening on" ;;
    esac
    commands+=("taskset -c $SERVER_CPU ${server_cmd[*]}")
    for pipeline in 1 16; do
        log "$server, -P $pipeline"
        requests=$REQUESTS
        ((pipeline == 1)) || requests=$PIPELINED_REQUESTS
        wait_for_quiet
        start_server "$ready" "${server_cmd[@]}"
        # The same untimed warm-up for both, timed rather than counted: loop-redis reaches its steady pace (tier-1
        # code, PGO) after a few seconds of load, which a warm-up of half the requests did not give every test.
        for _ in 1 2; do
            for test in ${TESTS//,/ }; do
                timeout "$WARMUP" taskset -c "$CLIENT_CPU" redis-benchmark -p "$PORT" -c "$CLIENTS" -n 1000000000 -P "$pipeline" \
                    -t "$test" "${BENCH_THREADS[@]}" -q >/dev/null || true
            done
        done
        bench_cmd=(redis-benchmark -p "$PORT" -c "$CLIENTS" -n "$requests" -P "$pipeline" -t "$TESTS" "${BENCH_THREADS[@]}" --csv)
        before=$(cpu_seconds "$server_pid")
        csv=$(taskset -c "$CLIENT_CPU" "${bench_cmd[@]}")
        after=$(cpu_seconds "$server_pid")
        # Syscalls per request: SET and GET again, 100k each, under strace (lib.sh).
        calls=$(traced_syscalls "$server_pid" taskset -c "$CLIENT_CPU" redis-benchmark -p "$PORT" -c "$CLIENTS" -n 100000 \
            -P "$pipeline" -t set,get "${BENCH_THREADS[@]}" -q)
        syscalls[$server,$pipeline]=$(awk -v c="$calls" 'BEGIN { printf "%.3f", c / 200000 }')
        stop_server
        commands+=("taskset -c $CLIENT_CPU ${bench_cmd[*]}")
        total=0
        while IFS=, read -r test r _ _ q50 _ q99 _; do
            test=${test//\"/}; [[ $test == test ]] && continue
            rps[$server,$pipeline,$test]=${r//\"/}; p50[$server,$pipeline,$test]=${q50//\"/}; p99[$server,$pipeline,$test]=${q99//\"/}
            total=$((total + requests))
        done <<<"$csv"
        cpu[$server,$pipeline]=$(awk -v a="$before" -v b="$after" -v n="$total" 'BEGIN { printf "%.2f", (b - a) / n * 1e6 }')
    done

    log "$server, memory for $KEYS keys"
    start_server "$ready" "${server_cmd[@]}"
    base=$(rss_bytes "$server_pid")
    load_keys "$PORT"
    [[ $(redis-cli -p "$PORT" dbsize) == "$KEYS" ]] || { log "$server: DBSIZE is not $KEYS"; exit 1; }
    memory[$server]=$(( ($(rss_bytes "$server_pid") - base) / KEYS ))
    stop_server
done

rows=()
mkdir -p "$RESULTS"
: >"$RESULTS/redis.tsv"
for pipeline in 1 16; do
    for test in ${TESTS//,/ }; do
        name=$(tr a-z A-Z <<<"$test"); name=${name/LRANGE_100/LRANGE_100 (first 100 elements)}; name=${name/MSET/MSET (10 keys)}
        a=${rps[redis-server,$pipeline,$name]:-0}; b=${rps[loop-redis,$pipeline,$name]:-0}
        ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", (a > 0 ? b / a : 0) }')
        summary_row "$RESULTS/redis.tsv" "redis ${name%% (*}, -P $pipeline" "$b" "$a" "redis-server" "req/s"
        rows+=("| $name | $pipeline | $a | $b | **$ratio** | ${p50[loop-redis,$pipeline,$name]:-} / ${p99[loop-redis,$pipeline,$name]:-} ms | ${p50[redis-server,$pipeline,$name]:-} / ${p99[redis-server,$pipeline,$name]:-} ms |")
    done
done
report=$(printf '%s\n' \
    "| test | -P | redis-server req/s | loop-redis req/s | ratio | loop p50 / p99 | redis p50 / p99 |" \
    "|---|---|---|---|---|---|---|" \
    "${rows[@]}" \
    "" \
    "| | redis-server | loop-redis | ratio |" \
    "|---|---|---|---|" \
    "| server CPU-s per 1M requests, -P 1 | ${cpu[redis-server,1]} | ${cpu[loop-redis,1]} | $(awk -v a="${cpu[redis-server,1]}" -v b="${cpu[loop-redis,1]}" 'BEGIN { printf "%.2f", b / a }') |" \
    "| server CPU-s per 1M requests, -P 16 | ${cpu[redis-server,16]} | ${cpu[loop-redis,16]} | $(awk -v a="${cpu[redis-server,16]}" -v b="${cpu[loop-redis,16]}" 'BEGIN { printf "%.2f", b / a }') |" \
    "| syscalls per request (SET+GET, strace), -P 1 | ${syscalls[redis-server,1]} | ${syscalls[loop-redis,1]} | $(awk -v a="${syscalls[redis-server,1]}" -v b="${syscalls[loop-redis,1]}" 'BEGIN { printf "%.2f", b / a }') |" \
    "| syscalls per request (SET+GET, strace), -P 16 | ${syscalls[redis-server,16]} | ${syscalls[loop-redis,16]} | $(awk -v a="${syscalls[redis-server,16]}" -v b="${syscalls[loop-redis,16]}" 'BEGIN { printf "%.2f", b / a }') |" \
    "| RSS bytes per key ($KEYS keys) | ${memory[redis-server]} | ${memory[loop-redis]} | $(awk -v a="${memory[redis-server]}" -v b="${memory[loop-redis]}" 'BEGIN { printf "%.2f", b / a }') |")
echo "$report"

{
    echo "# Redis benchmark"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), \`Benchmarks/redis.sh${*:+ $*}\`"
    echo
    echo "- $(machine); $(redis-server --version | cut -d' ' -f1-3)"
    echo "- Servers on CPU $SERVER_CPU (loop-redis: $SERVER_CPUS loop(s); redis-server: one thread), redis-benchmark on CPU $CLIENT_CPU;"
    echo "  $CLIENTS clients, $REQUESTS requests per test at -P 1 and $PIPELINED_REQUESTS at -P 16, each after an untimed run of half as many"
    echo
    echo "$report"
    echo
    echo "Commands:"
    echo
    echo '```'
    printf '%s\n' "${commands[@]}"
    echo '```'
} >"$RESULTS/redis.md"
log "saved $RESULTS/redis.md"
