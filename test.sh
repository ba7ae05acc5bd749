#!/usr/bin/env bash
# Runs every test (unit and integration) in Release; exits non-zero when any fails.
# Installs what the tests drive besides .NET: PostgreSQL (scripts/postgres.sh), redis-cli (Debian's redis-tools), and redis-server with
# redis-check-rdb and redis-check-aof (Debian's redis-server), the real Redis that DUMP/RESTORE, RDB files and
# append-only files are checked against.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v redis-cli >/dev/null || missing+=(redis-tools)
{ command -v redis-server && command -v redis-check-rdb && command -v redis-check-aof; } >/dev/null || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]} (redis-cli, redis-server, redis-check-rdb, redis-check-aof) for the Redis end-to-end tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The HTTP sample's database routes are tested against a real PostgreSQL (installed from Debian's packages when
# missing), started here on a spare port and stopped, its data deleted, however the tests end.
scripts/postgres.sh start
trap 'scripts/postgres.sh stop' EXIT

log=$(mktemp)
status=0
dotnet test Loop.sln -c Release --logger "console;verbosity=normal" 2>&1 | tee "$log" || status=$?
# The Redis tests again on one loop and on four (InProcessRedis's default is two): the keyspace must hold whatever
# the loops.
for loops in 1 4; do
    LOOP_REDIS_TEST_LOOPS=$loops dotnet test IntegrationTests -c Release --no-build --filter "FullyQualifiedName~.Redis." \
        --logger "console;verbosity=normal" 2>&1 | tee -a "$log" || status=$?
done
# Failures again at the end, where a CI log's tail shows them: each failed test with its message and stack.
awk '/^  Failed / {show = 1} /^  (Passed|Skipped) |^Test Run |^\[xUnit/ {show = 0} show' "$log"
# One closing line in the plain form any CI reader understands, summed over the test projects.
awk '/^ +Passed: [0-9]+$/ {p += $2} /^ +Failed: [0-9]+$/ {f += $2} END {printf "%d passed, %d failed\n", p, f}' "$log"
rm -f "$log"
exit $status
