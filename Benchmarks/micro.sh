#!/usr/bin/env bash
# Micro-benchmarks (BenchmarkDotNet, Benchmarks/Micro): the HTTP request parser and response writer, the RESP
# parser and writer, each on its own — ns and allocated bytes per operation. Saves BenchmarkDotNet's Markdown
# table, with the machine and the command, to Benchmarks/results/micro.md.
#
#   Benchmarks/micro.sh [more BenchmarkDotNet flags...]
#
# Environment (defaults): JOB=short (BenchmarkDotNet's job: 3 warm-ups, 3 measured iterations, one launch; use
#                         JOB=default for tighter error bars, about 10 times longer)
#                         FILTER='*' (which benchmarks, e.g. '*Resp*')
set -euo pipefail
cd "$(dirname "$0")/.."

JOB=${JOB:-short}
RESULTS=Benchmarks/results
MICRO=Benchmarks/Micro/bin/Release/net10.0/Loop.Benchmarks.Micro.dll
artifacts=$(mktemp -d)
trap 'rm -rf "$artifacts"' EXIT

log() { echo "$(basename "$0"): $*" >&2; }

log "building (Release)"
dotnet build Benchmarks/Micro -c Release -nologo -v q >&2
log "running (job $JOB; a few minutes)"
# --join: one table for all classes. The artifacts (logs, generated projects) stay out of the tree.
dotnet "$MICRO" --job "$JOB" --filter "${FILTER:-*}" --join --exporters github --artifacts "$artifacts" "$@" >"$artifacts/console.log" \
    || { cat "$artifacts/console.log" >&2; exit 1; }
table=$(ls "$artifacts"/results/*-report-github.md)

mkdir -p "$RESULTS"
{
    echo "# Micro-benchmarks"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), \`Benchmarks/micro.sh${*:+ $*}\` (job $JOB)"
    echo
    echo "- Each operation on one request or reply, in memory: no sockets, no loop thread. \"16 pipelined\" rows are"
    echo "  per request of a 16-request buffer. Allocated: managed bytes per operation (\`-\` is none)."
    echo "- Sources: Benchmarks/Micro/*Benchmarks.cs"
    echo
    cat "$table"
} >"$RESULTS/micro.md"
cat "$table"
log "saved $RESULTS/micro.md"
