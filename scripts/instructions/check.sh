#!/usr/bin/env bash
# Instructions per record on logconf's main paths, counted by valgrind
# (cachegrind, no cache simulation), against committed budgets: a path that
# grows more than 10% over its budget fails. Counts, unlike timings, do not
# depend on a noisy machine.
#
#   scripts/instructions/check.sh          # check against the budgets
#   scripts/instructions/check.sh --bless  # write the measured counts as budgets
#
# Each path runs twice, with 1,000 and 11,000 records; the difference over
# 10,000 is the cost of one record, without start-up and shutdown.
set -euo pipefail
cd "$(dirname "$0")/../.."

budgets=benches/instructions.budget
tolerance_percent=10
paths="quiet quiet_log text text_time timed buffered fanout json ecs"

if ! command -v valgrind >/dev/null 2>&1; then
    echo "valgrind is not installed (apt-get install -y valgrind)" >&2
    exit 1
fi

cargo build --release --quiet -p logconf-bench --bin instructions
bin=target/release/instructions

count() {
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
        "$bin" "$1" "$2" 2>&1 >/dev/null |
        sed -n 's/.*I *refs: *\([0-9,]*\).*/\1/p' | tr -d ,
}

bless=0
[ "${1:-}" = "--bless" ] && bless=1
failed=0
measured=""
printf '%-10s %10s %10s\n' path measured budget
for path in $paths; do
    small=$(count "$path" 1000)
    large=$(count "$path" 11000)
    per_record=$(( (large - small) / 10000 ))
    measured+="$path $per_record"$'\n'
    budget=$(awk -v p="$path" '$1 == p { print $2 }' "$budgets" 2>/dev/null || true)
    status=""
    if [ "$bless" = 0 ]; then
        if [ -z "$budget" ]; then
            status="no budget"
            failed=1
        elif [ $(( per_record * 100 )) -gt $(( budget * (100 + tolerance_percent) )) ]; then
            status="over budget by more than ${tolerance_percent}%"
            failed=1
        fi
    fi
    printf '%-10s %10s %10s %s\n' "$path" "$per_record" "${budget:--}" "$status"
done

if [ "$bless" = 1 ]; then
    {
        echo "# Instructions per record (valgrind cachegrind), written by"
        echo "# scripts/instructions/check.sh --bless; checked with ${tolerance_percent}% tolerance."
        printf '%s' "$measured"
    } >"$budgets"
    echo "wrote $budgets"
fi
exit "$failed"
