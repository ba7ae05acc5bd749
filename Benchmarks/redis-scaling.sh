#!/usr/bin/env bash
# Redis scaling benchmark: loop-redis at 1, 2, 4, ... loops up to the server CPUs (loop i pinned to the i-th of
# the first N server CPUs), against redis-server (one thread, and with --io-threads equal to the server CPUs) and
# Garnet on all the server CPUs, driven by one redis-benchmark process per client CPU (one process tops out near
# 1.5M req/s and would hide the server), each pinned to its CPU with its share of the connections, their req/s
# summed. GET, SET, INCR, LPUSH and MSET at -P 16 and -P 1, after a warm-up. Each measurement is sized from a
# short calibration run to last DURATION seconds. Writes Benchmarks/results/redis-scaling.md (tables,
# machine, commands), .tsv (one row per measurement) and .svg (throughput against loops).
#
#   Benchmarks/redis-scaling.sh [--quick] [--server-cpus LIST] [--client-cpus LIST] [--duration S] [--no-garnet]
#                               [--no-peers] [--loop-redis DLL] [--appendfsync MODE] [--output NAME]
#   Benchmarks/redis-scaling.sh --pack [--no-garnet]
#
#   --quick             a smoke test (about a minute on 2 cores): GET and SET only, 1 s measurements
#   --server-cpus LIST  CPUs for the servers, in taskset's form (0-7, 0,2). Default 0
#   --client-cpus LIST  CPUs for redis-benchmark, one process per CPU. Default 1
#   --duration S        seconds per measurement. Default 2.5
#   --no-garnet         leave Garnet out of the run (or of the kit)
#   --no-peers          run loop-redis alone (no redis-server, no Garnet): a rerun after a change
#   --loop-redis DLL    run this framework-dependent loop-redis.dll (another commit's build) instead, on the kit's
#                       runtime in a kit: two commits compared on one machine
#   --appendfsync MODE  every server with an append-only file (`--appendonly yes --appendfsync MODE`, everysec or
#                       always) in a fresh directory under the kit or the repository (on its disk, named in the report);
#                       Garnet, whose log is of its own kind, is left out
#   --output NAME       write Benchmarks/results/NAME.md, .tsv and .svg. Default redis-scaling
#   --pack              build Benchmarks/kit/redis-scaling-kit.tar.xz: loop-redis published self-contained, Debian's
#                       redis-server and redis-benchmark with their libraries and loader, Garnet on loop-redis's
#                       runtime, these scripts. Unpacked anywhere (x86-64 Linux, glibc, no .NET, no network):
#                       redis-scaling-kit/run --server-cpus 0-7 --client-cpus 8-15
#
# Environment (defaults): TESTS=get,set,incr,lpush,mset CONNECTIONS=32 (per redis-benchmark process)
#                         KEYS=100000 (redis-benchmark -r) ATTEMPTS=2 (runs at most when other work disturbs one)
#                         GARNET_VERSION=2.2.8 PORT, RESULTS (lib.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '10,33p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

command="Benchmarks/redis-scaling.sh${*:+ $*}"
TESTS=${TESTS:-get,set,incr,lpush,mset}
CONNECTIONS=${CONNECTIONS:-32}
KEYS=${KEYS:-100000}
GARNET_VERSION=${GARNET_VERSION:-2.2.8}
DURATION=2.5
CALIBRATION=0.4 # seconds the calibration run lasts at least
WARMUP=1        # seconds of each test at -P 16 when a server has started,
WARMUP_ROUNDS=2 # this many times over: loop-redis reaches its steady pace after about 5 s of load (tiered JIT, PGO)
ATTEMPTS=${ATTEMPTS:-2}
quick= pack= garnet=1 peers=1 loop_dll= output=redis-scaling appendfsync=
while (($# > 0)); do
    case $1 in
        --quick) quick=1 TESTS=get,set DURATION=1 CALIBRATION=0.25 ATTEMPTS=1 ;;
        --server-cpus) SERVER_CPU=${2:?--server-cpus needs a CPU list}; shift ;;
        --client-cpus) CLIENT_CPU=${2:?--client-cpus needs a CPU list}; shift ;;
        --duration) DURATION=${2:?--duration needs seconds}; shift ;;
        --no-garnet) garnet= ;;
        --no-peers) peers= garnet= ;;
        --loop-redis) loop_dll=$(realpath "${2:?--loop-redis needs a loop-redis.dll}"); shift ;;
        --appendfsync) appendfsync=${2:?--appendfsync needs everysec or always} garnet=; shift ;;
        --output) output=${2:?--output needs a name}; shift ;;
        --pack) pack=1 ;;
        *) usage ;;
    esac
    shift
done
export SERVER_CPU CLIENT_CPU

# Settings, log, cpu_count, start_server/stop_server (also on exit), wait_for_quiet, machine, need_commands.
source Benchmarks/lib.sh
tmp=$(mktemp -d)
bench_pids=()
aof_dir= # with --appendfsync: the servers' data directory
trap 'kill "${bench_pids[@]}" 2>/dev/null || true; stop_server; rm -rf "$server_log" "$tmp" "$aof_dir"' EXIT

kit_archive=Benchmarks/kit/redis-scaling-kit.tar.xz
# Inside an unpacked kit (a file KIT at its root) every program comes from the kit; in the repository from the
# build, the system (Debian's redis) and a dotnet tool install of Garnet.
in_kit=
[[ -f KIT ]] && in_kit=1

# cpu_list LIST: the CPUs a taskset list names, one per line ("0-2,5" -> 0 1 2 5).
cpu_list() {
    local part
    for part in ${1//,/ }; do
        if [[ $part == *-* ]]; then seq "${part%-*}" "${part#*-}"; else echo "$part"; fi
    done
}

# garnet_files: installs the garnet-server tool (pinned version) under Benchmarks/tools when it is missing and
# prints the folder holding GarnetServer.dll.
garnet_files() {
    local root=Benchmarks/tools/garnet-$GARNET_VERSION
    if [[ ! -d $root/.store ]]; then
        log "installing garnet-server $GARNET_VERSION (dotnet tool)"
        dotnet tool install garnet-server --version "$GARNET_VERSION" --tool-path "$root" >&2
    fi
    dirname "$(find "$root/.store" -path '*/tools/*/any/GarnetServer.dll' | head -n 1)"
}

# ---------------------------------------------------------------------------------------------------------------
# --pack: the self-contained kit.
# ---------------------------------------------------------------------------------------------------------------
pack() {
    [[ -z $in_kit ]] || { log "--pack runs in the repository, not in a kit"; exit 2; }
    need_commands redis-server:redis-server redis-benchmark:redis-tools redis-cli:redis-tools xz:xz-utils
    local stage kit runtime dotnet_root
    stage=$(mktemp -d -p "$tmp")
    kit=$stage/redis-scaling-kit
    mkdir -p "$kit/Benchmarks/results" "$kit/redis/bin" "$kit/redis/lib"

    # loop-redis with its runtime. With Garnet in the kit the runtime is kept whole, because Garnet (framework-
    # dependent) runs on it too; without Garnet it is trimmed (partial: only the framework's own assemblies, so that
    # configuration binding keeps finding loop-redis's options by reflection).
    local publish=(-c Release -r linux-x64 --self-contained -nologo -v q -o "$kit/loop-redis") trimmed=
    [[ -n $garnet ]] || trimmed=", trimmed" publish+=(-p:PublishTrimmed=true -p:TrimMode=partial -p:EnableConfigurationBindingGenerator=false
        -p:SuppressTrimAnalysisWarnings=true -p:EnableTrimAnalyzer=false)
    log "publishing loop-redis (linux-x64, self-contained$trimmed)"
    dotnet publish Samples/Redis "${publish[@]}" >&2
    rm -f "$kit"/loop-redis/*.xml
    runtime=$(sed -n '/includedFrameworks/,/]/s/.*"version": *"\([^"]*\)".*/\1/p' "$kit/loop-redis/loop-redis.runtimeconfig.json")

    # Debian's redis tools with every library they load, the C library and its loader included: they run through
    # the kit's loader (redis/lib/ld-linux-x86-64.so.2 --library-path redis/lib), whatever the machine's glibc.
    local tool lib
    for tool in redis-server redis-benchmark redis-cli; do cp -L "$(command -v "$tool")" "$kit/redis/bin/$tool"; done
    for lib in $(ldd "$kit"/redis/bin/* | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/.*ld-linux/ { print $1 }' | sort -u); do
        cp -L "$lib" "$kit/redis/lib/$(basename "$lib")"
    done

    if [[ -n $garnet ]]; then
        # Garnet's tool files for linux-x64 (no other platforms, no XML docs), and a dotnet root whose only
        # framework is loop-redis's self-contained runtime: the muxer, hostfxr and shared/Microsoft.NETCore.App/V
        # as links into loop-redis/, plus the framework's deps.json from the runtime pack.
        local any
        any=$(garnet_files)
        mkdir -p "$kit/garnet"
        (cd "$any" && tar -cf - --exclude='*.xml' --exclude=./portable --exclude='./win-*' --exclude='./osx-*' \
            --exclude='./linux-*' --exclude='./runtimes/[!l]*' --exclude='./runtimes/linux-[!x]*' \
            --exclude='./runtimes/linux-musl*' .) | tar -C "$kit/garnet" -xf -
        dotnet_root=$kit/dotnet
        mkdir -p "$dotnet_root/host/fxr/$runtime" "$dotnet_root/shared/Microsoft.NETCore.App"
        cp "$(dirname "$(readlink -f "$(command -v dotnet)")")/dotnet" "$dotnet_root/dotnet"
        ln -s "../../../../loop-redis/libhostfxr.so" "$dotnet_root/host/fxr/$runtime/libhostfxr.so"
        ln -s "../../../loop-redis" "$dotnet_root/shared/Microsoft.NETCore.App/$runtime"
        # Garnet will not start without OpenSSL (which .NET opens by name): the redis tools' copy, for a machine
        # without one. Where the machine's glibc is too old for it, .NET goes on to the machine's own OpenSSL.
        mkdir -p "$dotnet_root/lib"
        ln -s ../../redis/lib/libssl.so.3 "$dotnet_root/lib/libssl.so.3"
        ln -s ../../redis/lib/libcrypto.so.3 "$dotnet_root/lib/libcrypto.so.3"
        local packages
        packages=$(dotnet nuget locals global-packages -l | sed 's/^global-packages: *//')
        cp "$packages/microsoft.netcore.app.runtime.linux-x64/$runtime/runtimes/linux-x64/lib/net10.0/Microsoft.NETCore.App.deps.json" \
            "$kit/loop-redis/"
    fi

    cp Benchmarks/redis-scaling.sh Benchmarks/lib.sh Benchmarks/scaling_chart.py Benchmarks/chart.py "$kit/Benchmarks/"
    cat >"$kit/run" <<'EOF'
#!/usr/bin/env bash
# Runs the Redis scaling benchmark with this kit's programs only; results go to Benchmarks/results/redis-scaling.*
#   ./run [--quick] [--server-cpus LIST] [--client-cpus LIST] [--duration S] [--no-garnet] [--output NAME]
exec "$(dirname "$0")/Benchmarks/redis-scaling.sh" "$@"
EOF
    chmod +x "$kit/run"
    {
        echo "Loop Redis scaling kit, built $(date -u '+%Y-%m-%d %H:%M UTC') from $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' (uncommitted changes)')"
        echo "loop-redis: self-contained linux-x64, .NET runtime $runtime$trimmed"
        echo "redis: $(redis-server --version | cut -d' ' -f1-3), with its libraries and loader (Debian $(cat /etc/debian_version 2>/dev/null || echo '?'))"
        [[ -n $garnet ]] && echo "garnet: garnet-server $GARNET_VERSION, run by dotnet/dotnet on loop-redis's runtime"
        echo "Needs: x86-64 Linux with io_uring, glibc 2.27+ and libstdc++ (for .NET), bash, awk, taskset; python3 for the chart"
        echo "Run: ./run --server-cpus 0-7 --client-cpus 8-15     (./run --quick for a smoke test)"
    } >"$kit/KIT"

    mkdir -p "$(dirname "$kit_archive")"
    log "compressing"
    tar -C "$stage" -cf - redis-scaling-kit | xz -9 -T0 >"$kit_archive"
    log "saved $kit_archive: $(du -b "$kit_archive" | awk '{ printf "%.1f MB", $1 / 1e6 }') ($(du -sb "$kit" | awk '{ printf "%.0f MB", $1 / 1e6 }') unpacked)"
}

if [[ -n $pack ]]; then
    pack
    exit
fi

# ---------------------------------------------------------------------------------------------------------------
# The programs.
# ---------------------------------------------------------------------------------------------------------------
if [[ -n $in_kit ]]; then
    kit_root=$PWD
    with_kit_libc=("$kit_root/redis/lib/ld-linux-x86-64.so.2" --library-path "$kit_root/redis/lib")
    REDIS_SERVER=("${with_kit_libc[@]}" "$kit_root/redis/bin/redis-server")
    REDIS_BENCHMARK=("${with_kit_libc[@]}" "$kit_root/redis/bin/redis-benchmark")
    LOOP_REDIS=("${LOOP_REDIS_ENV[@]}" "$kit_root/loop-redis/loop-redis")
    GARNET=(env LD_LIBRARY_PATH="$kit_root/dotnet/lib" "$kit_root/dotnet/dotnet" "$kit_root/garnet/GarnetServer.dll")
    [[ -x $kit_root/dotnet/dotnet ]] || garnet=
    loop_version="kit: $(head -n 1 KIT)"
else
    need_commands redis-server:redis-server redis-benchmark:redis-tools taskset:util-linux
    log "building (Release)"
    dotnet_build Samples/Redis
    REDIS_SERVER=(redis-server)
    REDIS_BENCHMARK=(redis-benchmark)
    LOOP_REDIS=("${LOOP_REDIS_ENV[@]}" dotnet Samples/Redis/bin/Release/net10.0/loop-redis.dll)
    if [[ -n $garnet ]]; then
        if any=$(garnet_files) && [[ -f $any/GarnetServer.dll ]]; then GARNET=(dotnet "$any/GarnetServer.dll"); else log "Garnet unavailable; left out"; garnet=; fi
    fi
    loop_version="repository $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ' (uncommitted changes)'), .NET $(dotnet --version)"
fi
# No save points: stopping a server must not leave a dump.rdb for the next to load (an older build given with
# --loop-redis may predate persistence and the flag).
loop_args=(--save "")
if [[ -n $loop_dll ]]; then
    loop_args=()
    if [[ -n $in_kit ]]; then LOOP_REDIS=("${LOOP_REDIS_ENV[@]}" LD_LIBRARY_PATH="$kit_root/dotnet/lib" "$kit_root/dotnet/dotnet" "$loop_dll"); else LOOP_REDIS=("${LOOP_REDIS_ENV[@]}" dotnet "$loop_dll"); fi
    loop_version="$loop_dll"
fi
aof_args=(--appendonly no)
if [[ -n $appendfsync ]]; then
    # On the disk the kit or repository is on (/tmp may be a tmpfs, where fsync costs nothing); emptied before
    # each server, removed at the end.
    aof_dir=$(mktemp -d -p "$PWD" .aof-data.XXXXXX)
    aof_args=(--appendonly yes --appendfsync "$appendfsync" --dir "$aof_dir")
    loop_args+=("${aof_args[@]}")
fi
redis_args=(--save "" --bind 127.0.0.1 "${aof_args[@]}")
# Neither .NET server needs ICU here; Garnet would otherwise refuse to start on a machine without it.
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
redis_version=$("${REDIS_SERVER[@]}" --version | sed 's/.* v=\([^ ]*\).*/\1/')

server_cpus=($(cpu_list "$SERVER_CPU"))
client_cpus=($(cpu_list "$CLIENT_CPU"))
overlap=
for cpu in "${client_cpus[@]}"; do [[ " ${server_cpus[*]} " == *" $cpu "* ]] && overlap=1; done
loop_counts=()
for ((n = 1; n < ${#server_cpus[@]}; n *= 2)); do loop_counts+=("$n"); done
loop_counts+=("${#server_cpus[@]}")

# ---------------------------------------------------------------------------------------------------------------
# Measuring.
# ---------------------------------------------------------------------------------------------------------------
ticks() { local line; read -r line <"/proc/$1/stat"; line=${line##*) }; set -- $line; echo $((${12} + ${13})); }
hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
# busy_ticks: CPU ticks not idle so far, of the whole machine and of the server's CPUs (busy_cpus).
busy_ticks() {
    awk -v used=" ${busy_cpus[*]} " '$1 ~ /^cpu/ { busy = $2 + $3 + $4 + $7 + $8 + $9 }
        $1 == "cpu" { all = busy } $1 ~ /^cpu[0-9]/ && index(used, " " substr($1, 4) " ") { mine += busy }
        END { print all, mine }' /proc/stat
}

# bench TEST PIPELINE REQUESTS: one redis-benchmark per client CPU, each REQUESTS requests over CONNECTIONS
# connections, all started together. Sets wall (s), total (requests), rps (their req/s summed), p50 and p99 (the
# slowest process's, ms), client_cpu and server_cpu (CPU-s), others_cpu (CPU-s of the machine that was neither's)
# and cpus_busy (% of the server's CPUs that was not idle). Returns 1 when a process failed.
bench() {
    local test=$1 pipeline=$2 requests=$3 i s0 s1 m0 m1 u0 u1 failed=0
    bench_pids=()
    s0=$(ticks "$server_pid"); read -r m0 u0 < <(busy_ticks)
    { TIMEFORMAT='%R %U %S'; time {
        for i in "${!client_cpus[@]}"; do
            taskset -c "${client_cpus[$i]}" "${REDIS_BENCHMARK[@]}" -h 127.0.0.1 -p "$PORT" -c "$CONNECTIONS" -n "$requests" \
                -P "$pipeline" -r "$KEYS" --threads 1 -t "$test" --csv >"$tmp/bench.$i" 2>"$tmp/bench.$i.err" &
            bench_pids+=($!)
        done
        for i in "${bench_pids[@]}"; do wait "$i" || failed=1; done
    }; } 2>"$tmp/time"
    bench_pids=()
    s1=$(ticks "$server_pid"); read -r m1 u1 < <(busy_ticks)
    read -r wall client_user client_sys <"$tmp/time"
    client_cpu=$(awk -v u="$client_user" -v s="$client_sys" 'BEGIN { printf "%.2f", u + s }')
    server_cpu=$(awk -v a="$s0" -v b="$s1" -v hz="$hz" 'BEGIN { printf "%.2f", (b - a) / hz }')
    others_cpu=$(awk -v a="$m0" -v b="$m1" -v hz="$hz" -v s="$server_cpu" -v c="$client_cpu" 'BEGIN { printf "%.2f", (b - a) / hz - s - c }')
    cpus_busy=$(awk -v a="$u0" -v b="$u1" -v hz="$hz" -v w="$wall" -v n="${#busy_cpus[@]}" 'BEGIN { printf "%.0f", 100 * (b - a) / hz / w / n }')
    read -r rps p50 p99 < <(cat "$tmp"/bench.[0-9]* | awk -F, '$1 != "\"test\"" && NF >= 7 {
            gsub(/"/, ""); n++; rps += $2; if ($5 > p50) p50 = $5; if ($7 > p99) p99 = $7 }
        END { printf "%.0f %s %s\n", n ? rps : 0, p50 + 0, p99 + 0 }')
    total=$((requests * ${#client_cpus[@]}))
    if ((failed)) || [[ $rps == 0 ]]; then
        log "redis-benchmark failed ($test, -P $pipeline):"; cat "$tmp"/bench.*.err >&2
        return 1
    fi
}

# calibrate TEST PIPELINE SECONDS: runs the test with more and more requests until a run lasts SECONDS, then sets
# requests to what one process would send in DURATION seconds at that rate. Returns 1 when redis-benchmark failed.
calibrate() {
    requests=$((200 * $2))
    while :; do
        bench "$1" "$2" "$requests" || return 1
        awk -v w="$wall" -v c="$3" 'BEGIN { exit !(w >= c) }' && break
        requests=$(awk -v n="$requests" -v w="$wall" -v c="$3" 'BEGIN { f = 1.5 * c / (w > 0.01 ? w : 0.01); printf "%d", n * (f > 20 ? 20 : f) }')
    done
    requests=$(awk -v t="$total" -v w="$wall" -v d="$DURATION" -v p="${#client_cpus[@]}" 'BEGIN { printf "%d", t / w * d / p + 1000 }')
}

# measure SERVER CAPACITY TEST PIPELINE: calibrates (CALIBRATION seconds), then measures a run sized to last
# DURATION seconds and appends its row to the TSV. CAPACITY is how many CPUs the server can use (its loops or
# threads): with its CPU time it says whether the server set the pace. A run during which other work took more
# than a quarter of a CPU is measured again (ATTEMPTS runs at most), and the least disturbed one is kept.
measure() {
    local server=$1 capacity=$2 test=$3 pipeline=$4 requests server_use client_use limit name
    local attempt row best= best_others=
    calibrate "$test" "$pipeline" "$CALIBRATION" || return 1
    name=${test^^}
    for ((attempt = 1; attempt <= ATTEMPTS; attempt++)); do
        ((attempt == 1)) || { log "  other work took $others_cpu CPU-s; measuring again"; wait_for_quiet; }
        bench "$test" "$pipeline" "$requests" || return 1
        server_use=$(awk -v s="$server_cpu" -v w="$wall" -v n="$capacity" 'BEGIN { printf "%.0f", 100 * s / w / n }')
        client_use=$(awk -v s="$client_cpu" -v w="$wall" -v n="${#client_cpus[@]}" 'BEGIN { printf "%.0f", 100 * s / w / n }')
        if ((server_use >= 90 && client_use >= 90)); then limit=both
        elif ((server_use >= 90)); then limit=server
        elif ((client_use >= 90)); then limit=client
        elif [[ -n $overlap ]] && ((cpus_busy >= 90)); then limit=shared
        else limit=neither
        fi
        row=$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "$server" "$name" "$pipeline" "$rps" \
            "$(awk -v t="$total" -v w="$wall" 'BEGIN { printf "%.0f", t / w }')" \
            "$(awk -v s="$server_cpu" -v t="$total" 'BEGIN { printf "%.3f", s / t * 1e6 }')" \
            "$server_use" "$client_use" "$cpus_busy" "$others_cpu" "$p50" "$p99" "$limit" "$wall")
        if [[ -z $best ]] || awk -v a="$others_cpu" -v b="$best_others" 'BEGIN { exit !(a < b) }'; then
            best=$row best_others=$others_cpu
            log "  $name -P $pipeline: $rps req/s, server $server_use% of $capacity CPU(s), clients $client_use%, server's CPUs $cpus_busy% busy, limit: $limit"
        fi
        awk -v o="$others_cpu" -v w="$wall" 'BEGIN { exit !(o <= 0.25 * w) }' && break
    done
    echo "$best" >>"$report.tsv"
}

# run_server NAME CAPACITY CPUS READY COMMAND...: starts the server pinned to CPUS, warms it up with every test
# at -P 16 (WARMUP seconds each, WARMUP_ROUNDS times), measures every test at -P 16 and -P 1, stops it.
run_server() {
    local name=$1 capacity=$2 cpus=$3 ready=$4 test pipeline; shift 4
    PORT=$((PORT + 1))
    log "$name on CPU(s) $cpus"
    wait_for_quiet
    busy_cpus=($(cpu_list "$cpus"))
    [[ -z $aof_dir ]] || find "$aof_dir" -mindepth 1 -delete
    SERVER_CPU=$cpus start_server "$ready" "$@" --port "$PORT"
    commands+=("taskset -c $cpus $(printf '%q ' "$@")--port $PORT")
    # The same warm-up for every server; the .NET servers run their steady-state (tier-1 JIT) code after it.
    local requests round
    for ((round = 0; round < WARMUP_ROUNDS; round++)); do
        for test in ${TESTS//,/ }; do calibrate "$test" 16 "$WARMUP" || true; done
    done
    for pipeline in 16 1; do
        for test in ${TESTS//,/ }; do
            kill -0 "$server_pid" 2>/dev/null || { log "$name exited:"; cat "$server_log" >&2; server_pid=; return; }
            measure "$name" "$capacity" "$test" "$pipeline" || true
        done
    done
    [[ $name == loop-redis* ]] && contentions+=("| $name | $(lock_contentions) |")
    stop_server
}

# loop-redis's INFO stats: lock waits (Monitor's count) per million commands over its whole run, warm-up included.
lock_contentions() {
    local info
    exec 3<>"/dev/tcp/127.0.0.1/$PORT"
    printf 'INFO stats\r\nQUIT\r\n' >&3
    info=$(tr -d '\r' <&3)
    exec 3<&-
    awk -F: '/^total_commands_processed:/ { n = $2 } /^lock_contentions:/ { c = $2 }
        END { printf "%d in %d commands: %.1f per million", c, n, n ? c * 1e6 / n : 0 }' <<<"$info"
}

# ---------------------------------------------------------------------------------------------------------------
# The report.
# ---------------------------------------------------------------------------------------------------------------
# table COLUMN [TSV]: a Markdown table of one column of the TSV, a row per test and pipeline, a column per server.
table() {
    awk -F'\t' -v col="$1" -v first="${loop_counts[0]}" -v last="${loop_counts[-1]}" '
        NR == 1 { next }
        !($1 in seen) { seen[$1] = 1; servers[++ns] = $1 }
        !(($2 SUBSEP $3) in seenrow) { seenrow[$2, $3] = 1; rows[++nr] = $2 SUBSEP $3 }
        { v[$1, $2, $3] = $col; rps[$1, $2, $3] = $4 }
        END {
            scaling = (col == 4 && last != first)
            printf "| test | -P |"; for (s = 1; s <= ns; s++) printf " %s |", servers[s]
            if (scaling) printf " loop-redis %s / %s |", last, first
            printf "\n|---|---|"; for (s = 1; s <= ns; s++) printf "---|"; if (scaling) printf "---|"; printf "\n"
            for (r = 1; r <= nr; r++) {
                split(rows[r], k, SUBSEP)
                printf "| %s | %s |", k[1], k[2]
                for (s = 1; s <= ns; s++) printf " %s |", ((servers[s], k[1], k[2]) in v) ? v[servers[s], k[1], k[2]] : "n/a"
                if (scaling) {
                    a = rps["loop-redis " first, k[1], k[2]]; b = rps["loop-redis " last, k[1], k[2]]
                    printf " %s |", (a > 0 ? sprintf("**%.2f**", b / a) : "n/a")
                }
                printf "\n"
            }
        }' "${2:-$report.tsv}"
}

# write_report: the Markdown report and the chart from the TSV so far (after each server, so that an interrupted
# run keeps what it measured).
write_report() {
    local elapsed=$((SECONDS - started)) subtitle throughput
    chart=
    subtitle="$(date -u '+%Y-%m-%d') · $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs · server CPUs $SERVER_CPU, client CPUs $CLIENT_CPU${quick:+ · quick run}"
    if command -v python3 >/dev/null; then
        python3 Benchmarks/scaling_chart.py "$subtitle" "$report.tsv" >"$report.svg" && chart=1
    else
        log "no python3: no chart (draw it elsewhere: Benchmarks/scaling_chart.py TITLE $output.tsv > $output.svg)"
    fi

    throughput=$(table 4)
    {
        echo "# Redis scaling benchmark"
        echo
        echo "$(date -u '+%Y-%m-%d %H:%M UTC'): \`$command\`${quick:+ (quick: a smoke test, not a measurement)}, $((elapsed / 60)) min $((elapsed % 60)) s"
        echo
        echo "- $(machine); $(grep -m1 '^MemTotal' /proc/meminfo | awk '{ printf "%.1f GiB", $2 / 1048576 }')"
        echo "- loop-redis: $loop_version; redis-server $redis_version${garnet:+; Garnet $GARNET_VERSION}"
        echo "- Servers on CPU(s) $SERVER_CPU: loop-redis with 1 loop per CPU on the first N of them (\`--loops N --pin\`),"
        echo "  redis-server (one thread$( ((n_servers > 1)) && echo ", and \`--io-threads $n_servers --io-threads-do-reads yes\`")) and Garnet on all of them"
        [[ -z $aof_dir ]] || echo "- Every server with \`--appendonly yes --appendfsync $appendfsync\`, the files on $(df --output=source,fstype "$aof_dir" | tail -n 1 | tr -s ' ')"
        echo "- ${#client_cpus[@]} redis-benchmark process(es), one pinned to each of CPU(s) $CLIENT_CPU$([[ -n $overlap ]] && echo ' (shared with the servers)'),"
        echo "  each $CONNECTIONS connections, \`-r $KEYS --threads 1\`; req/s is their rates summed; each measurement sized to last"
        echo "  about $DURATION s from a calibration run of at least $CALIBRATION s, after a warm-up of $WARMUP s per test at -P 16, $WARMUP_ROUNDS time(s) over"
        echo
        [[ -n $chart ]] && { echo "![throughput against loops]($output.svg)"; echo; }
        echo "**Throughput** (req/s, all redis-benchmark processes together):"
        echo
        echo "$throughput"
        echo
        echo "**Server CPU per request** (µs of the server process's user + system time per request; CPU the kernel spends"
        echo "in softirq outside the process is not in it):"
        echo
        table 6
        echo
        echo "**What set the pace**: server CPU use (of the CPUs it can use: its loops or threads) / redis-benchmark's CPU"
        echo "use (of one CPU per process)$([[ -n $overlap ]] && echo " / how busy the server's CPUs were (it shares them with clients)"),"
        echo "and which was at 90% or more (\`shared\`: the server's CPUs were, with clients on them, neither alone;"
        echo "\`neither\`: latency or other work):"
        echo
        awk -F'\t' -v overlap="$overlap" 'BEGIN { OFS = "\t" } NR > 1 { $7 = $7 "% / " $8 "%" (overlap ? " / " $9 "%" : "") " " $13 } { print }' \
            "$report.tsv" >"$tmp/use.tsv"
        table 7 "$tmp/use.tsv"
        echo
        echo "Others' CPU (CPU-s on the machine during each measurement that was neither the server's nor redis-benchmark's;"
        echo "above a few tenths, other work disturbed it), the slowest process's p50 / p99 and each run's seconds are in"
        echo "$output.tsv."
        echo
        echo "**Lock contentions** of loop-redis (INFO stats \`lock_contentions\`, Monitor's count, over each whole run):"
        echo
        echo "| server | contentions |"
        echo "|---|---|"
        printf '%s\n' "${contentions[@]}"
        echo
        echo "Commands (servers; then one redis-benchmark per client CPU, -n sized per measurement):"
        echo
        echo '```'
        printf '%s\n' "${commands[@]}"
        echo "taskset -c CPU ${REDIS_BENCHMARK[*]} -h 127.0.0.1 -p PORT -c $CONNECTIONS -n N -P 16|1 -r $KEYS --threads 1 -t TEST --csv"
        echo '```'
    } >"$report.md"
}

# ---------------------------------------------------------------------------------------------------------------
# The run.
# ---------------------------------------------------------------------------------------------------------------
mkdir -p "$RESULTS"
report=$RESULTS/$output
printf 'server\ttest\tpipeline\treq/s\treq/s (wall)\tserver CPU us/req\tserver CPU %%\tclient CPU %%\tserver CPUs busy %%\tothers CPU-s\tp50 ms\tp99 ms\tlimit\tseconds\n' \
    >"$report.tsv"
commands=()
contentions=()
started=$SECONDS
n_servers=${#server_cpus[@]}
all_cpus=$(IFS=,; echo "${server_cpus[*]}")
for loops in "${loop_counts[@]}"; do
    run_server "loop-redis $loops" "$loops" "$(IFS=,; echo "${server_cpus[*]:0:loops}")" "listening on" \
        "${LOOP_REDIS[@]}" --loops "$loops" --pin "${loop_args[@]}"
    write_report
done
if [[ -n $peers ]]; then
    run_server "redis-server" 1 "$all_cpus" "Ready to accept connections" "${REDIS_SERVER[@]}" "${redis_args[@]}"
    write_report
fi
if [[ -n $peers ]] && ((n_servers > 1)); then
    run_server "redis-server io-threads $n_servers" "$n_servers" "$all_cpus" "Ready to accept connections" \
        "${REDIS_SERVER[@]}" "${redis_args[@]}" --io-threads "$n_servers" --io-threads-do-reads yes
    write_report
fi
if [[ -n $garnet ]]; then
    run_server "garnet" "$n_servers" "$all_cpus" "Ready to accept connections" "${GARNET[@]}" --bind 127.0.0.1
    write_report
fi
table 4
log "saved $report.md, .tsv${chart:+ and .svg} ($(((SECONDS - started) / 60)) min $(((SECONDS - started) % 60)) s)"

