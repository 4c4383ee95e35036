#!/usr/bin/env python3
"""Golden files for the JSON formatters, produced by the real Python libraries.

Set up the reference environment once (from the repository root; the folder
is git-ignored):

    $(PYENV_VERSION=3.13.0 pyenv which python3) -m venv .venv-oracle
    .venv-oracle/bin/pip install python-json-logger==4.2.0 ecs-logging==2.3.0

Regenerate (from the repository root):

    .venv-oracle/bin/python scripts/json/generate.py

Check that the committed files are up to date (writes nothing, exits 1 on any
difference):

    .venv-oracle/bin/python scripts/json/generate.py --check

It writes

    tests/data/json/cases.json     the records and formatter settings, with
                                   the versions that produced the outputs
    tests/data/json/FORMATTER.jsonl  one line per record, as the formatter
                                   `FORMATTER` of cases.json wrote it

Every record is made by `Logger.makeRecord` with `time.time_ns` patched to the
record's fixed time and `logging._startTime` set so `relativeCreated` is
fixed, in the zone `TZ=UTC`; thread, process and task attributes are then set
to fixed values. The Rust test `format::json::tests::golden` builds the same
records from cases.json and must produce the same bytes.
"""

import importlib
import importlib.metadata
import json
import logging
import os
import platform
import sys
import time
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "data", "json")

# Every LogRecord field a case may set; the rest take BASE's values.
BASE = {
    "name": "app.db",
    "levelno": 20,
    "msg": "hello w\u00f6rld",
    "fields": [],
    "pathname": "src/net/conn.rs",
    "module_path": "app::net::conn",
    "lineno": 42,
    "funcName": "connect",
    "created_ns": 1_764_851_223_406_676_123,
    "relative_ns": 5_123_456_789,
    "thread": 140_314_368_949_120,
    "threadName": "MainThread",
    "process": 7071,
    "processName": "MainProcess",
}

CONTROLS = "".join(chr(c) for c in range(0x20)) + "\x7f\x80\x85\x9b\x9f"

# Fields are [name, type, value]; floats are given as their repr so NaN and
# the infinities survive JSON.
RECORDS = [
    {
        "id": "plain",
        "fields": [["user", "str", "alice"], ["rows", "i64", 3], ["ok", "bool", True]],
    },
    {
        "id": "quotes",
        "name": "app.\"quoted\"\\name",
        "msg": 'say "hi" \\ back\\slash\nnew line\ttab\rcr /solidus',
        "fields": [["path", "str", "C:\\temp\\\"x\""]],
    },
    {
        "id": "controls",
        "levelno": 30,
        "msg": CONTROLS,
        "fields": [["ctl", "str", CONTROLS], ["sep", "str", "a\u2028b\u2029c"]],
    },
    {
        "id": "unicode",
        "levelno": 40,
        "name": "\u00e9t\u00e9.\u65e5\u672c",
        "msg": "caf\u00e9 \u65e5\u672c\u8a9e \U0001f600 \ufeff \u2028 \ud7ff\ue000\uffff \U0010ffff",
        "fields": [["cl\u00e9", "str", "\u00e7a va \U0001f680"]],
    },
    {
        "id": "numbers",
        "levelno": 10,
        "msg": "numbers",
        "fields": [
            ["i64_max", "i64", 2**63 - 1],
            ["i64_min", "i64", -(2**63)],
            ["u64_max", "u64", 2**64 - 1],
            ["zero", "i64", 0],
            ["half", "f64", "1.5"],
            ["tenth", "f64", "0.30000000000000004"],
            ["tiny", "f64", "1e-07"],
            ["huge", "f64", "1e+16"],
            ["big", "f64", "1.7976931348623157e+308"],
            ["small", "f64", "5e-324"],
            ["neg_zero", "f64", "-0.0"],
            ["int_float", "f64", "3.0"],
            ["nan", "f64", "nan"],
            ["inf", "f64", "inf"],
            ["neg_inf", "f64", "-inf"],
            ["yes", "bool", True],
            ["no", "bool", False],
        ],
    },
    {
        "id": "dotted",
        "msg": "GET /x",
        "fields": [
            ["http.request.method", "str", "GET"],
            ["http.response.status_code", "u64", 200],
            ["url.path", "str", "/x"],
            ["labels.env", "str", "prod"],
            ["_private", "str", "hidden"],
        ],
    },
    {
        "id": "empty",
        "levelno": 15,
        "msg": "",
        "created_ns": 1_764_851_223_000_000_000,
        "funcName": "<module>",
        "fields": [["empty", "str", ""]],
    },
    {
        "id": "trace_level",
        "levelno": 5,
        "msg": "percent %s %(x)s {braces} $dollar",
        "created_ns": 1_700_000_000_999_999_999,
        "relative_ns": 0,
        "threadName": "worker-1",
    },
]

JSON = "pythonjsonlogger.json.JsonFormatter"
LEGACY = "pythonjsonlogger.jsonlogger.JsonFormatter"
ECS = "ecs_logging.StdlibFormatter"

ALL_ATTRS = (
    "{name} {levelno} {levelname} {message} {asctime} {created} {msecs} "
    "{relativeCreated} {pathname} {filename} {module} {lineno} {funcName} "
    "{thread} {threadName} {process} {processName} {taskName}"
)

# Keyword arguments as a `()` entry of dictConfig passes them.
FORMATTERS = [
    {"id": "pjl_default", "class": JSON, "kwargs": {}},
    {
        "id": "pjl_research",
        "class": JSON,
        "kwargs": {
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "asctime": "time"},
            "static_fields": {"service": "demo"},
            "timestamp": True,
        },
    },
    {
        "id": "pjl_legacy",
        "class": LEGACY,
        "kwargs": {
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "asctime": "time"},
            "static_fields": {"service": "demo"},
            "timestamp": True,
        },
    },
    {
        "id": "pjl_all_attrs",
        "class": JSON,
        "kwargs": {
            "fmt": ALL_ATTRS,
            "style": "{",
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
            "json_ensure_ascii": False,
        },
    },
    {
        "id": "pjl_everything",
        "class": JSON,
        "kwargs": {
            "fmt": "%(message)s %(rows)d %(missing)s",
            "reserved_attrs": [],
            "timestamp": "ts",
            "rename_fields": {"user": "usr", "gone": "went", "msg": "raw", "rows": "ts"},
            "rename_fields_keep_missing": True,
            "prefix": "@cee: ",
            "defaults": {"env": "prod", "message": "default message"},
            "static_fields": {
                "nested": {"b": 1, "a": [1, "x", None, True, 2.5]},
                "env": "static",
            },
        },
    },
    {
        "id": "pjl_dollar",
        "class": JSON,
        "kwargs": {"fmt": "$levelname ${name} $$notfield $message", "style": "$"},
    },
    {
        "id": "pjl_comma",
        "class": JSON,
        "kwargs": {"fmt": "levelname, name ,, message,rows", "style": ","},
    },
    {
        "id": "pjl_list",
        "class": JSON,
        "kwargs": {"fmt": ["lineno", "user", "message"], "json_ensure_ascii": False},
    },
    {"id": "ecs_default", "class": ECS, "kwargs": {}},
    {
        "id": "ecs_options",
        "class": ECS,
        "kwargs": {
            "exclude_fields": ["log.original", "process.thread", "http.response", "_private"],
            "extra": {"service.name": "demo", "labels": {"team": "core", "tier": 1}},
            "ensure_ascii": False,
        },
    },
    {
        "id": "ecs_no_head",
        "class": ECS,
        "kwargs": {"exclude_fields": ["@timestamp", "message", "log.level", "process"]},
    },
]


def field_value(kind, value):
    if kind == "f64":
        return float(value)
    return value


def make_record(case):
    """The LogRecord Python would create for the case."""
    c = dict(BASE, **case)
    created_ns = c["created_ns"]
    time.time_ns = lambda: created_ns
    logging._startTime = created_ns - c["relative_ns"]
    logger = logging.getLogger(c["name"])
    extra = {name: field_value(kind, value) for name, kind, value in c["fields"]}
    record = logger.makeRecord(
        c["name"],
        c["levelno"],
        c["pathname"],
        c["lineno"],
        c["msg"],
        (),
        None,
        func=c["funcName"],
        extra=extra,
    )
    record.thread = c["thread"]
    record.threadName = c["threadName"]
    record.process = c["process"]
    record.processName = c["processName"]
    record.taskName = None
    # The Rust side takes `module` from the module path's last segment.
    assert record.module == c["module_path"].rsplit("::", 1)[-1], record.module
    return record


def factory(path):
    module, _, name = path.rpartition(".")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return getattr(importlib.import_module(module), name)


def outputs():
    files = {}
    for f in FORMATTERS:
        lines = []
        for case in RECORDS:
            formatter = factory(f["class"])(**f["kwargs"])
            lines.append(formatter.format(make_record(case)) + "\n")
        files[f["id"] + ".jsonl"] = "".join(lines)
    cases = {
        "generator": "scripts/json/generate.py",
        "versions": {
            "python": platform.python_version(),
            "python-json-logger": importlib.metadata.version("python-json-logger"),
            "ecs-logging": importlib.metadata.version("ecs-logging"),
        },
        "base": BASE,
        "records": RECORDS,
        "formatters": FORMATTERS,
    }
    files["cases.json"] = json.dumps(cases, indent=1, ensure_ascii=False) + "\n"
    return files


def main():
    check = "--check" in sys.argv[1:]
    if sys.version_info[:2] != (3, 13):
        sys.exit("needs CPython 3.13 (see the module docstring)")
    os.environ["TZ"] = "UTC"
    time.tzset()
    logging.addLevelName(5, "TRACE")
    stale = []
    for name, text in outputs().items():
        path = os.path.join(OUT, name)
        try:
            with open(path, encoding="utf-8", newline="") as fh:
                old = fh.read()
        except FileNotFoundError:
            old = None
        if old == text:
            continue
        if check:
            stale.append(name)
        else:
            os.makedirs(OUT, exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
            print("wrote", os.path.relpath(path, ROOT))
    if stale:
        print("out of date:", ", ".join(stale))
        sys.exit(1)


if __name__ == "__main__":
    main()
