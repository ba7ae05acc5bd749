# Shared by the benchmark scripts: logging, pinned server start/stop, waiting for a quiet machine.
# Expects SERVER_CPU; sets server_pid.

server_pid=
server_log=$(mktemp)
trap 'stop_server; rm -f "$server_log"' EXIT
trap 'exit 130' INT TERM

log() { echo "$(basename "$0"): $*" >&2; }

# start_server READY_TEXT COMMAND...: starts COMMAND pinned to SERVER_CPU and waits (at most 10 s)
# for READY_TEXT in its output.
start_server() {
    local ready=$1; shift
    taskset -c "$SERVER_CPU" "$@" >"$server_log" 2>&1 &
    server_pid=$!
    for _ in $(seq 100); do
        grep -q "$ready" "$server_log" && return
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    log "server did not start: $*"; cat "$server_log" >&2; exit 1
}

# SIGTERM, then SIGKILL if the server has not exited within 10 s.
stop_server() {
    [[ -n $server_pid ]] || return 0
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
}

# Other work on the machine skews a run: wait (at most 10 s) for a second with the CPUs at least 90% idle.
wait_for_quiet() {
    local a b i busy total
    for _ in $(seq 10); do
        read -ra a </proc/stat; sleep 1; read -ra b </proc/stat
        total=0; for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
        busy=$((total - (b[4] - a[4]) - (b[5] - a[5])))
        if ((busy * 10 <= total)); then return; fi
    done
}
