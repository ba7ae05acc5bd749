# Shared by the benchmark scripts: settings, logging, pinned server start/stop, waiting for a quiet machine,
# the machine's description and the summary rows the combined report charts. Sets server_pid.

# CPU lists in taskset's form ("0", "0,2", "2-3"): the server runs on SERVER_CPU, the load tool on CLIENT_CPU.
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
RESULTS=${RESULTS:-Benchmarks/results}   # where reports go (elsewhere for runs that should not replace them)
# The first server's port (each next server takes the next one): below the ephemeral range (32768+), where the
# load tools' client sockets of earlier runs may linger in TIME-WAIT, and apart from another run's.
PORT=${PORT:-$((20000 + $$ % 10000))}
# loop-redis runs with the runtime settings its launch profile and docker-compose give it (README, "Running the Redis
# server"): a 16 MB gen0 budget keeps each collection of a million-key heap short; the other, tiering up on one CPU as
# on several, start_server gives every server. Put it before loop-redis's command.
LOOP_REDIS_ENV=(env DOTNET_GCgen0size=0x1000000)

server_pid=
server_log=$(mktemp)
trap 'stop_server; rm -f "$server_log"' EXIT
trap 'exit 130' INT TERM

log() { echo "$(basename "$0"): $*" >&2; }

# cpu_count LIST: how many CPUs a taskset list names ("0-2,5" is 4). Loop runs one loop per server CPU and the
# load tools one thread per client CPU.
cpu_count() {
    local n=0 part
    for part in ${1//,/ }; do
        if [[ $part == *-* ]]; then n=$((n + ${part#*-} - ${part%-*} + 1)); else n=$((n + 1)); fi
    done
    echo "$n"
}

# Fail early on a list taskset would refuse (a typo, or a CPU this machine does not have).
check_cpus() {
    local list
    for list in "$SERVER_CPU" "$CLIENT_CPU"; do
        taskset -c "$list" true 2>/dev/null || { log "invalid CPU list '$list' (this machine has CPUs 0-$(($(nproc --all) - 1)))"; exit 2; }
    done
}
# dotnet_build PROJECT...: Release builds, unless Benchmarks/run already built everything (BENCH_BUILT=1).
dotnet_build() {
    [[ ${BENCH_BUILT:-} == 1 ]] && return
    local project
    for project in "$@"; do dotnet build "$project" -c Release -nologo -v q >&2; done
}

# install_packages PACKAGE...: installs Debian packages (as root), or says how and stops.
install_packages() {
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        log "installing $*"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
    else
        log "missing tools; install them with: sudo apt-get install $*"; exit 1
    fi
}

# need_commands COMMAND:PACKAGE...: installs the packages whose command is missing.
need_commands() {
    local pair missing=()
    for pair in "$@"; do command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}"); done
    ((${#missing[@]} == 0)) || install_packages "${missing[@]}"
}

# start_server READY COMMAND...: starts COMMAND pinned to SERVER_CPU and waits (at most 10 s) until it is ready:
# READY is a text it prints then, or :PORT for a server that prints nothing (ready once PORT takes connections).
# Every server gets DOTNET_TC_DelaySingleProcMultiplier=1 (the C peers ignore it): a .NET process pinned to one CPU
# otherwise waits 10 times longer (a second) before it optimizes its code, and starts that wait again at each method
# compiled meanwhile, so seconds of warm-up left Loop and Kestrel part of the way to their steady pace (Kestrel, with
# more code, further behind). With it both tier up as on a machine with more CPUs.
start_server() {
    local ready=$1; shift
    # Emptied here, not by the background redirection: the readiness check must not find the last server's line.
    : >"$server_log"
    DOTNET_TC_DelaySingleProcMultiplier=1 taskset -c "$SERVER_CPU" "$@" >>"$server_log" 2>&1 &
    server_pid=$!
    for _ in $(seq 100); do
        if [[ $ready == :* ]]; then
            (: </dev/tcp/127.0.0.1/"${ready#:}") 2>/dev/null && return
        else
            grep -q "$ready" "$server_log" && return
        fi
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

# One line for a report: CPU model, cores, kernel.
machine() { echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; kernel $(uname -r)"; }

# summary_row FILE TEST LOOP PEER PEER_NAME UNIT: one row of the throughput summary (tab-separated) that
# Benchmarks/chart.py draws as Loop's bar against the peer's.
summary_row() {
    local file=$1; shift
    printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$file"
}

check_cpus
SERVER_CPUS=$(cpu_count "$SERVER_CPU")
CLIENT_CPUS=$(cpu_count "$CLIENT_CPU")

# traced_syscalls PID COMMAND...: the system calls every thread of PID and of its children (nginx's workers) made
# while COMMAND ran (its output is discarded). strace slows the server, so callers trace a separate short run; the
# count per request is the point.
traced_syscalls() {
    local pid=$1 trace strace_pid; shift
    trace=$(mktemp)
    strace -c -f -q -o "$trace" -p "$pid" $(pgrep -P "$pid" | sed 's/^/-p /') &
    strace_pid=$!
    sleep 1
    "$@" >/dev/null
    kill -INT "$strace_pid"
    wait "$strace_pid" 2>/dev/null || true
    awk '$NF == "total" { print $4 }' "$trace"
    rm -f "$trace"
}
