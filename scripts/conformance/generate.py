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
SCENARIO_KEYS = {"config", "events", "files", "difference"}
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def py_name(target):
    """A Rust target or config name (`a::b`) as a Python logger name (`a.b`)."""
    return target.replace("::", ".")


# ---------------------------------------------------------------------------
# Child: runs inside the scenario's empty working directory.


def child(spec_path):
    import logging
    import logging.config

    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    for rel, content in spec["files"].items():
        parent = os.path.dirname(rel)
        if parent:
            os.makedirs(parent, exist_ok=True)
        with open(rel, "wb") as f:
            f.write(content.encode("utf-8"))
    logging.addLevelName(5, "TRACE")
    config = spec["config"]
    loggers = config.get("loggers") or {}
    config["loggers"] = {py_name(name): value for name, value in loggers.items()}
    for filt in (config.get("filters") or {}).values():
        if isinstance(filt, dict) and "name" in filt:
            filt["name"] = py_name(filt["name"])
    logging.config.dictConfig(config)
    for target, level, message, *rest in spec["events"]:
        extra = rest[0] if rest and isinstance(rest[0], dict) else None
        logging.getLogger(py_name(target)).log(LEVELS[level], "%s", message, extra=extra)
    logging.shutdown()


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
    for event in events:
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
        isinstance(k, str) and isinstance(v, str) and not os.path.isabs(k) and ".." not in k.split("/")
        for k, v in files.items()
    ):
        fail(f"{path}: `files:` maps relative paths to text contents")
    difference = scenario.get("difference")
    if difference is not None and not (isinstance(difference, str) and difference.strip()):
        fail(f"{path}: `difference:` is the reason, as text")
    return {
        "config": scenario["config"],
        "config_text": block,
        "events": events,
        "files": files,
        "difference": difference,
    }


def run_cpython(name, scenario):
    """Runs the scenario in a fresh interpreter; returns (stdout, stderr, {relpath: bytes})."""
    with tempfile.TemporaryDirectory() as specdir, tempfile.TemporaryDirectory() as workdir:
        spec_path = os.path.join(specdir, "spec.json")
        with open(spec_path, "w", encoding="utf-8") as f:
            json.dump(
                {"config": scenario["config"], "events": scenario["events"], "files": scenario["files"]},
                f,
            )
        proc = subprocess.run(
            [sys.executable, "-I", "-X", "utf8", os.path.abspath(__file__), "--child", spec_path],
            cwd=workdir,
            capture_output=True,
            timeout=60,
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
    for rel, content in scenario["files"].items():
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
        for target, level, message, *via in scenario["events"]:
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
