//! JSON text written straight into the output buffer: strings, numbers,
//! config values and timestamps, in the dialects of Python's `json` module
//! and of `serde_json`.

use std::io::Write as _;

use super::StaticValue;
use crate::format::FieldValue;
use crate::format::num;

/// Lowercase hex digits, as both Python and `serde_json` write `\u00XX`.
const HEX: &[u8; 16] = b"0123456789abcdef";

/// How a JSON document is spelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Dialect {
    /// Every character outside printable ASCII as `\uXXXX` (Python's
    /// `ensure_ascii=True`); otherwise only `"`, `\` and C0 controls are
    /// escaped.
    pub(super) ascii: bool,
    /// Python's default separators `", "` and `": "`; otherwise `,` and `:`.
    pub(super) spaced: bool,
    /// How floats are written.
    pub(super) floats: Floats,
}

/// A float notation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Floats {
    /// Python's `float.__repr__` (`1e+16`, `1e-07`), `NaN`, `Infinity`.
    Python,
    /// `serde_json`'s (`1e16`, `1e-7`), non-finite values as `null`.
    Serde,
}

impl Dialect {
    /// The separator between two members or items.
    pub(super) fn comma(self, out: &mut Vec<u8>) {
        out.extend_from_slice(if self.spaced { b", " } else { b"," });
    }

    /// A key and the separator after it.
    pub(super) fn key(self, out: &mut Vec<u8>, key: &str) {
        write_str(out, key, self.ascii);
        out.extend_from_slice(if self.spaced { b": " } else { b":" });
    }

    /// One event field's value, typed.
    pub(super) fn field(self, out: &mut Vec<u8>, v: FieldValue<'_>) {
        match v {
            // Text a formatter adds is still a JSON string, escaped.
            FieldValue::Str(s) | FieldValue::Raw(s) => write_str(out, s, self.ascii),
            FieldValue::I64(i) => write_i64(out, i),
            FieldValue::U64(u) => write_digits(out, u, 1),
            FieldValue::F64(f) => self.float(out, f),
            FieldValue::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        }
    }

    /// A float.
    pub(super) fn float(self, out: &mut Vec<u8>, f: f64) {
        match self.floats {
            Floats::Python if f.is_nan() => out.extend_from_slice(b"NaN"),
            Floats::Python if f.is_infinite() => {
                out.extend_from_slice(if f > 0.0 { b"Infinity" } else { b"-Infinity" })
            }
            Floats::Python => num::write_float_repr(out, f),
            Floats::Serde if !f.is_finite() => out.extend_from_slice(b"null"),
            Floats::Serde => {
                // serde_json's own float formatting, as tracing-subscriber's
                // JSON layer gets it; writing a float into a Vec never fails.
                let _ = serde_json::to_writer(&mut *out, &f);
            }
        }
    }

    /// A config value; `sort` writes object members sorted by key at every
    /// depth (Python's `sort_keys=True`).
    pub(super) fn value(self, out: &mut Vec<u8>, v: &StaticValue, sort: bool) {
        match v {
            StaticValue::Null => out.extend_from_slice(b"null"),
            StaticValue::Bool(b) => self.field(out, FieldValue::Bool(*b)),
            StaticValue::Int(i) => self.field(out, FieldValue::I64(*i)),
            StaticValue::UInt(u) => self.field(out, FieldValue::U64(*u)),
            StaticValue::Float(f) => self.float(out, *f),
            StaticValue::Str(s) => write_str(out, s, self.ascii),
            StaticValue::List(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.comma(out);
                    }
                    self.value(out, item, sort);
                }
                out.push(b']');
            }
            StaticValue::Map(members) => {
                out.push(b'{');
                let mut order: Vec<&(String, StaticValue)> = members.iter().collect();
                if sort {
                    order.sort_by(|a, b| a.0.cmp(&b.0));
                }
                // A key given twice keeps its first place and last value, as
                // a Python dict built from the pairs would.
                let mut first = true;
                for (i, (k, _)) in order.iter().map(|m| (&m.0, &m.1)).enumerate() {
                    if order.iter().take(i).any(|m| &m.0 == k) {
                        continue;
                    }
                    let Some(last) = order.iter().rev().find(|m| &m.0 == k) else {
                        continue;
                    };
                    if !first {
                        self.comma(out);
                    }
                    first = false;
                    self.key(out, k);
                    self.value(out, &last.1, sort);
                }
                out.push(b'}');
            }
        }
    }
}

/// Does writing `b` in a string need an escape?
fn needs_escape(b: u8, ascii: bool) -> bool {
    b < 0x20 || b == b'"' || b == b'\\' || (ascii && b > 0x7e)
}

/// The length of the longest prefix of `bytes`, in whole eight-byte words,
/// holding no byte [`needs_escape`] (`bytes.len()` when no byte needs it).
fn clean_prefix(bytes: &[u8], ascii: bool) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let mut done = 0;
    for chunk in bytes.chunks_exact(8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        // Below 0x20, `"`, `\\`; with `ascii`, also 0x7f and above.
        let mut found = (x.wrapping_sub(ONES * 0x20) & !x & HIGHS)
            | has_zero(x ^ (ONES * u64::from(b'"')))
            | has_zero(x ^ (ONES * u64::from(b'\\')));
        if ascii {
            found |= (x & HIGHS) | has_zero(x ^ (ONES * 0x7f));
        }
        if found != 0 {
            return done;
        }
        done += 8;
    }
    let tail = bytes.get(done..).unwrap_or_default();
    if tail.iter().any(|&b| needs_escape(b, ascii)) {
        done
    } else {
        bytes.len()
    }
}

/// Writes `s` as a JSON string: `"` and `\` escaped, C0 controls as `\n`
/// `\r` `\t` `\b` `\f` or `\u00XX`; with `ascii`, DEL and every non-ASCII
/// character as `\uXXXX` (a surrogate pair above U+FFFF), as Python's
/// `json.dumps(ensure_ascii=True)` does. Without `ascii` the output is
/// byte-identical to both `json.dumps(ensure_ascii=False)` and `serde_json`.
pub(super) fn write_str(out: &mut Vec<u8>, s: &str, ascii: bool) {
    out.push(b'"');
    let bytes = s.as_bytes();
    // Whole words without anything to escape are skipped eight bytes at a
    // time; the usual string is copied in one piece.
    let mut i = clean_prefix(bytes, ascii);
    if i == bytes.len() {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    let mut clean = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !needs_escape(b, ascii) {
            i += 1;
            continue;
        }
        out.extend_from_slice(bytes.get(clean..i).unwrap_or_default());
        if b < 0x80 {
            match b {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                b'\t' => out.extend_from_slice(b"\\t"),
                0x08 => out.extend_from_slice(b"\\b"),
                0x0c => out.extend_from_slice(b"\\f"),
                _ => write_u(out, u32::from(b)),
            }
            i += 1;
        } else {
            // A non-ASCII character (only reached with `ascii`).
            let c = s.get(i..).and_then(|rest| rest.chars().next());
            let Some(c) = c else {
                // Unreachable for a `str`; stop rather than loop.
                clean = bytes.len();
                break;
            };
            let u = u32::from(c);
            if u > 0xffff {
                let v = u - 0x1_0000;
                write_u(out, 0xd800 | (v >> 10));
                write_u(out, 0xdc00 | (v & 0x3ff));
            } else {
                write_u(out, u);
            }
            i += c.len_utf8();
        }
        clean = i;
    }
    out.extend_from_slice(bytes.get(clean..).unwrap_or_default());
    out.push(b'"');
}

/// `\uXXXX` for a value below 0x10000.
fn write_u(out: &mut Vec<u8>, u: u32) {
    let hex = |shift: u32| HEX[((u >> shift) & 0xf) as usize];
    out.extend_from_slice(&[b'\\', b'u', hex(12), hex(8), hex(4), hex(0)]);
}

/// Writes `v` in decimal, at least `width` (at most 20) digits, zero-padded, without
/// `core::fmt` (timestamps and integers of every JSON record go through
/// this).
pub(super) fn write_digits(out: &mut Vec<u8>, mut v: u64, width: usize) {
    let mut buf = [b'0'; 20];
    let mut start = buf.len();
    while v > 0 || start == buf.len() {
        start -= 1;
        if let Some(slot) = buf.get_mut(start) {
            #[allow(clippy::cast_possible_truncation, reason = "a digit")]
            let digit = (v % 10) as u8;
            *slot = b'0' + digit;
        }
        v /= 10;
    }
    let start = start.min(buf.len().saturating_sub(width));
    out.extend_from_slice(buf.get(start..).unwrap_or_default());
}

/// Writes a signed integer in decimal.
pub(super) fn write_i64(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    write_digits(out, v.unsigned_abs(), 1);
}

/// A UTC calendar date and time of day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Utc {
    pub(super) year: i64,
    pub(super) month: u32,
    pub(super) day: u32,
    pub(super) hour: u32,
    pub(super) minute: u32,
    pub(super) second: u32,
}

impl Utc {
    /// The UTC time `secs` seconds after the Unix epoch (proleptic
    /// Gregorian calendar; Howard Hinnant's `civil_from_days`).
    pub(super) fn from_secs(secs: i64) -> Utc {
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        // Every value below is in range by construction.
        let small = |v: i64| u32::try_from(v).unwrap_or(0);
        Utc {
            year,
            month: small(month),
            day: small(day),
            hour: small(rem / 3600),
            minute: small(rem % 3600 / 60),
            second: small(rem % 60),
        }
    }

    /// `YYYY-MM-DDTHH:MM:SS`.
    pub(super) fn write(&self, out: &mut Vec<u8>) {
        if (0..=9999).contains(&self.year) {
            write_digits(out, self.year.unsigned_abs(), 4);
        } else {
            let _ = write!(out, "{:04}", self.year);
        }
        self.write_rest(out);
    }

    /// `-MM-DDTHH:MM:SS`: what follows the year.
    pub(super) fn write_rest(&self, out: &mut Vec<u8>) {
        for (sep, n) in [
            (b'-', self.month),
            (b'-', self.day),
            (b'T', self.hour),
            (b':', self.minute),
            (b':', self.second),
        ] {
            out.push(sep);
            write_digits(out, u64::from(n), 2);
        }
    }
}

/// Whole seconds and nanoseconds within the second of `ns`, floored.
pub(super) fn split_ns(ns: i128) -> (i64, u32) {
    let secs = i64::try_from(ns.div_euclid(1_000_000_000)).unwrap_or(0);
    let sub = u32::try_from(ns.rem_euclid(1_000_000_000)).unwrap_or(0);
    (secs, sub)
}

/// Python's `datetime.fromtimestamp(created, tz=timezone.utc).isoformat()`
/// for `created = created_ns / 1e9` (a float, rounded to microseconds half
/// to even, the fraction left out when it is zero), quoted.
pub(super) fn write_python_timestamp(out: &mut Vec<u8>, created_ns: i128) {
    #[allow(clippy::cast_precision_loss)]
    let created = created_ns as f64 / 1e9;
    let int_part = created.trunc();
    let mut micros = ((created - int_part) * 1e6).round_ties_even();
    let mut secs = int_part;
    if micros >= 1e6 {
        micros -= 1e6;
        secs += 1.0;
    } else if micros < 0.0 {
        micros += 1e6;
        secs -= 1.0;
    }
    #[allow(clippy::cast_possible_truncation)]
    let (secs, micros) = (secs as i64, micros as u32);
    out.push(b'"');
    Utc::from_secs(secs).write(out);
    if micros != 0 {
        out.push(b'.');
        write_digits(out, u64::from(micros), 6);
    }
    out.extend_from_slice(b"+00:00\"");
}

/// The nanoseconds whose second and millisecond CPython 3.13 shows for a
/// record created at `created_ns`: `asctime` and ECS's `@timestamp` take
/// the second from the float `created` (which rounds up to the next second
/// within a fraction of a microsecond of it) and `msecs` from the
/// nanoseconds, turning 999 into 0 when the float rounded up
/// (`LogRecord.__init__`).
pub(super) fn python_time_ns(created_ns: i128) -> i128 {
    #[allow(clippy::cast_precision_loss)]
    let created = created_ns as f64 / 1e9;
    let secs = created_ns.div_euclid(1_000_000_000);
    let msecs = created_ns.rem_euclid(1_000_000_000) / 1_000_000;
    #[allow(clippy::cast_possible_truncation)]
    let float_secs = created.floor() as i128;
    if msecs == 999 && float_secs != secs {
        float_secs * 1_000_000_000
    } else {
        created_ns
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_agree_with_core_fmt() {
        let values = [0, 1, 9, 10, 99, 100, 12_345, 999_999, 1_000_000, u64::MAX];
        for v in values {
            for width in [1, 2, 4, 6, 20] {
                let mut out = Vec::new();
                write_digits(&mut out, v, width);
                assert_eq!(String::from_utf8_lossy(&out), format!("{v:0width$}"));
            }
        }
        for v in [0, -1, 7, i64::MIN, i64::MAX] {
            let mut out = Vec::new();
            write_i64(&mut out, v);
            assert_eq!(String::from_utf8_lossy(&out), v.to_string());
        }
    }

    #[test]
    fn the_word_scan_agrees_with_the_byte_scan() {
        // Every byte value at every position of a 19-byte window (two
        // words and a tail), with and without `ascii`.
        for ascii in [false, true] {
            for pos in 0..19 {
                for b in 0..=255u8 {
                    let mut bytes = [b'a'; 19];
                    bytes[pos] = b;
                    let first = bytes.iter().position(|&c| needs_escape(c, ascii));
                    let clean = clean_prefix(&bytes, ascii);
                    match first {
                        None => assert_eq!(clean, bytes.len()),
                        // The clean prefix ends at or before the first
                        // byte to escape, on a word boundary.
                        Some(at) => {
                            assert!(clean <= at && clean.is_multiple_of(8), "{ascii} {pos} {b}")
                        }
                    }
                }
            }
        }
    }
}
