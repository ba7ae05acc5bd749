#!/usr/bin/env bash
# HTTP benchmark: Loop's HTTP sample (Samples/Http, io_uring backend) against a minimal ASP.NET Core app
# (Kestrel, Benchmarks/Http/Kestrel) on the TechEmpower routes, and against nginx on /plaintext where nginx is
# installed, each alone on the server CPUs (Loop with one loop per CPU, nginx with one worker per CPU), driven by
# wrk (one thread per client CPU) on the client CPUs: /plaintext with 16 requests pipelined per write, /json
# without pipelining. Allocation per request is what a .NET server allocated (dotnet-counters, over a window
# holding the run) over its requests, and CPU per request its utime+stime (nginx: master and workers) over the
# requests; wrk's own CPU time says whether wrk set the pace.
# Prints a Markdown table and saves it, with the machine and the exact commands, to Benchmarks/results/http.md
# (the chart's rows to Benchmarks/results/http.tsv).
#
#   Benchmarks/http.sh [--quick]        --quick: 2 s runs after 1 s of warm-up, measured once
#
# Environment (defaults): SERVER_CPU=0 CLIENT_CPU=1 (taskset CPU lists) CONNECTIONS=256 DEPTH=16 DURATION=10 WARMUP=3
#                         ATTEMPTS=3 (measured runs at most, when other work disturbs them)
#                         PORT=<free-ish port derived from this shell's pid>
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh # settings, log, start_server, stop_server (also on exit), wait_for_quiet, summary_row

CONNECTIONS=${CONNECTIONS:-256}
DEPTH=${DEPTH:-16}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
ATTEMPTS=${ATTEMPTS:-3}
for arg in "$@"; do
    case "$arg" in
        --quick) DURATION=2 WARMUP=1 ATTEMPTS=1 ;;
        *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
    esac
done

LOOP_HTTP=Samples/Http/bin/Release/net10.0/loop-http.dll
KESTREL=Benchmarks/Http/Kestrel/bin/Release/net10.0/kestrel-peer.dll
PIPELINE_LUA=Benchmarks/Http/pipeline.lua
COUNTERS=$HOME/.dotnet/tools/dotnet-counters

build() {
    log "building (Release)"
    dotnet_build Samples/Http Benchmarks/Http/Kestrel
    need_commands wrk:wrk strace:strace
    [[ -x $COUNTERS ]] || dotnet tool install -g dotnet-counters >&2
}

# wrk_run URL [pipeline.lua args...]: prints requests/s; the whole output goes to $wrk_log.
wrk_run() {
    local url=$1; shift
    local script=()
    (($# > 0)) && script=(-s "$PIPELINE_LUA" "$url" -- "$@") || script=("$url")
    # bash's time: wrk's own CPU seconds (user + system) go to $wrk_cpu.
    { TIMEFORMAT='%U %S'; time taskset -c "$CLIENT_CPU" wrk -t"$CLIENT_CPUS" -c"$CONNECTIONS" -d"${run_seconds}s" --latency "${script[@]}" >"$wrk_log"; } 2>"$wrk_cpu"
    if grep -q "Non-2xx\|Socket errors" "$wrk_log"; then log "errors in the run:"; cat "$wrk_log" >&2; fi
    sed -n 's/^Requests\/sec: *//p' "$wrk_log"
}

# CPU ticks (utime + stime) a process and its children (nginx's workers) used so far.
process_ticks() { cat "/proc/$1/stat" $(pgrep -P "$1" | sed 's|.*|/proc/&/stat|') | awk '{ t += $14 + $15 } END { print t }'; }

# Busy jiffies (all but idle and iowait) of the whole machine so far.
busy_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }

# measure NAME URL [pipeline.lua args...]: warm up, then measured runs until one is left (almost) alone by other
# work on the machine, at most ATTEMPTS; the least disturbed one counts.
measure() {
    local name=$1 attempt best=; shift
    run_seconds=$WARMUP wrk_run "$@" >/dev/null
    for attempt in $(seq "$ATTEMPTS"); do
        measure_once "$name.try" "$@"
        if [[ -z $best ]] || awk -v o="${results[$name.try.other]}" -v b="$best" 'BEGIN { exit !(o < b) }'; then
            best=${results[$name.try.other]}
            for key in rps alloc cpu client other p50 p99; do results[$name.$key]=${results[$name.try.$key]}; done
            cp "$wrk_log" "$RESULTS/http-$name.wrk"
        fi
        awk -v b="$best" 'BEGIN { exit !(b <= 1) }' && break
        ((attempt < ATTEMPTS)) || break
        log "$name: other work took $best CPU-s of the run; measuring again"
    done
}

# measure_once NAME URL [pipeline.lua args...]: one measured run with a .NET server's allocations sampled.
measure_once() {
    local name=$1 rps allocated= csv counters_pid=; shift
    wait_for_quiet
    csv=$(mktemp --suffix .csv)
    if [[ $server != nginx ]]; then
        # Sampling from a second before wrk starts to a few seconds after it ends (it stops by itself: a SIGINT to
        # dotnet-counters reaches this script too).
        local window=$((DURATION + 4))
        taskset -c "$CLIENT_CPU" "$COUNTERS" collect -p "$server_pid" --counters "System.Runtime[dotnet.gc.heap.total_allocated]" \
            --format csv -o "$csv" --refresh-interval 1 --duration "$(printf '00:%02d:%02d' $((window / 60)) $((window % 60)))" >/dev/null 2>&1 &
        counters_pid=$!
    fi
    sleep 1
    local server_before machine_before
    server_before=$(process_ticks "$server_pid")
    machine_before=$(busy_ticks)
    rps=$(run_seconds=$DURATION wrk_run "$@")
    local server_ticks=$(($(process_ticks "$server_pid") - server_before)) machine_ticks=$(($(busy_ticks) - machine_before))
    if [[ -n $counters_pid ]]; then
        wait "$counters_pid" || true
        # The per-second rates add up to what was allocated over a window that holds the whole run.
        allocated=$(grep total_allocated "$csv" | cut -d, -f5 | awk '{ s += $1 } END { print s + 0 }')
    fi
    rm -f "$csv"
    results[$name.rps]=$rps
    results[$name.alloc]=$(awk -v b="$allocated" -v r="$rps" -v d="$DURATION" 'BEGIN { if (b == "") print "n/a"; else printf "%.1f", b / (r * d) }')
    results[$name.cpu]=$(awk -v t="$server_ticks" -v hz="$(getconf CLK_TCK)" -v r="$rps" -v d="$DURATION" \
        'BEGIN { printf "%.2f", t / hz / (r * d) * 1e6 }')
    results[$name.client]=$(awk -v d="$DURATION" '{ printf "%.0f%%", 100 * ($1 + $2) / d }' "$wrk_cpu")
    # wrk cannot time requests pipelined by a script: it then prints 0.00us percentiles.
    results[$name.p50]=$(awk '$1 == "50%" { print ($2 == "0.00us" ? "n/a" : $2); exit }' "$wrk_log")
    results[$name.p99]=$(awk '$1 == "99%" { print ($2 == "0.00us" ? "n/a" : $2); exit }' "$wrk_log")
    # CPU time on the machine that was neither the server's nor wrk's: others' work disturbing the run.
    results[$name.other]=$(awk -v m="$machine_ticks" -v s="$server_ticks" -v hz="$(getconf CLK_TCK)" \
        '{ printf "%.1f", (m - s) / hz - $1 - $2 }' "$wrk_cpu")
}

# syscalls_per_request NAME URL [pipeline.lua args...]: a separate 2 s wrk run under strace (lib.sh).
syscalls_per_request() {
    local name=$1 calls; shift
    calls=$(run_seconds=2 traced_syscalls "$server_pid" wrk_run "$@")
    results[$name.syscalls]=$(awk -v c="$calls" '/requests in/ { printf "%.2f", c / $1 }' "$wrk_log")
}

# nginx_config DIR: nginx answering /plaintext as the Loop sample does, one worker per server CPU, everything it
# writes kept in DIR, its prefix (-p), which relative paths name (the configuration is also saved beside the results).
nginx_config() {
    cat >"$1/nginx.conf" <<EOF
daemon off;
worker_processes $SERVER_CPUS;
pid nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 1000000000;
    client_body_temp_path .; proxy_temp_path .; fastcgi_temp_path .; uwsgi_temp_path .; scgi_temp_path .;
    server {
        listen 127.0.0.1:$PORT;
        location = /plaintext { default_type text/plain; return 200 "Hello, World!"; }
    }
}
EOF
    cp "$1/nginx.conf" "$RESULTS/http-nginx.conf"
}

# route_args ROUTE: wrk_run's arguments for a route: /plaintext pipelined, /json not.
route_args() {
    case $1 in
        plaintext) echo "http://127.0.0.1:$PORT/plaintext $DEPTH" ;;
        json) echo "http://127.0.0.1:$PORT/json" ;;
    esac
}

loadavg=$(cut -d' ' -f1-3 /proc/loadavg)
build
mkdir -p "$RESULTS"
wrk_log=$(mktemp)
wrk_cpu=$(mktemp)
nginx_dir=$(mktemp -d)
declare -A results
commands=()
servers=(loop kestrel)
if command -v nginx >/dev/null; then servers+=(nginx); else log "nginx is not installed: no nginx rows (apt-get install nginx)"; fi
for server in "${servers[@]}"; do
    PORT=$((PORT + 1))
    ready="listening on" routes=(plaintext json)
    case $server in
        # Pinned by taskset alone: --pin would pin loop 0 to CPU 0 whatever SERVER_CPU says.
        loop) server_cmd=(dotnet "$LOOP_HTTP" --port "$PORT" --loops "$SERVER_CPUS" --backend iouring) ;;
        kestrel) server_cmd=(dotnet "$KESTREL" --urls "http://127.0.0.1:$PORT") ;;
        # nginx prints nothing once it listens; TechEmpower's /json is an application's job, not a web server's.
        nginx) nginx_config "$nginx_dir"; server_cmd=(nginx -e stderr -p "$nginx_dir" -c "$nginx_dir/nginx.conf")
            ready=":$PORT" routes=(plaintext) ;;
    esac
    log "$server"
    start_server "$ready" "${server_cmd[@]}"
    # route_args is split into the URL and the pipeline depth on purpose.
    for route in "${routes[@]}"; do measure "$server.$route" $(route_args "$route"); done
    for route in "${routes[@]}"; do syscalls_per_request "$server.$route" $(route_args "$route"); done
    stop_server
    commands+=("taskset -c $SERVER_CPU ${server_cmd[*]}")
done
commands+=("taskset -c $CLIENT_CPU wrk -t$CLIENT_CPUS -c$CONNECTIONS -d${DURATION}s --latency -s $PIPELINE_LUA http://127.0.0.1:\$PORT/plaintext -- $DEPTH"
    "taskset -c $CLIENT_CPU wrk -t$CLIENT_CPUS -c$CONNECTIONS -d${DURATION}s --latency http://127.0.0.1:\$PORT/json")
rm -rf "$wrk_log" "$wrk_cpu" "$nginx_dir"

declare -A display=([loop]=Loop [kestrel]=Kestrel [nginx]=nginx)
declare -A label=([plaintext]="/plaintext, pipeline $DEPTH" [json]="/json, no pipelining")

# row ROUTE SERVER: the server's row of the table, with Loop's requests/s over the server's.
row() {
    local key=$2.$1 ratio=
    [[ $2 == loop ]] || ratio=$(awk -v a="${results[loop.$1.rps]}" -v b="${results[$key.rps]}" 'BEGIN { printf "%.2f×", a / b }')
    printf '| %s | %s | %.0f | %s | %s / %s | %s | %s | %s | %s | %s |\n' "${label[$1]}" "${display[$2]}" \
        "${results[$key.rps]}" "$ratio" "${results[$key.p50]}" "${results[$key.p99]}" "${results[$key.syscalls]}" \
        "${results[$key.cpu]}" "${results[$key.alloc]}" "${results[$key.client]}" "${results[$key.other]}"
}
: >"$RESULTS/http.tsv"
rows=()
for route in plaintext json; do
    for server in "${servers[@]}"; do
        [[ -n ${results[$server.$route.rps]:-} ]] && rows+=("$(row "$route" "$server")")
    done
done
# The chart's rows grouped by peer, each group under one heading.
for server in "${servers[@]:1}"; do
    for route in plaintext json; do
        [[ -n ${results[$server.$route.rps]:-} ]] || continue
        summary_row "$RESULTS/http.tsv" "http ${label[$route]}" "${results[loop.$route.rps]}" \
            "${results[$server.$route.rps]}" "${display[$server]}" "req/s"
    done
done
report=$(printf '%s\n' \
    "| test | server | req/s | Loop / server | p50 / p99 | syscalls/req | server CPU µs/req | B/req | wrk's CPU | others' CPU-s |" \
    "|---|---|---|---|---|---|---|---|---|---|" \
    "${rows[@]}")
echo "$report"

{
    echo "# HTTP benchmark"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), \`Benchmarks/http.sh${*:+ $*}\`"
    echo
    echo "- $(machine)"
    echo "- .NET SDK $(dotnet --version); $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)$(command -v nginx >/dev/null && echo "; $(nginx -v 2>&1 | cut -d' ' -f3)")"
    echo "- Load average before the build: $loadavg; each measured run first waited (at most 10 s) for the CPUs to be 90% idle"
    echo "- Server on CPU $SERVER_CPU (Loop: $SERVER_CPUS loop(s); Kestrel: default settings; nginx: $SERVER_CPUS worker(s), the"
    echo "  configuration in Benchmarks/results/http-nginx.conf), wrk ($CLIENT_CPUS thread(s)) on CPU $CLIENT_CPU;"
    echo "  $CONNECTIONS connections, ${WARMUP} s warm-up, ${DURATION} s measured; Loop and Kestrel tier up as on more CPUs"
    echo "  (DOTNET_TC_DelaySingleProcMultiplier=1: Benchmarks/lib.sh)"
    echo "- Loop / server: Loop's requests/s over that server's, both from this run"
    echo "- server CPU µs/req: the server's utime+stime (nginx: master and workers) over the measured window, per request"
    echo "- p50 / p99: wrk's latency distribution (n/a where wrk cannot time pipelined requests); syscalls/req: every"
    echo "  server thread under strace -c during a separate 2 s run"
    echo "- B/req: what a .NET server allocated while wrk ran (dotnet-counters, 1 s samples) over the requests"
    echo "- wrk's CPU: wrk's own user+system time over the run; near 100% means wrk, not the server, set the pace"
    echo "- others' CPU-s: CPU time on the machine during the run that was neither the server's nor wrk's; above a"
    echo "  few tenths of a second, other work competed with the run and its figures are low (a run is repeated, at"
    echo "  most $ATTEMPTS times, until that is at most 1 CPU-s; the least disturbed run is shown)"
    echo "- wrk's full output: Benchmarks/results/http-*.wrk"
    echo
    echo "$report"
    echo
    echo "Commands (\$PORT is the server's port):"
    echo
    echo '```'
    printf '%s\n' "${commands[@]}"
    echo '```'
} >"$RESULTS/http.md"
log "saved $RESULTS/http.md"
