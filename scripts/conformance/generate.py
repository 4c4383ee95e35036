#!/usr/bin/env python3
"""Expected outputs for the conformance suite, produced by CPython's logging.

Regenerate everything (from the repository root):

    PYENV_VERSION=3.13.0 python3 scripts/conformance/generate.py

Check that the committed outputs are up to date (writes nothing, exits 1 on
any difference):

    PYENV_VERSION=3.13.0 python3 scripts/conformance/generate.py --check

Needs CPython 3.13 (the reference version: 3.13 stopped rolling over an empty
file, gh-116263) and PyYAML (`python3 -m pip install pyyaml`).

For each scenario `tests/conformance/scenarios/NAME.yaml` this runs
`logging.config.dictConfig` in a fresh Python process whose working directory
is an empty temporary folder, emits the scenario's events, and writes

    tests/conformance/expected/NAME/config.yaml   the `config:` block, verbatim
    tests/conformance/expected/NAME/stdout        what the process wrote there
    tests/conformance/expected/NAME/stderr
    tests/conformance/expected/NAME/files/...     every file left in the folder
    tests/conformance/expected/NAME/input/...     the scenario's `files:`, created
                                                  before configuring

A scenario with `clock:` runs on a fake clock in the zone it names:
`time.time` and `time.time_ns` are patched, `logging.handlers` sees the
fake time as the modification time of every file the scenario did not
create, and `files:` get the `mtime:` given (default: the clock's start).
Steps between events (`{advance: SECONDS}`, `{at: ISO}`, `{rename: [A, B]}`,
`{remove: A}`, `{copytruncate: [A, B]}`, `{write: [A, TEXT]}`) run on both
sides. `compress: gzip` and `atTime: "HH:MM[:SS]"` (logconf extensions)
become the cookbook's gzip namer and rotator and a `datetime.time` for
CPython.

`expected/NAME/rust/` (the hand-checked output of a scenario marked
`difference:`) is never touched. It also writes `tests/conformance/events.rs`,
one function per scenario emitting its events with the real `tracing` and
`log` macros.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

LEVELS = {"TRACE": 5, "DEBUG": 10, "INFO": 20, "WARN": 30, "WARNING": 30, "ERROR": 40}
TRACING_LEVELS = {
    "TRACE": "TRACE",
    "DEBUG": "DEBUG",
    "INFO": "INFO",
    "WARN": "WARN",
    "WARNING": "WARN",
    "ERROR": "ERROR",
}
LOG_LEVELS = {
    "TRACE": "Trace",
    "DEBUG": "Debug",
    "INFO": "Info",
    "WARN": "Warn",
    "WARNING": "Warn",
    "ERROR": "Error",
}
SCENARIO_KEYS = {"config", "events", "files", "difference", "clock"}
STEP_KEYS = {"advance", "at", "rename", "remove", "copytruncate", "write"}
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def py_name(target):
    """A Rust target or config name (`a::b`) as a Python logger name (`a.b`)."""
    return target.replace("::", ".")


# ---------------------------------------------------------------------------
# Child: runs inside the scenario's empty working directory.


class FakeClock:
    """Integer nanoseconds, so `time_ns()` is exact."""

    def __init__(self, start_ns):
        self.ns = start_ns

    def time(self):
        return self.ns / 1e9

    def time_ns(self):
        return self.ns


class OsProxy:
    """`logging.handlers.os`: `stat()` gives the fake time as the mtime of
    every file the scenario did not create with an mtime of its own."""

    def __init__(self, real, clock, inputs):
        self.real, self.clock, self.inputs = real, clock, inputs

    def __getattr__(self, name):
        return getattr(self.real, name)

    def stat(self, path, *args, **kwargs):
        st = self.real.stat(path, *args, **kwargs)
        if self.real.path.abspath(path) in self.inputs:
            return st
        fields = list(st)[:10]
        fields[8] = int(self.clock.time())
        return self.real.stat_result(
            fields, {"st_mtime": self.clock.time(), "st_mtime_ns": self.clock.ns}
        )


def gzip_namer(name):
    """The logging cookbook's namer for compressed backups."""
    return name + ".gz"


def gzip_rotator(source, dest):
    """The logging cookbook's rotator: gzip `source` into `dest`."""
    import gzip
    import shutil

    with open(source, "rb") as f_in, gzip.open(dest, "wb") as f_out:
        shutil.copyfileobj(f_in, f_out)
    os.remove(source)


def run_step(step, clock):
    import shutil

    (key, value), = step.items()
    if key == "advance":
        clock.ns += int(round(value * 1e9))
    elif key == "at":
        clock.ns = iso_ns(value)
    elif key == "rename":
        os.rename(value[0], value[1])
    elif key == "remove":
        os.remove(value)
    elif key == "copytruncate":
        shutil.copyfile(value[0], value[1])
        with open(value[0], "r+b") as f:
            f.truncate(0)
    elif key == "write":
        with open(value[0], "wb") as f:
            f.write(value[1].encode("utf-8"))


def child(spec_path):
    import datetime
    import logging
    import logging.config
    import logging.handlers
    import time

    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    clock = None
    if spec["clock"]:
        time.tzset()
        clock = FakeClock(spec["clock"]["start_ns"])
        time.time = clock.time
        time.time_ns = clock.time_ns
    inputs = set()
    for rel, (content, mtime_ns) in spec["files"].items():
        parent = os.path.dirname(rel)
        if parent:
            os.makedirs(parent, exist_ok=True)
        with open(rel, "wb") as f:
            f.write(content.encode("utf-8"))
        if mtime_ns is not None:
            os.utime(rel, ns=(mtime_ns, mtime_ns))
        inputs.add(os.path.abspath(rel))
    if clock:
        logging.handlers.os = OsProxy(os, clock, inputs)
    logging.addLevelName(5, "TRACE")
    config = spec["config"]
    loggers = config.get("loggers") or {}
    config["loggers"] = {py_name(name): value for name, value in loggers.items()}
    for filt in (config.get("filters") or {}).values():
        if isinstance(filt, dict) and "name" in filt:
            filt["name"] = py_name(filt["name"])
    compressed = []
    for name, handler in (config.get("handlers") or {}).items():
        if not isinstance(handler, dict):
            continue
        if handler.pop("compress", None) == "gzip":
            compressed.append(name)
        at = handler.get("atTime")
        if isinstance(at, str):
            parts = [int(p) for p in at.split(":")]
            handler["atTime"] = datetime.time(*parts)
    logging.config.dictConfig(config)
    for name in compressed:
        handler = logging.getHandlerByName(name)
        handler.namer = gzip_namer
        handler.rotator = gzip_rotator
    for event in spec["events"]:
        if isinstance(event, dict):
            run_step(event, clock)
            continue
        target, level, message, *rest = event
        extra = rest[0] if rest and isinstance(rest[0], dict) else None
        logging.getLogger(py_name(target)).log(LEVELS[level], "%s", message, extra=extra)
    logging.shutdown()


def iso_ns(text):
    """Nanoseconds since the epoch of an ISO 8601 time with its offset."""
    import datetime

    moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        fail(f"time `{text}` needs an offset (`Z` or `+01:00`)")
    delta = moment - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    return (delta.days * 86400 + delta.seconds) * 10**9 + delta.microseconds * 1000


# ---------------------------------------------------------------------------
# Parent.


def fail(msg):
    sys.exit(f"generate.py: {msg}")


def config_block(text, path):
    """The `config:` block of a scenario, verbatim and dedented, so the Rust
    side reads exactly what was written (`propagate: no`, quoting, comments)."""
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if re.match(r"^config:\s*(#.*)?$", line)]
    if len(starts) != 1:
        fail(f"{path}: `config:` must be a block mapping starting its own line")
    body = []
    for line in lines[starts[0] + 1 :]:
        if line.strip() and not line[0].isspace():
            break
        body.append(line)
    while body and not body[-1].strip():
        body.pop()
    indents = [len(line) - len(line.lstrip(" ")) for line in body if line.strip()]
    if not indents:
        fail(f"{path}: empty `config:` block")
    indent = min(indents)
    out = []
    for line in body:
        if not line.strip():
            out.append("\n")
        else:
            out.append(line[indent:])
    if out and not out[-1].endswith("\n"):
        out[-1] += "\n"
    return "".join(out)


def rust_str(s):
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif not ch.isprintable():
            out.append("\\u{%x}" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def good_fields(fields):
    """Structured fields of an event: identifiers mapped to strings, integers or booleans."""
    return (
        isinstance(fields, dict)
        and fields
        and all(
            isinstance(k, str)
            and re.match(r"^[a-z_][a-z0-9_]*$", k)
            and isinstance(v, (str, int, bool))
            and (not isinstance(v, int) or isinstance(v, bool) or -(2**63) <= v < 2**63)
            for k, v in fields.items()
        )
    )


def rust_field(value):
    """A field value as a Rust expression the tracing macros record with its type."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value}i64"
    return rust_str(value)


def load_scenario(path, name):
    import yaml

    with open(path, encoding="utf-8") as f:
        text = f.read()
    scenario = yaml.safe_load(text)
    if not isinstance(scenario, dict):
        fail(f"{path}: a scenario is a mapping")
    unknown = set(scenario) - SCENARIO_KEYS
    if unknown:
        fail(f"{path}: unknown keys {sorted(unknown)} (allowed: {sorted(SCENARIO_KEYS)})")
    if not NAME_RE.match(name):
        fail(f"{path}: scenario names are lowercase snake_case (they become Rust functions)")
    if not isinstance(scenario.get("config"), dict):
        fail(f"{path}: `config:` must be a mapping")
    block = config_block(text, path)
    if yaml.safe_load(block) != scenario["config"]:
        fail(f"{path}: could not cut the `config:` block out verbatim")
    events = scenario.get("events") or []
    clock = scenario.get("clock")
    if clock is not None:
        if not (isinstance(clock, dict) and set(clock) == {"start", "tz"} and all(isinstance(v, str) for v in clock.values())):
            fail(f"{path}: `clock:` is {{start: ISO time with offset, tz: zone}}")
        clock = {"start_ns": iso_ns(clock["start"]), "tz": clock["tz"]}
    for event in events:
        if isinstance(event, dict):
            if clock is None:
                fail(f"{path}: steps between events need `clock:`")
            if len(event) != 1 or not set(event) <= STEP_KEYS:
                fail(f"{path}: bad step {event!r}: one of {sorted(STEP_KEYS)}")
            (key, value), = event.items()
            ok = {
                "advance": isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0,
                "at": isinstance(value, str),
                "rename": isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value),
                "remove": isinstance(value, str),
                "copytruncate": isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value),
                "write": isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value),
            }[key]
            if not ok:
                fail(f"{path}: bad step {event!r}")
            if key == "at":
                iso_ns(value)
            continue
        if not (
            isinstance(event, list)
            and len(event) in (3, 4)
            and isinstance(event[0], str)
            and event[0]
            and event[1] in LEVELS
            and isinstance(event[2], str)
            and (len(event) == 3 or event[3] == "log" or good_fields(event[3]))
        ):
            fail(
                f"{path}: bad event {event!r}: [target, LEVEL, message], "
                "[target, LEVEL, message, log] or [target, LEVEL, message, {field: value}]"
            )
        if "::" in event[2]:
            fail(f"{path}: avoid `::` in messages (the comparison maps `::` to `.`)")
    files = scenario.get("files") or {}
    if not isinstance(files, dict) or not all(
        isinstance(k, str)
        and (isinstance(v, str) or (isinstance(v, dict) and set(v) <= {"text", "mtime"} and isinstance(v.get("text"), str)))
        and not os.path.isabs(k)
        and ".." not in k.split("/")
        for k, v in files.items()
    ):
        fail(f"{path}: `files:` maps relative paths to text contents (or {{text, mtime}})")
    inputs = {}
    for rel, value in files.items():
        text, mtime = (value, None) if isinstance(value, str) else (value["text"], value.get("mtime"))
        if mtime is not None and clock is None:
            fail(f"{path}: `mtime:` of files needs `clock:`")
        mtime_ns = iso_ns(mtime) if mtime is not None else (clock["start_ns"] if clock else None)
        inputs[rel] = (text, mtime_ns)
    difference = scenario.get("difference")
    if difference is not None and not (isinstance(difference, str) and difference.strip()):
        fail(f"{path}: `difference:` is the reason, as text")
    return {
        "config": scenario["config"],
        "config_text": block,
        "events": events,
        "files": inputs,
        "difference": difference,
        "clock": clock,
    }


def run_cpython(name, scenario):
    """Runs the scenario in a fresh interpreter; returns (stdout, stderr, {relpath: bytes})."""
    with tempfile.TemporaryDirectory() as specdir, tempfile.TemporaryDirectory() as workdir:
        spec_path = os.path.join(specdir, "spec.json")
        with open(spec_path, "w", encoding="utf-8") as f:
            json.dump(
                {
                    "config": scenario["config"],
                    "events": scenario["events"],
                    "files": scenario["files"],
                    "clock": scenario["clock"],
                },
                f,
            )
        env = dict(os.environ)
        if scenario["clock"]:
            env["TZ"] = scenario["clock"]["tz"]
        proc = subprocess.run(
            [sys.executable, "-I", "-X", "utf8", os.path.abspath(__file__), "--child", spec_path],
            cwd=workdir,
            capture_output=True,
            timeout=60,
            env=env,
        )
        if proc.returncode != 0:
            fail(f"scenario {name}: CPython exited with {proc.returncode}:\n{proc.stderr.decode('utf-8', 'replace')}")
        files = {}
        for dirpath, _dirnames, filenames in os.walk(workdir):
            for filename in filenames:
                full = os.path.join(dirpath, filename)
                rel = os.path.relpath(full, workdir).replace(os.sep, "/")
                with open(full, "rb") as f:
                    files[rel] = f.read()
        return proc.stdout, proc.stderr, files


def expected_tree(scenario, stdout, stderr, files, name):
    """Every generated file of one scenario: {path under expected/NAME: bytes}."""
    header = f"# Generated by scripts/conformance/generate.py from scenarios/{name}.yaml.\n"
    tree = {
        "config.yaml": (header + scenario["config_text"]).encode("utf-8"),
        "stdout": stdout,
        "stderr": stderr,
    }
    for rel, content in files.items():
        tree["files/" + rel] = content
    for rel, (content, _mtime) in scenario["files"].items():
        tree["input/" + rel] = content.encode("utf-8")
    return tree


def read_tree(root, skip=()):
    tree = {}
    if not os.path.isdir(root):
        return tree
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        if rel_dir.split(os.sep)[0] in skip:
            dirnames[:] = []
            continue
        for filename in filenames:
            full = os.path.join(dirpath, filename)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            if rel.split("/")[0] in skip:
                continue
            with open(full, "rb") as f:
                tree[rel] = f.read()
    return tree


def rust_step(step):
    """One step between events, as a call into the harness's shim."""
    (key, value), = step.items()
    if key == "advance":
        return f"crate::shim::advance_ns({int(round(value * 1e9))});"
    if key == "at":
        return f"crate::shim::set_ns({iso_ns(value)});"
    if key == "remove":
        return f"crate::shim::remove({rust_str(value)});"
    a, b = (rust_str(v) for v in value)
    return f"crate::shim::{key.replace('copytruncate', 'copy_truncate')}({a}, {b});"


def events_rs(scenarios):
    out = [
        "//! Each scenario's events, emitted with the real `tracing` and `log` macros",
        "//! (targets must be literals, hence generated code).",
        "//!",
        "//! Generated by scripts/conformance/generate.py from tests/conformance/scenarios/;",
        "//! do not edit. Regenerate with",
        "//! `PYENV_VERSION=3.13.0 python3 scripts/conformance/generate.py`.",
        "",
    ]
    for name, scenario in scenarios:
        out.append(f"/// Events of `scenarios/{name}.yaml`.")
        if not scenario["events"]:
            out.append(f"fn {name}() {{}}")
            out.append("")
            continue
        out.append(f"fn {name}() {{")
        for event in scenario["events"]:
            if isinstance(event, dict):
                out.append("    " + rust_step(event))
                continue
            target, level, message, *via = event
            t, m = rust_str(target), rust_str(message)
            if via and isinstance(via[0], dict):
                fields = "".join(f"{k} = {rust_field(v)}, " for k, v in via[0].items())
                out.append(
                    f'    tracing::event!(target: {t}, tracing::Level::{TRACING_LEVELS[level]}, {fields}"{{}}", {m});'
                )
            elif via:
                out.append(f'    log::log!(target: {t}, log::Level::{LOG_LEVELS[level]}, "{{}}", {m});')
            else:
                out.append(f'    tracing::event!(target: {t}, tracing::Level::{TRACING_LEVELS[level]}, "{{}}", {m});')
        out.append("}")
        out.append("")
    out.append("/// The fake clock of scenario `name`, if it has one: its start and zone,")
    out.append("/// and the modification time of each input file (nanoseconds).")
    out.append("pub(crate) fn clock(name: &str) -> Option<crate::shim::Clock> {")
    out.append("    match name {")
    for name, scenario in scenarios:
        clock = scenario["clock"]
        if not clock:
            continue
        entries = [f"({rust_str(rel)}, {mtime})" for rel, (_text, mtime) in sorted(scenario["files"].items())]
        out.append(f'        "{name}" => Some(crate::shim::Clock {{')
        out.append(f'            start_ns: {clock["start_ns"]},')
        out.append(f'            tz: {rust_str(clock["tz"])},')
        one_line = f"            mtimes: &[{', '.join(entries)}],"
        if len(one_line) <= 100:  # laid out as rustfmt lays it out
            out.append(one_line)
        else:
            out.append("            mtimes: &[")
            out.extend(f"                {entry}," for entry in entries)
            out.append("            ],")
        out.append("        }),")
    out.append("        _ => None,")
    out.append("    }")
    out.append("}")
    out.append("")
    out.append("/// Emits the events of scenario `name`; false if there is no such scenario.")
    out.append("pub(crate) fn emit(name: &str) -> bool {")
    out.append("    match name {")
    for name, _ in scenarios:
        out.append(f'        "{name}" => {name}(),')
    out.append("        _ => return false,")
    out.append("    }")
    out.append("    true")
    out.append("}")
    return ("\n".join(out) + "\n").encode("utf-8")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
        return
    if sys.version_info[:2] != (3, 13):
        fail(
            f"needs CPython 3.13 (the reference version), this is {sys.version.split()[0]}; "
            "run it as `PYENV_VERSION=3.13.0 python3 scripts/conformance/generate.py`"
        )
    check = sys.argv[1:] == ["--check"]
    if sys.argv[1:] and not check:
        fail("usage: generate.py [--check]")

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    suite = os.path.join(root, "tests", "conformance")
    scen_dir = os.path.join(suite, "scenarios")
    exp_dir = os.path.join(suite, "expected")
    names = sorted(f[: -len(".yaml")] for f in os.listdir(scen_dir) if f.endswith(".yaml"))
    if not names:
        fail(f"no scenarios in {scen_dir}")

    scenarios = []
    stale = []
    for name in names:
        scenario = load_scenario(os.path.join(scen_dir, name + ".yaml"), name)
        scenarios.append((name, scenario))
        stdout, stderr, files = run_cpython(name, scenario)
        tree = expected_tree(scenario, stdout, stderr, files, name)
        target = os.path.join(exp_dir, name)
        has_rust = os.path.isdir(os.path.join(target, "rust"))
        if scenario["difference"] and not has_rust:
            print(f"warning: {name} is marked `difference` but has no expected/{name}/rust/ yet")
        if has_rust and not scenario["difference"]:
            fail(f"{name}: expected/{name}/rust/ exists but the scenario has no `difference:` key")
        if check:
            if read_tree(target, skip=("rust",)) != tree:
                stale.append(name)
            continue
        if os.path.isdir(target):
            for entry in os.listdir(target):
                if entry == "rust":
                    continue
                full = os.path.join(target, entry)
                if os.path.isdir(full):
                    shutil.rmtree(full)
                else:
                    os.remove(full)
        for rel, content in tree.items():
            full = os.path.join(target, *rel.split("/"))
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as f:
                f.write(content)
        print(f"{name}: {len(files)} file(s), {len(stdout)} bytes stdout, {len(stderr)} bytes stderr")

    orphans = sorted(set(os.listdir(exp_dir) if os.path.isdir(exp_dir) else []) - set(names))
    for orphan in orphans:
        print(f"warning: expected/{orphan} has no scenario (delete it if the scenario was removed)")

    events_path = os.path.join(suite, "events.rs")
    events = events_rs(scenarios)
    if check:
        with open(events_path, "rb") as f:
            if f.read() != events:
                stale.append("events.rs")
        if stale or orphans:
            fail(f"out of date: {', '.join(stale + orphans)}")
        print(f"{len(names)} scenarios up to date")
        return
    with open(events_path, "wb") as f:
        f.write(events)
    print(f"{len(names)} scenarios generated")


if __name__ == "__main__":
    main()
