#!/usr/bin/env bash
# Every benchmark in one run, about five minutes on two cores: the criterion
# groups (as ratios to the tracing-subscriber baseline), the paired rounds,
# and the whole-process comparison with CPython.
#
# Usage: scripts/bench/run_all.sh
#   PYTHON selects the interpreter for the CPython comparison (needs PyYAML;
#   default CPython 3.13 from pyenv when installed, else python3).
set -euo pipefail
cd "$(dirname "$0")/../.."

echo "== machine"
echo "nproc: $(nproc)"
grep -m1 'model name' /proc/cpuinfo || true
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== criterion (benches/compare.rs)"
rm -rf target/criterion
cargo bench -p logconf-bench --bench compare -- --warm-up-time 1 --measurement-time 3 >target/bench_compare.txt 2>&1 ||
    { tail -n 30 target/bench_compare.txt; exit 1; }
python3 scripts/bench/summarize.py target

echo "== paired rounds (benches/paired.rs)"
cargo bench -p logconf-bench --bench paired -- 100 2>/dev/null

echo "== whole process vs CPython (scripts/bench/compare.sh)"
scripts/bench/compare.sh 200000 5
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
