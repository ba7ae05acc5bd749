#!/usr/bin/env bash
# Soak test: Benchmarks/Soak runs legitimate, malformed and abusive clients at once against loop-redis and loop-http,
# each on the io_uring and the epoll backend (2 loops, not pinned), and samples the server's RSS, fds and CPU every
# second; no legitimate request may fail. Prints each run's Markdown summary and saves them all, with the machine,
# the commands and what each server logged, to Benchmarks/results/soak.md.
#
#   Benchmarks/soak.sh [--seconds S]    S: seconds of soak per run; 4 runs, so the default 75 is 5 minutes in all
#
# The servers get small limits so that the abuse reaches them fast: a connection with more than 8 MiB of unsent
# output is closed (both samples), and a Redis bulk string is at most 1 MiB.
# Environment (defaults): SERVER_CPU, CLIENT_CPU = every CPU (taskset lists: nothing is pinned apart)
#                         PORT=<free-ish port derived from this shell's pid>
# Exit code 1 if a legitimate request failed in any run (the other runs still take place).
set -euo pipefail
cd "$(dirname "$0")/.."
SERVER_CPU=${SERVER_CPU:-0-$(($(nproc) - 1))}
CLIENT_CPU=${CLIENT_CPU:-$SERVER_CPU}
source Benchmarks/lib.sh # settings, log, start_server, stop_server (also on exit), machine

usage() { echo "usage: $(sed -n '7p' "$0" | sed 's/^# *//')" >&2; exit 2; }

command="Benchmarks/soak.sh${*:+ $*}"
run_seconds=75
while (($# > 0)); do
    case $1 in
        --seconds) run_seconds=${2:-}; shift ;;
        *) usage ;;
    esac
    shift
done
[[ $run_seconds =~ ^[1-9][0-9]*$ ]] || usage

SOAK=Benchmarks/Soak/bin/Release/net10.0/soak.dll
LIMITS=(--Loop:MaxOutputBytes 8388608)
REDIS_LIMITS=(--proto-max-bulk-len 1048576)

log "building (Release)"
dotnet_build Samples/Redis Samples/Http Benchmarks/Soak

# server_notes: whether the server outlived the soak, and what it logged besides its startup line (the first lines).
server_notes() {
    local lines
    kill -0 "$server_pid" 2>/dev/null || echo "- **the server was no longer running at the end of the soak**"
    lines=$(grep -vc '^listening on' "$server_log" || true)
    ((lines > 0)) || return 0
    echo "- the server logged $lines line(s) besides its startup line; the first ones:"
    echo
    echo '```'
    grep -v '^listening on' "$server_log" | head -n 8 | cut -c1-200
    echo '```'
}

failed=0
sections=()
commands=()
for target in redis http; do
    for backend in iouring epoll; do
        PORT=$((PORT + 1))
        server_cmd=(dotnet "Samples/${target^}/bin/Release/net10.0/loop-$target.dll" --port "$PORT" --loops 2 --backend "$backend" "${LIMITS[@]}")
        # No save points: stopping it must not leave a dump.rdb for the next run to load.
        [[ $target == redis ]] && server_cmd+=("${REDIS_LIMITS[@]}" --save "")
        log "$target, $backend: $run_seconds s"
        start_server "listening on" "${server_cmd[@]}"
        soak_cmd=(dotnet "$SOAK" --target "$target" --port "$PORT" --seconds "$run_seconds" --pid "$server_pid" --label "$backend")
        status=0
        summary=$(taskset -c "$CLIENT_CPU" "${soak_cmd[@]}") || status=$?
        if ((status != 0)); then
            failed=1
            ((status == 1)) || summary+=$'\n'"- **the soak itself failed (exit code $status)**"$'\n'
        fi
        section=$summary
        notes=$(server_notes)
        [[ -z $notes ]] || section+=$'\n\n'"$notes"
        soak_line="${soak_cmd[*]}"
        commands+=("taskset -c $SERVER_CPU ${server_cmd[*]}" "taskset -c $CLIENT_CPU ${soak_line/--pid $server_pid/--pid PID}")
        stop_server
        echo "$section"
        sections+=("$section" "")
    done
done

mkdir -p "$RESULTS"
{
    echo "# Soak test"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), \`$command\`"
    echo
    echo "- $(machine)"
    echo "- $run_seconds s per run; servers with 2 loops on CPUs $SERVER_CPU, the soak on CPUs $CLIENT_CPU. Legitimate clients"
    echo "  check every reply; malformed and abusive ones reconnect and repeat. fds after: once the server holds no connection"
    echo "  on its port and no more sockets than before, or 10 s after the soak (other fds are mostly assemblies loaded late)"
    echo
    printf '%s\n' "${sections[@]}"
    echo "Commands:"
    echo
    echo '```'
    printf '%s\n' "${commands[@]}"
    echo '```'
} >"$RESULTS/soak.md"
log "saved $RESULTS/soak.md"
exit "$failed"
