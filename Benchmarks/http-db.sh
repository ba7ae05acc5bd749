#!/usr/bin/env bash
# TechEmpower's database tests: Loop's HTTP sample (io_uring backend) against the Kestrel peer
# (Benchmarks/Http/Kestrel), both on the sample's Npgsql code and the same PostgreSQL (scripts/postgres.sh, its own
# port and data, stopped at the end), in one run: /db, /queries?queries=20, /fortunes and /updates?queries=20,
# driven by wrk without pipelining. Per route and server: requests/s, the server's CPU per request and PostgreSQL's
# (postmaster and backends, utime+stime over the measured window), wrk's CPU, and who set the pace. The servers take
# turns, ROUNDS times, so that other work on the machine disturbs both alike; each figure is the median of the rounds.
# Prints a Markdown table and saves it, with the machine and the exact commands, to Benchmarks/results/http-db.md.
#
#   Benchmarks/http-db.sh [--quick]     --quick: 3 s runs after 1 s of warm-up
#
# Environment (defaults): SERVER_CPU=0 CLIENT_CPU=1 PG_CPU=1 (taskset CPU lists) CONNECTIONS=64 DURATION=10 WARMUP=6 ROUNDS=3
#                         DB_OPTIONS= (appended to both servers' connection string, e.g. "Multiplexing=false" for the plain pool)
#                         LOOP_PG_PORT=5434 RESULT_NAME=http-db
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh # settings, log, start_server, stop_server, wait_for_quiet, machine

PG_CPU=${PG_CPU:-1}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-6}
ROUNDS=${ROUNDS:-3}
DB_OPTIONS=${DB_OPTIONS:-}
RESULT_NAME=${RESULT_NAME:-http-db}
export LOOP_PG_PORT=${LOOP_PG_PORT:-5434} LOOP_PG_CPUS=$PG_CPU
for arg in "$@"; do
    case "$arg" in
        --quick) DURATION=3 WARMUP=1 ROUNDS=1 ;;
        *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
    esac
done
trap 'stop_server; rm -f "$server_log"; scripts/postgres.sh stop' EXIT

LOOP_HTTP=Samples/Http/bin/Release/net10.0/loop-http.dll
KESTREL=Benchmarks/Http/Kestrel/bin/Release/net10.0/kestrel-peer.dll
# Both servers' pools hold at most one connection per client connection.
DATABASE="Host=127.0.0.1;Port=$LOOP_PG_PORT;Database=hello_world;Username=benchmarkdbuser;Password=benchmarkdbpass;Maximum Pool Size=$CONNECTIONS${DB_OPTIONS:+;$DB_OPTIONS}"
ROUTES=(/db "/queries?queries=20" /fortunes "/updates?queries=20")

# CPU ticks (utime + stime) of a process and its children so far.
process_ticks() { cat "/proc/$1/stat" $(pgrep -P "$1" | sed 's|.*|/proc/&/stat|') 2>/dev/null | awk '{ t += $14 + $15 } END { print t }'; }

postmaster_pid() { head -1 "/tmp/loop-postgres-$LOOP_PG_PORT/postmaster.pid"; }

# measure SERVER ROUTE ROUND: warm-up, then one measured wrk run; fills results[SERVER ROUTE.*.ROUND].
measure() {
    local key="$1 $2" round=$3 url="http://127.0.0.1:$PORT$2" wrk_log wrk_cpu server_before pg_before rps server_ticks pg_ticks
    wrk_log=$(mktemp) wrk_cpu=$(mktemp)
    taskset -c "$CLIENT_CPU" wrk -t"$CLIENT_CPUS" -c"$CONNECTIONS" -d"${WARMUP}s" "$url" >/dev/null
    wait_for_quiet
    server_before=$(process_ticks "$server_pid") pg_before=$(process_ticks "$(postmaster_pid)")
    { TIMEFORMAT='%U %S'; time taskset -c "$CLIENT_CPU" wrk -t"$CLIENT_CPUS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$url" >"$wrk_log"; } 2>"$wrk_cpu"
    server_ticks=$(($(process_ticks "$server_pid") - server_before)) pg_ticks=$(($(process_ticks "$(postmaster_pid)") - pg_before))
    if grep -q "Non-2xx\|Socket errors" "$wrk_log"; then log "errors in the run:"; cat "$wrk_log" >&2; fi
    rps=$(sed -n 's/^Requests\/sec: *//p' "$wrk_log")
    local hz; hz=$(getconf CLK_TCK)
    results[$key.rps.$round]=$rps
    results[$key.cpu.$round]=$(awk -v t="$server_ticks" -v hz="$hz" -v r="$rps" -v d="$DURATION" 'BEGIN { printf "%.1f", t / hz / (r * d) * 1e6 }')
    results[$key.pg.$round]=$(awk -v t="$pg_ticks" -v hz="$hz" -v r="$rps" -v d="$DURATION" 'BEGIN { printf "%.1f", t / hz / (r * d) * 1e6 }')
    results[$key.server_use.$round]=$(awk -v t="$server_ticks" -v hz="$hz" -v d="$DURATION" 'BEGIN { printf "%.0f", 100 * t / hz / d }')
    results[$key.pg_use.$round]=$(awk -v t="$pg_ticks" -v hz="$hz" -v d="$DURATION" 'BEGIN { printf "%.0f", 100 * t / hz / d }')
    results[$key.wrk.$round]=$(awk -v d="$DURATION" '{ printf "%.0f", 100 * ($1 + $2) / d }' "$wrk_cpu")
    # wrk prints 812.00us, 10.21ms or 1.02s: in ms.
    results[$key.p99.$round]=$(awk '$1 == "99%" { v = $2 + 0; if ($2 ~ /us$/) v /= 1000; else if ($2 ~ /[0-9]s$/ && $2 !~ /ms$/) v *= 1000; printf "%.1f", v; exit }' "$wrk_log")
    results[$key.errors.$round]=$(awk '/Non-2xx/ { print $NF; exit }' "$wrk_log")
    cp "$wrk_log" "$RESULTS/$RESULT_NAME-$1-$(echo "$2" | tr -c 'a-z0-9\n' '-' | sed 's/-*$//; s/^-*//').wrk"
    rm -f "$wrk_log" "$wrk_cpu"
}

loadavg=$(cut -d' ' -f1-3 /proc/loadavg)
log "building (Release)"
dotnet_build Samples/Http Benchmarks/Http/Kestrel
need_commands wrk:wrk
scripts/postgres.sh start >&2
mkdir -p "$RESULTS"
declare -A results
commands=("LOOP_PG_PORT=$LOOP_PG_PORT LOOP_PG_CPUS=$PG_CPU scripts/postgres.sh start")
for round in $(seq "$ROUNDS"); do
    for server in loop kestrel; do
        PORT=$((PORT + 1))
        case $server in
            loop) server_cmd=(dotnet "$LOOP_HTTP" --port "$PORT" --loops "$SERVER_CPUS" --backend iouring --database "$DATABASE") ;;
            kestrel) server_cmd=(dotnet "$KESTREL" --urls "http://127.0.0.1:$PORT" --database "$DATABASE") ;;
        esac
        log "round $round: $server"
        start_server "listening on" "${server_cmd[@]}"
        for route in "${ROUTES[@]}"; do measure "$server" "$route" "$round"; done
        stop_server
        ((round > 1)) || commands+=("taskset -c $SERVER_CPU $(printf '%q ' "${server_cmd[@]}")")
    done
done
# The median of the rounds (the lower middle one for an even count), per figure.
for key in "${!results[@]}"; do
    [[ $key == *.1 ]] || continue
    base=${key%.1}
    results[$base]=$(for round in $(seq "$ROUNDS"); do echo "${results[$base.$round]}"; done | sort -g | sed -n "$(((ROUNDS + 1) / 2))p")
done
commands+=("taskset -c $CLIENT_CPU wrk -t$CLIENT_CPUS -c$CONNECTIONS -d${DURATION}s --latency http://127.0.0.1:\$PORT\$ROUTE")

declare -A display=([loop]=Loop [kestrel]=Kestrel)
rows=()
for route in "${ROUTES[@]}"; do
    for server in loop kestrel; do
        key="$server $route" ratio= cpu_ratio=
        if [[ $server == kestrel ]]; then
            ratio=$(awk -v a="${results[loop $route.rps]}" -v b="${results[$key.rps]}" 'BEGIN { printf "%.2f×", a / b }')
            cpu_ratio=$(awk -v a="${results[loop $route.cpu]}" -v b="${results[$key.cpu]}" 'BEGIN { printf "%.2f×", a / b }')
        fi
        rows+=("$(printf '| %s | %s | %.0f | %s | %s | %s | %s | %s ms | %s%% / %s%% / %s%% | %s |' "$route" "${display[$server]}" \
            "${results[$key.rps]}" "$ratio" "${results[$key.cpu]}" "$cpu_ratio" "${results[$key.pg]}" "${results[$key.p99]}" \
            "${results[$key.server_use]}" "${results[$key.pg_use]}" "${results[$key.wrk]}" "${results[$key.errors]:-0}")")
    done
done
report=$(printf '%s\n' \
    "| route | server | req/s | Loop / Kestrel | server CPU µs/req | Loop / Kestrel CPU | PostgreSQL CPU µs/req | p99 | server / PostgreSQL / wrk CPU | non-2xx |" \
    "|---|---|---|---|---|---|---|---|---|---|" \
    "${rows[@]}")
echo "$report"
{
    echo "# HTTP database benchmark"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), \`Benchmarks/http-db.sh${*:+ $*}\`${DB_OPTIONS:+ with DB_OPTIONS=\"$DB_OPTIONS\"}"
    echo
    echo "- $(machine)"
    echo "- .NET SDK $(dotnet --version); Npgsql $(sed -n 's/.*Include="Npgsql" Version="\([^"]*\)".*/\1/p' Directory.Packages.props); $("$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/postgres" --version); $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
    echo "- Load average before the build: $loadavg"
    echo "- Server on CPU $SERVER_CPU (Loop: $SERVER_CPUS loop(s); Kestrel: default settings; both tiering up as on more CPUs,"
    echo "  DOTNET_TC_DelaySingleProcMultiplier=1: Benchmarks/lib.sh), PostgreSQL on CPU $PG_CPU,"
    echo "  wrk ($CLIENT_CPUS thread(s)) on CPU $CLIENT_CPU; $CONNECTIONS connections, no pipelining, ${WARMUP} s warm-up, ${DURATION} s measured;"
    echo "  the servers took turns $ROUNDS times, each figure is the median of its rounds"
    echo "- Both servers run the same Npgsql code (Samples/Http/Database/WorldDatabase.cs: multiplexing unless DB_OPTIONS"
    echo "  says Multiplexing=false), pool of at most $CONNECTIONS"
    echo "- server CPU µs/req and PostgreSQL CPU µs/req: utime+stime over the measured run, per request; the last"
    echo "  columns are each one's CPU use over the run (100% is one CPU): the one near its CPUs' limit set the pace"
    echo "- wrk's full output of the last round: Benchmarks/results/$RESULT_NAME-SERVER-ROUTE.wrk"
    echo
    echo "$report"
    echo
    echo "Commands (\$PORT is the server's port, \$ROUTE each route):"
    echo
    echo '```'
    printf '%s\n' "${commands[@]}"
    echo '```'
} >"$RESULTS/$RESULT_NAME.md"
log "saved $RESULTS/$RESULT_NAME.md"
