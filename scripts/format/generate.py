#!/usr/bin/env python3
"""The `%` and `{` conversion table the formatter is tested against, produced
by CPython.

Regenerate it (from the repository root):

    PYENV_VERSION=3.13.0 python3 scripts/format/generate.py

Check that the committed table is up to date (writes nothing, exits 1 on any
difference):

    PYENV_VERSION=3.13.0 python3 scripts/format/generate.py --check

Needs CPython 3.13 (the reference version) and nothing else.

For each style, each value below and each format of that style, in that
order, this evaluates

    FORMAT % {'x': VALUE}        (style `%`, logging's PercentStyle)
    FORMAT.format(x=VALUE)       (style `{`, logging's StrFormatStyle)

and keeps the case unless Python raises (`'%(x)d' % {'x': 'ab'}` is not a
case). It writes `tests/data/format_cases.jsonl`: a header line, then one
case a line, `[style, format, type, value, expected]`, where `type` is `int`,
`bool`, `float` (the value is Python's `repr`, as text, so `nan` and `inf`
fit) or `str`. The header holds the number of cases and the FNV-1a 64-bit
hash of every byte after the header line; `src/format/tests.rs` checks both,
so a hand edit of any case fails until the table is regenerated.
"""

import json
import math
import os
import sys

VALUES = [
    0,
    5,
    -5,
    65,
    255,
    1234567,
    True,
    False,
    1234.5,
    -0.0,
    0.5,
    2.5,
    1e20,
    1e-05,
    0.0001,
    1e16,
    123456789.0,
    12.345678901234567,
    math.inf,
    -math.inf,
    math.nan,
    "ab",
    "héllo wörld",
    "it's",
    "x",
]

PERCENT = [
    "%(x)s", "%(x)r", "%(x)a", "%(x)d", "%(x)i", "%(x)u", "%(x)5d", "%(x)-5d|",
    "%(x)05d", "%(x)+d", "%(x) d", "%(x)+ d", "%(x).3d", "%(x)05.3d", "%(x)o",
    "%(x)#o", "%(x)x", "%(x)#x", "%(x)#X", "%(x)#08x", "%(x)e", "%(x)E",
    "%(x).2e", "%(x)#.0e", "%(x)f", "%(x).0f", "%(x)#.0f", "%(x)F",
    "%(x)10.3f|", "%(x)-10.3f|", "%(x)010.2f", "%(x)+.1f", "%(x)g", "%(x)G",
    "%(x)#g", "%(x).3g", "%(x).0g", "%(x)c", "%(x)ld", "%(x)10s|", "%(x)-10s|",
    "%(x).1s", "%(x)6.2s|", "%(x)010s|", "%(x)-+08.2f|",
]  # fmt: skip

BRACE = [
    "{x}", "{x!r}", "{x!a}", "{x!s}", "{x:>8}", "{x:<8}|", "{x:^9}", "{x:*^9}",
    "{x:=+8}", "{x:08}", "{x:010,}", "{x:09,}", "{x:08,}", "{x:,}", "{x:_}",
    "{x:_x}", "{x:#_b}", "{x:#x}", "{x:#X}", "{x:#o}", "{x:b}", "{x:,.2f}",
    "{x:.3}", "{x:.3g}", "{x:.1%}", "{x:e}", "{x:.2E}", "{x:f}", "{x:F}",
    "{x:g}", "{x:G}", "{x:+}", "{x: }", "{x:-}", "{x:c}", "{x:n}", "{x:05}",
    "{x:<05}", "{x:12_}", "{x:.2}", "{x:10.3s}|", "{x:.2s}", "{x:.0f}",
    "{x:#.0f}", "{x:#g}", "{x:x<6}", "{x:é>5}", "{x:d}", "{x:+.3e}",
    "{x:015,.2f}",
]  # fmt: skip

STYLES = [
    ("%", PERCENT, lambda fmt, x: fmt % {"x": x}),
    ("{", BRACE, lambda fmt, x: fmt.format(x=x)),
]

OUT = os.path.join("tests", "data", "format_cases.jsonl")


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


def typed(value):
    """`(type, value)` as the table stores it."""
    if isinstance(value, bool):
        return "bool", value
    if isinstance(value, int):
        return "int", value
    if isinstance(value, float):
        return "float", repr(value)
    return "str", value


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def table():
    lines = []
    for style, formats, apply in STYLES:
        for value in VALUES:
            kind, stored = typed(value)
            for fmt in formats:
                try:
                    want = apply(fmt, value)
                except (TypeError, ValueError, OverflowError):
                    continue
                row = [style, fmt, kind, stored, want]
                lines.append(json.dumps(row, ensure_ascii=False))
    body = ("\n".join(lines) + "\n").encode("utf-8")
    header = {
        "generator": "scripts/format/generate.py",
        "python": "%d.%d" % sys.version_info[:2],
        "cases": len(lines),
        "fnv1a64": "%016x" % fnv1a64(body),
    }
    return (json.dumps(header) + "\n").encode("utf-8") + body, len(lines)


def main():
    if sys.version_info[:2] != (3, 13):
        fail(
            f"needs CPython 3.13 (the reference version), this is {sys.version.split()[0]}; "
            "run it as `PYENV_VERSION=3.13.0 python3 scripts/format/generate.py`"
        )
    check = sys.argv[1:] == ["--check"]
    if sys.argv[1:] and not check:
        fail("usage: generate.py [--check]")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.path.join(root, OUT)
    data, count = table()
    if check:
        try:
            with open(path, "rb") as f:
                committed = f.read()
        except OSError as e:
            fail(f"cannot read {OUT}: {e}")
        if committed != data:
            fail(f"out of date: {OUT} (run scripts/format/generate.py)")
        print(f"{count} format cases up to date")
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    print(f"{count} format cases written to {OUT}")


if __name__ == "__main__":
    main()
