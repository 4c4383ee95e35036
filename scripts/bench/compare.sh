#!/usr/bin/env bash
# Whole-process comparison: N records through CPython's logging.config.dictConfig
# and through logconf, with the same YAML (scripts/bench/whole_process.yaml),
# each to a rotating file in a temp dir. Each program runs RUNS times,
# alternating; the medians are reported, with the Python-to-Rust ratios of
# the whole process (start to exit: interpreter or binary start, config
# load, the records, shutdown) and of the record loop alone. A third
# contender, logconf with its opt-in `buffer:` (which has no CPython
# equivalent), is reported on a line of its own.
#
# Usage: scripts/bench/compare.sh [N] [RUNS]
#   (defaults 200000 and 5; PYTHON selects the interpreter, default CPython
#   3.13 from pyenv when installed (the reference), else python3; it needs
#   PyYAML: `python3 -m pip install pyyaml`)
set -euo pipefail

records=${1:-200000}
runs=${2:-5}
python=${PYTHON:-$(PYENV_VERSION=3.13.0 pyenv which python3 2>/dev/null || echo python3)}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$python" -c 'import yaml' 2>/dev/null || {
    echo "PyYAML is missing: $python -m pip install pyyaml" >&2
    exit 1
}

# Run the interpreter itself, not a version manager's shim (a shim's
# own start-up would be counted as Python's).
python=$("$python" -c 'import sys; print(sys.executable)')

cd "$root"
rust=$(cargo bench -p logconf-bench --bench whole_process --no-run 2>&1 |
    sed -n 's/.*Executable .*(\(.*whole_process-[0-9a-f]*\)).*/\1/p' | tail -n 1)
if [ -z "$rust" ] || [ ! -x "$rust" ]; then
    echo "could not build the whole_process bench" >&2
    exit 1
fi

now_ns() { date +%s%N; }

# run NAME COMMAND...: one timed run; appends "wall_seconds loop_rate" to $tmp/NAME.
run() {
    local name=$1
    shift
    rm -f "$tmp/$name.log"*
    local start end out
    start=$(now_ns)
    out=$("$@")
    end=$(now_ns)
    local lines
    lines=$(cat "$tmp/$name.log"* | wc -l)
    if [ "$lines" -ne "$records" ]; then
        echo "$name wrote $lines lines, expected $records" >&2
        exit 1
    fi
    local rate
    rate=$(sed -n 's/.*records_per_second=\([0-9]*\).*/\1/p' <<<"$out")
    echo "$(( (end - start) / 1000 )) $rate" >>"$tmp/$name.times"
    echo "  $out wall_seconds=$(awk -v us=$(( (end - start) / 1000 )) 'BEGIN { printf "%.3f", us / 1e6 }')"
}

echo "records=$records runs=$runs python=$("$python" -c 'import sys; print(sys.version.split()[0])')"
for _ in $(seq "$runs"); do
    run python "$python" "$here/whole_process.py" "$records" "$tmp/python.log"
    run rust "$rust" "$records" "$tmp/rust.log"
    run rust_buffered "$rust" "$records" "$tmp/rust_buffered.log" buffered
done

if ! diff -q <(head -n 3 "$tmp/python.log") <(head -n 3 "$tmp/rust.log") >/dev/null; then
    echo "note: the first lines differ:" >&2
    head -n 3 "$tmp/python.log" "$tmp/rust.log" >&2
fi

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
py_wall=$(cut -d' ' -f1 "$tmp/python.times" | median)
rs_wall=$(cut -d' ' -f1 "$tmp/rust.times" | median)
py_rate=$(cut -d' ' -f2 "$tmp/python.times" | median)
rs_rate=$(cut -d' ' -f2 "$tmp/rust.times" | median)
rb_wall=$(cut -d' ' -f1 "$tmp/rust_buffered.times" | median)
rb_rate=$(cut -d' ' -f2 "$tmp/rust_buffered.times" | median)

awk -v pw="$py_wall" -v rw="$rs_wall" -v pr="$py_rate" -v rr="$rs_rate" \
    -v bw="$rb_wall" -v br="$rb_rate" 'BEGIN {
    printf "median whole process: python %.3f s, rust %.3f s -> python/rust = %.1fx\n", pw / 1e6, rw / 1e6, pw / rw
    printf "median record loop:   python %.0f rec/s, rust %.0f rec/s -> rust/python = %.1fx\n", pr, rr, rr / pr
    printf "opt-in buffer: (no CPython equivalent): whole process %.3f s -> python/rust = %.1fx; loop %.0f rec/s -> %.1fx\n", bw / 1e6, pw / bw, br, br / pr
}'
