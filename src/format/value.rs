//! A value as a format sees it, and Python's `str()`, `repr()` and
//! `ascii()` of it, with logconf's control-character escaping.

use std::io::Write as _;

use super::num;
use crate::level::Level;

/// One value to format. Types follow Python's `LogRecord` attributes.
#[derive(Clone, Copy, Debug)]
pub(super) enum Value<'a> {
    /// A string written as is (`name`, `pathname`, ...).
    Str(&'a str),
    /// A string subject to escaping (`message`, event fields, defaults).
    Text(&'a str),
    /// An `int`.
    Int(i128),
    /// A `float`.
    Float(f64),
    /// A `bool`.
    Bool(bool),
    /// Python's `None`.
    None,
    /// `levelname`: a level's name, `Level 15` for unnamed ones.
    LevelName(Level),
    /// `asctime`: written by the formatter's clock.
    Asctime,
}

/// What escaping applies to [`Value::Text`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Escape {
    /// Control characters other than `\n` and `\t` become `\xNN`.
    pub(super) control: bool,
    /// `\n` becomes `\n` and `\r` becomes `\r` (backslash escapes).
    pub(super) newlines: bool,
}

/// Is `c` a control character that escaping rewrites (C0 but `\n` `\t`,
/// DEL, C1)?
fn is_control(c: char) -> bool {
    let u = u32::from(c);
    (u < 0x20 && c != '\n' && c != '\t') || (0x7f..=0x9f).contains(&u)
}

/// Whether `bytes` holds a byte below 0x20, 0x7f or 0xc2: eight bytes at a
/// time (the message of every record goes through this).
fn needs_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    /// Whether a byte of `x` is zero (the classic bit trick; exact).
    fn has_zero(x: u64) -> bool {
        (x.wrapping_sub(ONES) & !x & HIGHS) != 0
    }
    /// Whether a byte of `x` is below `n` (`n` at most 0x80; exact).
    fn has_less(x: u64, n: u64) -> bool {
        (x.wrapping_sub(ONES * n) & !x & HIGHS) != 0
    }
    fn word_needs(chunk: &[u8]) -> bool {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        has_less(x, 0x20) | has_zero(x ^ (ONES * 0x7f)) | has_zero(x ^ (ONES * 0xc2))
    }
    let Some(last) = bytes.len().checked_sub(8) else {
        return bytes.iter().any(|&b| b < 0x20 || b == 0x7f || b == 0xc2);
    };
    let mut chunks = bytes.chunks_exact(8);
    if chunks.by_ref().any(word_needs) {
        return true;
    }
    // The tail: the last eight bytes, overlapping the last whole word.
    !chunks.remainder().is_empty() && bytes.get(last..).is_some_and(word_needs)
}

/// Writes `s` escaped as `esc` says.
pub(super) fn write_escaped(out: &mut Vec<u8>, s: &str, esc: Escape) {
    if !esc.control && !esc.newlines {
        out.extend_from_slice(s.as_bytes());
        return;
    }
    let bytes = s.as_bytes();
    // Fast path: nothing to rewrite. Every rewritten character starts with
    // a byte below 0x20, 0x7f or the C1 lead byte 0xc2.
    if !needs_escape(bytes) {
        out.extend_from_slice(bytes);
        return;
    }
    for c in s.chars() {
        match c {
            '\n' if esc.newlines => out.extend_from_slice(b"\\n"),
            '\r' if esc.newlines => out.extend_from_slice(b"\\r"),
            c if esc.control && is_control(c) => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
}

/// Approximates `not str.isprintable()` for one character: controls,
/// format characters, separators other than space, surrogates and private
/// use. Unassigned code points count as printable (Python escapes them).
fn is_unprintable(c: char) -> bool {
    let u = u32::from(c);
    matches!(u,
        0x00..=0x1f | 0x7f..=0xa0 | 0xad | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f
        | 0x890..=0x891 | 0x8e2 | 0x1680 | 0x180e | 0x2000..=0x200f | 0x2028..=0x202f
        | 0x205f..=0x2064 | 0x2066..=0x206f | 0x3000 | 0xe000..=0xf8ff | 0xfeff
        | 0xfff9..=0xfffb | 0x110bd | 0x110cd | 0x13430..=0x1343f | 0x1bca0..=0x1bca3
        | 0x1d173..=0x1d17a | 0xe0001 | 0xe0020..=0xe007f | 0xf0000..)
}

/// Writes Python's `repr(s)` (`ascii_only`: `ascii(s)`).
pub(super) fn write_str_repr(out: &mut Vec<u8>, s: &str, ascii_only: bool) {
    let quote = if s.contains('\'') && !s.contains('"') {
        b'"'
    } else {
        b'\''
    };
    out.push(quote);
    for c in s.chars() {
        let u = u32::from(c);
        match c {
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if u32::from(c) == u32::from(quote) => {
                out.push(b'\\');
                out.push(quote);
            }
            c if (ascii_only && u > 0x7e) || is_unprintable(c) => {
                let _ = if u <= 0xff {
                    write!(out, "\\x{u:02x}")
                } else if u <= 0xffff {
                    write!(out, "\\u{u:04x}")
                } else {
                    write!(out, "\\U{u:08x}")
                };
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(quote);
}

/// How a value is turned into text: `str`, `repr` or `ascii`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Conv {
    /// `str()` (`%s`, `!s`, or none).
    Str,
    /// `repr()` (`%r`, `!r`).
    Repr,
    /// `ascii()` (`%a`, `!a`).
    Ascii,
}

/// Writes a value that is not [`Value::Asctime`] as `str`/`repr`/`ascii`
/// would. Asctime is written by the caller.
pub(super) fn write_plain(out: &mut Vec<u8>, v: Value<'_>, conv: Conv, esc: Escape) {
    match (v, conv) {
        (Value::Str(s), Conv::Str) => out.extend_from_slice(s.as_bytes()),
        (Value::Text(s), Conv::Str) => write_escaped(out, s, esc),
        (Value::Str(s) | Value::Text(s), Conv::Repr) => write_str_repr(out, s, false),
        (Value::Str(s) | Value::Text(s), Conv::Ascii) => write_str_repr(out, s, true),
        (Value::LevelName(level), Conv::Str) => write_level_name(out, level),
        (Value::LevelName(level), _) => {
            out.push(b'\'');
            write_level_name(out, level);
            out.push(b'\'');
        }
        (Value::Int(i), _) => num::write_int(out, i),
        (Value::Float(f), _) => num::write_float_repr(out, f),
        (Value::Bool(b), _) => out.extend_from_slice(if b { b"True" } else { b"False" }),
        (Value::None | Value::Asctime, _) => out.extend_from_slice(b"None"),
    }
}

/// Writes `WARNING`, or `Level 15` for a level without a name.
pub(super) fn write_level_name(out: &mut Vec<u8>, level: Level) {
    match level.static_name() {
        Some(name) => out.extend_from_slice(name.as_bytes()),
        None => {
            let _ = write!(out, "Level {}", level.number());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(bytes: &[u8]) -> bool {
        bytes.iter().any(|&b| b < 0x20 || b == 0x7f || b == 0xc2)
    }

    #[test]
    fn needs_escape_agrees_with_the_byte_scan() {
        // Every byte value at every position of a 17-byte window (two
        // words and a remainder), over printable and high-byte fillers.
        for filler in [b'a', b' ', 0x80, 0xc3, 0xff, 0x7e, 0x21] {
            for pos in 0..17 {
                for b in 0..=255u8 {
                    let mut bytes = [filler; 17];
                    bytes[pos] = b;
                    assert_eq!(
                        needs_escape(&bytes),
                        naive(&bytes),
                        "{filler:#x} {pos} {b:#x}"
                    );
                    assert_eq!(needs_escape(&bytes[..pos + 1]), naive(&bytes[..pos + 1]));
                }
            }
        }
        assert!(!needs_escape(b""));
        assert!(!needs_escape("héllo wörld ☃ ascii only".as_bytes()));
        assert!(needs_escape("bell\u{7}".as_bytes()));
        assert!(needs_escape("c1 \u{85} next line".as_bytes()));
    }
}
