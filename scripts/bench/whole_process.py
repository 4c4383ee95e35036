"""The CPython half of the whole-process comparison (compare.sh).

Loads scripts/bench/whole_process.yaml with PyYAML, applies it with
logging.config.dictConfig, writes N INFO records and prints the rate of
the loop in the same form as the Rust half.

Usage: whole_process.py N LOGFILE
"""

import logging
import logging.config
import pathlib
import sys
import time

import yaml


def main() -> None:
    records = int(sys.argv[1])
    logfile = sys.argv[2]
    text = (pathlib.Path(__file__).parent / "whole_process.yaml").read_text()
    t_init = time.perf_counter()
    logging.config.dictConfig(yaml.safe_load(text.replace("LOGFILE", logfile)))
    init = time.perf_counter() - t_init

    log = logging.getLogger("bench_app")
    t_loop = time.perf_counter()
    for i in range(records):
        log.info("request %d handled in %d ms", i, 42)
    logging.shutdown()
    seconds = time.perf_counter() - t_loop

    print(
        f"python records={records} init_seconds={init:.6f} "
        f"loop_seconds={seconds:.6f} records_per_second={records / seconds:.0f}"
    )


if __name__ == "__main__":
    main()
