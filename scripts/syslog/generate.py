#!/usr/bin/env python3
"""Golden syslog packets from CPython's own SysLogHandler.

Sends every record of tests/syslog/cases.json through CPython 3.13's
logging.handlers.SysLogHandler, once over UDP and once over TCP, to loopback
sinks this script runs itself, and writes what the sinks received to
tests/syslog/golden/{udp,tcp}.json (hex, plus a readable copy).
src/handler/syslog/tests.rs sends the same records through logconf's handler
and compares byte for byte.

    PYENV_VERSION=3.13.0 python3 scripts/syslog/generate.py          # write
    PYENV_VERSION=3.13.0 python3 scripts/syslog/generate.py --check  # compare

Only 127.0.0.1 is used.
"""

import argparse
import json
import logging
import logging.handlers
import socket
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "syslog" / "cases.json"
GOLDEN = ROOT / "tests" / "syslog" / "golden"
TIMEOUT = 5.0


def record_for(case):
    """A LogRecord as logging.Logger.makeRecord builds it."""
    level = case["level"]
    return logging.LogRecord(
        name="golden",
        level=level,
        pathname=__file__,
        lineno=1,
        msg=case["message"],
        args=None,
        exc_info=None,
    )


def handler_for(case, address, socktype):
    handler = logging.handlers.SysLogHandler(
        address=address, facility=case["facility"], socktype=socktype
    )
    handler.ident = case["ident"]
    handler.append_nul = case["append_nul"]
    handler.setFormatter(logging.Formatter("%(message)s"))
    return handler


def udp_packets(cases):
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", 0))
    sink.settimeout(TIMEOUT)
    address = sink.getsockname()
    packets = []
    for case in cases:
        handler = handler_for(case, address, socket.SOCK_DGRAM)
        handler.emit(record_for(case))
        handler.close()
        packets.append(sink.recv(65536))
    sink.close()
    return packets


def tcp_streams(cases):
    """One connection per case: everything it carried, until it closed."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(TIMEOUT)
    address = listener.getsockname()
    streams = []

    def accept_all():
        for _ in cases:
            conn, _ = listener.accept()
            conn.settimeout(TIMEOUT)
            data = b""
            while chunk := conn.recv(65536):
                data += chunk
            conn.close()
            streams.append(data)

    thread = threading.Thread(target=accept_all)
    thread.start()
    for case in cases:
        handler = handler_for(case, address, socket.SOCK_STREAM)
        handler.emit(record_for(case))
        handler.close()
    thread.join()
    listener.close()
    return streams


def golden(cases, blobs, what):
    return {
        "generated_by": "scripts/syslog/generate.py with CPython "
        + ".".join(map(str, sys.version_info[:3])),
        "what": what,
        "packets": [
            {
                "case": i,
                "hex": blob.hex(),
                "text": blob.decode("utf-8", "backslashreplace"),
            }
            for i, blob in enumerate(blobs)
        ],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="compare with the committed files"
    )
    args = parser.parse_args()
    if sys.version_info[:2] != (3, 13):
        sys.exit("generate.py: run with CPython 3.13 (PYENV_VERSION=3.13.0 python3)")
    cases = json.loads(CASES.read_text(encoding="utf-8"))["cases"]
    outputs = {
        "udp.json": golden(cases, udp_packets(cases), "one UDP datagram per case"),
        "tcp.json": golden(
            cases, tcp_streams(cases), "every byte of one TCP connection per case"
        ),
    }
    failed = False
    for name, content in outputs.items():
        text = json.dumps(content, indent=1, ensure_ascii=False) + "\n"
        path = GOLDEN / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                print(f"generate.py: {path.relative_to(ROOT)} differs", file=sys.stderr)
                failed = True
        else:
            GOLDEN.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    if failed:
        sys.exit(1)
    if args.check:
        print("golden files match CPython")


if __name__ == "__main__":
    main()
