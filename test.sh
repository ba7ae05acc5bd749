#!/usr/bin/env bash
# Runs every test (unit and integration) in Release; exits non-zero when any fails.
set -euo pipefail
cd "$(dirname "$0")"
dotnet test Loop.sln -c Release --logger "console;verbosity=normal" 2>&1 | tee /tmp/loop-test.log
# A closing line any CI reader understands.
grep -E "^(Passed|Failed)!" /tmp/loop-test.log | awk -F'[:,]' '{f+=$3; p+=$5} END {printf "%d passed, %d failed\n", p, f}'
