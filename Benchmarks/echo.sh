#!/usr/bin/env bash
# Echo benchmark: Loop's echo sample on each backend (io_uring, epoll, managed) against a minimal
# liburing echo server in C (Benchmarks/reference/uring_echo.c), each alone on the server CPUs (Loop with one
# loop per CPU; the C server is single-threaded), driven by echo-load on the client CPUs. Syscalls per message
# come from a separate short run under strace -c.
# Prints a Markdown table and saves it, with the machine and the exact commands, to
# Benchmarks/results/echo.md (raw echo-load JSON lines go to Benchmarks/results/echo.raw, the chart's rows to
# Benchmarks/results/echo.tsv).
#
#   Benchmarks/echo.sh [--quick]        --quick: 2 s runs after 1 s of warm-up, io_uring only
#
# Environment (defaults): SERVER_CPU=0 CLIENT_CPU=1 (taskset CPU lists) CONNECTIONS=64 SIZE=64 PIPELINES="1 16"
#                         SERVERS="uring_echo loop-iouring loop-epoll loop-managed" (uring_echo first: the reference)
#                         DURATION=10 WARMUP=2 STRACE_SECONDS=2 PORT=<free-ish port derived from this shell's pid>
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh # settings, log, start_server, stop_server (also on exit), wait_for_quiet, summary_row

CONNECTIONS=${CONNECTIONS:-64}
SIZE=${SIZE:-64}
PIPELINES=${PIPELINES:-1 16}
SERVERS=${SERVERS:-uring_echo loop-iouring loop-epoll loop-managed}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
STRACE_SECONDS=${STRACE_SECONDS:-2}
for arg in "$@"; do
    case "$arg" in
        --quick) DURATION=2 WARMUP=1 STRACE_SECONDS=1 SERVERS="uring_echo loop-iouring" ;;
        *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
    esac
done

LOOP_ECHO=Samples/Echo/bin/Release/net10.0/loop-echo.dll
ECHO_LOAD=Benchmarks/EchoLoad/bin/Release/net10.0/echo-load.dll
URING_ECHO=Benchmarks/reference/uring_echo

build() {
    log "building (Release) and compiling the C reference"
    dotnet_build Samples/Echo Benchmarks/EchoLoad
    need_commands strace:strace gcc:gcc
    dpkg -s liburing-dev >/dev/null 2>&1 || install_packages liburing-dev
    gcc -O2 -o "$URING_ECHO" Benchmarks/reference/uring_echo.c -luring
}

# A field of echo-load's one-line, flat JSON.
field() { sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" <<<"$2"; }

# Syscalls per 1000 messages, from a separate STRACE_SECONDS run under strace (lib.sh).
syscalls_per_message() {
    local pid=$1 pipeline=$2 result calls
    result=$(mktemp)
    calls=$(traced_syscalls "$pid" load_run "$pipeline" "$result")
    awk -v c="$calls" -v m="$(field msgs_per_sec "$(cat "$result")")" -v d="$STRACE_SECONDS" 'BEGIN { printf "%.1f", c / (m * d) * 1000 }'
    rm -f "$result"
}

# load_run PIPELINE FILE: echo-load for STRACE_SECONDS, its JSON line into FILE.
load_run() {
    taskset -c "$CLIENT_CPU" dotnet "$ECHO_LOAD" --port "$PORT" --connections "$CONNECTIONS" --size "$SIZE" \
        --pipeline "$1" --duration "$STRACE_SECONDS" --warmup 0 --threads "$CLIENT_CPUS" --json >"$2"
}

loadavg=$(cut -d' ' -f1-3 /proc/loadavg)
build
mkdir -p "$RESULTS"
: >"$RESULTS/echo.raw"
: >"$RESULTS/echo.tsv"
commands=()
rows=()
notes=()
for pipeline in $PIPELINES; do
    reference_cpu= reference_msgs=
    for server in $SERVERS; do
        PORT=$((PORT + 1))
        case $server in
            uring_echo) server_cmd=("$URING_ECHO" "$PORT") ;;
            # Pinned by taskset alone, the runtime's own threads included.
            loop-*) server_cmd=(dotnet "$LOOP_ECHO" --port "$PORT" --loops "$SERVER_CPUS" --backend "${server#loop-}") ;;
        esac
        load_cmd=(dotnet "$ECHO_LOAD" --port "$PORT" --connections "$CONNECTIONS" --size "$SIZE"
            --pipeline "$pipeline" --duration "$DURATION" --warmup "$WARMUP" --threads "$CLIENT_CPUS" --json)
        log "$server, pipeline $pipeline"
        wait_for_quiet
        start_server "listening on" "${server_cmd[@]}"
        # echo-load samples the server's utime+stime (/proc/PID/stat) at the edges of its measured window.
        result=$(taskset -c "$CLIENT_CPU" "${load_cmd[@]}" --server-pid "$server_pid")
        syscalls=$(syscalls_per_message "$server_pid" "$pipeline")
        stop_server
        echo "$result" >>"$RESULTS/echo.raw"
        commands+=("taskset -c $SERVER_CPU ${server_cmd[*]}"
            "taskset -c $CLIENT_CPU ${load_cmd[*]} --server-pid \$SERVER_PID")

        msgs=$(field msgs_per_sec "$result")
        cpu_per_m=$(awk -v c="$(field server_cpu_s "$result")" -v m="$msgs" -v d="$DURATION" 'BEGIN { printf "%.3f", c / (m * d) * 1e6 }')
        reference_cpu=${reference_cpu:-$cpu_per_m}
        reference_msgs=${reference_msgs:-$msgs}
        ratio=$(awk -v a="$cpu_per_m" -v b="$reference_cpu" 'BEGIN { printf "%.2f", a / b }')
        msgs_ratio=$(awk -v a="$msgs" -v b="$reference_msgs" 'BEGIN { printf "%.2f", a / b }')
        [[ $server == loop-* ]] && summary_row "$RESULTS/echo.tsv" "echo ${server#loop-}, pipeline $pipeline" "$msgs" "$reference_msgs" "uring_echo (C)" "msgs/s"
        notes+=("- $server, pipeline $pipeline: server $(field server_cpu_s "$result"), echo-load $(field client_cpu_s "$result"), other $(field other_cpu_s "$result")")
        latency=$(printf '%.1f us | %.1f us' "$(field p50_us "$result")" "$(field p99_us "$result")")
        rows+=("| $server | $pipeline | $(printf '%.0f' "$msgs") | **$msgs_ratio** | $latency | $cpu_per_m | $ratio | $syscalls |")
    done
done

report=$(printf '%s\n' \
    "| server | pipeline | msgs/s | msgs/s vs C reference | p50 | p99 | server CPU-s per 1M msgs | CPU ratio vs C reference | syscalls per 1k msgs |" \
    "|---|---|---|---|---|---|---|---|---|" \
    "${rows[@]}" \
    "" \
    "CPU-s in each ${DURATION} s window (echo-load near ${DURATION}: the client was the bottleneck; other above 0: something else shared the machine):" \
    "" \
    "${notes[@]}")
echo "$report"

{
    echo "# Echo benchmark"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), \`Benchmarks/echo.sh${*:+ $*}\`"
    echo
    echo "- $(machine)"
    echo "- .NET SDK $(dotnet --version); liburing $(dpkg-query -W -f '${Version}' liburing-dev)"
    echo "- Load average before the build: $loadavg; each run first waited (at most 10 s) for the CPUs to be 90% idle"
    echo "- Server on CPU $SERVER_CPU (Loop: $SERVER_CPUS loop(s); uring_echo: one thread), echo-load ($CLIENT_CPUS thread(s)) on CPU $CLIENT_CPU;"
    echo "  $CONNECTIONS connections, $SIZE-byte messages, ${WARMUP} s warm-up, ${DURATION} s measured; syscalls from a separate ${STRACE_SECONDS} s run under strace"
    echo "- Server CPU-s: utime+stime of the server process over the measured window; ratios are against uring_echo at the same pipeline depth"
    echo
    echo "$report"
    echo
    echo "Commands (\$SERVER_PID is the server's pid):"
    echo
    echo '```'
    printf '%s\n' "${commands[@]}"
    echo '```'
} >"$RESULTS/echo.md"
log "saved $RESULTS/echo.md"
