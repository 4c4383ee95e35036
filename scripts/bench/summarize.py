"""Prints the criterion medians of benches/compare.rs as ratios to the
hand-written tracing-subscriber baseline of the same group.

Usage: summarize.py [TARGET_DIR]   (default: target)
"""

import json
import pathlib
import sys

GROUPS = ["disabled", "enabled", "fanout", "fanout_null", "contention", "init"]
# fanout_null has no tracing-subscriber member: its ratios are to 6h_1f.
BASELINE = {"fanout_null": "logconf_6h_1f"}


def main() -> None:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target") / "criterion"
    print(f"{'group':<12} {'bench':<24} {'median':>12}  ratio")
    for group in GROUPS:
        medians = {}
        for est in sorted((root / group).glob("*/new/estimates.json")):
            medians[est.parent.parent.name] = json.loads(est.read_text())["median"]["point_estimate"]
        base = medians.get(BASELINE.get(group, "tracing_subscriber"))
        for name, ns in medians.items():
            ratio = f"{ns / base:.2f}x" if base else ""
            value = f"{ns / 1000:.1f} us" if ns >= 10_000 else f"{ns:.1f} ns"
            print(f"{group:<12} {name:<24} {value:>12}  {ratio}")


if __name__ == "__main__":
    main()
