//! Python's number formatting (`str(float)`, `%e`, `%g`, padding and digit
//! grouping), written straight into the output buffer without allocating.

use std::io::Write as _;

/// Where padding goes when a value is narrower than its width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Align {
    /// `<`: text first, padding after.
    Left,
    /// `>`: padding first.
    Right,
    /// `^`: padding split, the extra one after.
    Center,
    /// `=`: padding between the sign (and `0x` prefix) and the digits.
    AfterSign,
}

/// A float notation, as the conversion letter names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum FloatKind {
    /// `e`: `1.500000e+03`.
    Exp,
    /// `f`: `1500.000000`.
    Fixed,
    /// `g`: the shorter of the two, trailing zeros removed.
    General,
    /// `str.format` with a precision and no type: `g`, but a fixed result
    /// keeps one digit after the point and exponents start at `precision - 1`.
    BraceGeneral,
}

/// Number of characters (not bytes) in UTF-8 text.
pub(super) fn char_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

/// Inserts `count` copies of `fill` at byte position `pos` of `out`.
pub(super) fn insert_fill(out: &mut Vec<u8>, pos: usize, fill: char, count: usize) {
    if count == 0 || pos > out.len() {
        return;
    }
    let old = out.len();
    if let Ok(byte) = u8::try_from(fill)
        && byte.is_ascii()
    {
        out.resize(old + count, byte);
    } else {
        let mut buf = [0u8; 4];
        let enc = fill.encode_utf8(&mut buf).as_bytes();
        for _ in 0..count {
            out.extend_from_slice(enc);
        }
    }
    let added = out.len() - old;
    if let Some(tail) = out.get_mut(pos..) {
        tail.rotate_right(added);
    }
}

/// Inserts `bytes` at byte position `pos` of `out`.
pub(super) fn insert_bytes(out: &mut Vec<u8>, pos: usize, bytes: &[u8]) {
    if bytes.is_empty() || pos > out.len() {
        return;
    }
    out.extend_from_slice(bytes);
    if let Some(tail) = out.get_mut(pos..) {
        tail.rotate_right(bytes.len());
    }
}

/// Cuts the text written since `start` to at most `chars` characters.
pub(super) fn truncate_chars(out: &mut Vec<u8>, start: usize, chars: usize) {
    let mut seen = 0;
    let mut idx = start;
    while idx < out.len() {
        if out[idx] & 0xC0 != 0x80 {
            if seen == chars {
                out.truncate(idx);
                return;
            }
            seen += 1;
        }
        idx += 1;
    }
}

/// Pads the text written since `start` to `width` characters.
/// [`Align::AfterSign`] pads after the first `sign_len` bytes.
pub(super) fn pad(
    out: &mut Vec<u8>,
    start: usize,
    width: usize,
    fill: char,
    align: Align,
    sign_len: usize,
) {
    if width == 0 {
        return;
    }
    let have = char_count(out.get(start..).unwrap_or(&[]));
    if have >= width {
        return;
    }
    let missing = width - have;
    match align {
        Align::Left => insert_fill(out, out.len(), fill, missing),
        Align::Right => insert_fill(out, start, fill, missing),
        Align::Center => {
            let before = missing / 2;
            insert_fill(out, start, fill, before);
            insert_fill(out, out.len(), fill, missing - before);
        }
        Align::AfterSign => insert_fill(out, start + sign_len, fill, missing),
    }
}

/// Layout of a number around its digits.
#[derive(Clone, Copy, Debug)]
pub(super) struct NumLayout {
    /// Minimum width in characters.
    pub(super) width: usize,
    /// Padding character.
    pub(super) fill: char,
    /// Where padding goes.
    pub(super) align: Align,
    /// Separator and group size (`,` 3, `_` 3 or 4).
    pub(super) grouping: Option<(u8, usize)>,
    /// The body is all digits (an integer in any radix, hex included).
    pub(super) integer: bool,
}

/// Finishes a number whose body (digits, point, exponent; no sign) was
/// written at `out[start..]`: groups digits, zero-pads, inserts the sign and
/// prefix, then pads to the width.
pub(super) fn finish_number(
    out: &mut Vec<u8>,
    start: usize,
    sign: &str,
    prefix: &str,
    layout: NumLayout,
) {
    let body = out.get(start..).unwrap_or(&[]);
    let digits = if layout.integer {
        body.len()
    } else {
        body.iter().take_while(|b| b.is_ascii_digit()).count()
    };
    let rest = body.len() - digits;
    // `inf` and `nan` have no digits to group, and are zero-padded plainly.
    let grouping = layout.grouping.filter(|_| digits > 0);
    let zero_pad = layout.fill == '0' && layout.align == Align::AfterSign;
    let mut target = digits;
    if zero_pad {
        let min = layout
            .width
            .saturating_sub(sign.len() + prefix.len() + rest);
        match grouping {
            Some((_, every)) => {
                while target + target.saturating_sub(1) / every < min {
                    target += 1;
                }
            }
            None => target = target.max(min),
        }
    }
    insert_fill(out, start, '0', target - digits);
    if let Some((sep, every)) = grouping {
        // Separators go between groups, counted from the last digit.
        let mut pos = start + target;
        let mut left = target;
        while left > every {
            pos -= every;
            left -= every;
            insert_bytes(out, pos, &[sep]);
        }
    }
    let mut head = [0u8; 8];
    let head_len = sign.len() + prefix.len();
    if head_len <= head.len() {
        head[..sign.len()].copy_from_slice(sign.as_bytes());
        head[sign.len()..head_len].copy_from_slice(prefix.as_bytes());
        insert_bytes(out, start, &head[..head_len]);
    }
    pad(
        out,
        start,
        layout.width,
        layout.fill,
        layout.align,
        head_len,
    );
}

/// `sign` for a value: `-` when negative, else `+`, ` ` or nothing.
pub(super) fn sign_str(negative: bool, plus: Option<u8>) -> &'static str {
    match (negative, plus) {
        (true, _) => "-",
        (false, Some(b'+')) => "+",
        (false, Some(b' ')) => " ",
        _ => "",
    }
}

/// Writes an unsigned integer in a radix (10, 2, 8, 16; `upper` for `X`).
pub(super) fn write_radix(out: &mut Vec<u8>, v: u128, radix: u32, upper: bool) {
    let _ = match (radix, upper) {
        (2, _) => write!(out, "{v:b}"),
        (8, _) => write!(out, "{v:o}"),
        (16, false) => write!(out, "{v:x}"),
        (16, true) => write!(out, "{v:X}"),
        _ => write!(out, "{v}"),
    };
}

/// Writes an integer as Python's `str(int)`.
pub(super) fn write_int(out: &mut Vec<u8>, v: i128) {
    let _ = write!(out, "{v}");
}

/// Writes a float's integer part (`int(v)` for a finite `v`), as `%d` does.
pub(super) fn write_trunc(out: &mut Vec<u8>, v: f64) {
    let t = v.trunc();
    if t == 0.0 {
        out.push(b'0');
    } else {
        let _ = write!(out, "{t:.0}");
    }
}

/// The shortest round-trip digits and decimal exponent of a finite,
/// non-negative float: `1234.5` is `("12345", 3)`.
fn shortest(v: f64, buf: &mut [u8; 40]) -> (usize, i32) {
    let mut cursor = std::io::Cursor::new(&mut buf[..]);
    let _ = write!(cursor, "{v:e}");
    let len = usize::try_from(cursor.position()).unwrap_or(0);
    let text = &buf[..len];
    let e_pos = text.iter().position(|&b| b == b'e').unwrap_or(len);
    let exp = std::str::from_utf8(text.get(e_pos + 1..).unwrap_or(&[]))
        .ok()
        .and_then(|s| s.parse::<i32>().ok())
        .unwrap_or(0);
    // Squeeze out the point: digits then land at buf[..n].
    let mut n = 0;
    for i in 0..e_pos {
        let b = buf[i];
        if b.is_ascii_digit() {
            buf[n] = b;
            n += 1;
        }
    }
    (n, exp)
}

fn write_exponent(out: &mut Vec<u8>, exp: i32, upper: bool) {
    out.push(if upper { b'E' } else { b'e' });
    out.push(if exp < 0 { b'-' } else { b'+' });
    let _ = write!(out, "{:02}", exp.unsigned_abs());
}

/// Writes a non-negative float as Python's `repr(float)` (without sign).
/// `alt` (`#`) keeps a point after a lone exponent digit: `1.e+300`.
fn write_repr_abs(out: &mut Vec<u8>, v: f64, alt: bool) {
    if v.is_nan() {
        out.extend_from_slice(b"nan");
        return;
    }
    if v.is_infinite() {
        out.extend_from_slice(b"inf");
        return;
    }
    let mut buf = [0u8; 40];
    let (n, exp) = shortest(v, &mut buf);
    let digits = &buf[..n.max(1)];
    let decpt = exp + 1;
    if decpt > -4 && decpt <= 16 {
        if decpt <= 0 {
            out.extend_from_slice(b"0.");
            for _ in 0..(-decpt) {
                out.push(b'0');
            }
            out.extend_from_slice(digits);
        } else {
            let d = usize::try_from(decpt).unwrap_or(0);
            if d >= digits.len() {
                out.extend_from_slice(digits);
                for _ in digits.len()..d {
                    out.push(b'0');
                }
                out.extend_from_slice(b".0");
            } else {
                out.extend_from_slice(&digits[..d]);
                out.push(b'.');
                out.extend_from_slice(&digits[d..]);
            }
        }
    } else {
        out.push(digits[0]);
        if digits.len() > 1 || alt {
            out.push(b'.');
            out.extend_from_slice(&digits[1..]);
        }
        write_exponent(out, exp, false);
    }
}

/// Is the float negative for display (`-0.0` is; NaN is not).
pub(super) fn float_negative(v: f64) -> bool {
    !v.is_nan() && v.is_sign_negative()
}

/// Writes a float as Python's `str(float)`: `1732891234.123456`, `1e+16`,
/// `0.0001`, `1e-05`, `-0.0`, `inf`, `nan`.
pub(super) fn write_float_repr(out: &mut Vec<u8>, v: f64) {
    if float_negative(v) {
        out.push(b'-');
    }
    write_repr_abs(out, v.abs(), false);
}

/// Writes a non-negative float (no sign) in the given notation.
/// `precision` is the conversion's (6 when not given); `alt` is `#`.
/// Returns nothing; the caller adds sign and padding.
pub(super) fn write_float_abs(
    out: &mut Vec<u8>,
    v: f64,
    kind: FloatKind,
    precision: usize,
    alt: bool,
    upper: bool,
) {
    let v = v.abs();
    if !v.is_finite() {
        let word: &[u8] = match (v.is_nan(), upper) {
            (true, false) => b"nan",
            (true, true) => b"NAN",
            (false, false) => b"inf",
            (false, true) => b"INF",
        };
        out.extend_from_slice(word);
        return;
    }
    match kind {
        FloatKind::Fixed => {
            let _ = write!(out, "{v:.precision$}");
            if alt && precision == 0 {
                out.push(b'.');
            }
        }
        FloatKind::Exp => write_exp(out, v, precision, alt, upper),
        FloatKind::General | FloatKind::BraceGeneral => {
            let brace = kind == FloatKind::BraceGeneral;
            let p = precision.max(1);
            // The exponent after rounding to p significant digits.
            let start = out.len();
            write_exp(out, v, p - 1, false, false);
            let exp = exponent_of(out.get(start..).unwrap_or(&[]));
            out.truncate(start);
            let p_i = i32::try_from(p).unwrap_or(i32::MAX);
            let limit = if brace { p_i - 1 } else { p_i };
            if exp >= -4 && exp < limit {
                let frac = usize::try_from(p_i - 1 - exp).unwrap_or(0);
                let _ = write!(out, "{v:.frac$}");
                if !alt {
                    strip_zeros(out, start, out.len());
                }
                if alt && frac == 0 {
                    out.push(b'.');
                }
                if brace && !out[start..].contains(&b'.') {
                    out.extend_from_slice(b".0");
                }
            } else {
                write_exp(out, v, p - 1, alt, upper);
                if !alt {
                    let e = out[start..]
                        .iter()
                        .position(|&b| b == b'e' || b == b'E')
                        .map_or(out.len(), |i| start + i);
                    strip_zeros(out, start, e);
                }
            }
        }
    }
}

/// Removes trailing zeros (and then a trailing point) from the fraction in
/// `out[start..end]`, keeping what follows `end`.
fn strip_zeros(out: &mut Vec<u8>, start: usize, end: usize) {
    let Some(part) = out.get(start..end) else {
        return;
    };
    if !part.contains(&b'.') {
        return;
    }
    let mut cut = end;
    while cut > start && out[cut - 1] == b'0' {
        cut -= 1;
    }
    if cut > start && out[cut - 1] == b'.' {
        cut -= 1;
    }
    out.drain(cut..end);
}

fn exponent_of(text: &[u8]) -> i32 {
    let Some(e) = text.iter().position(|&b| b == b'e' || b == b'E') else {
        return 0;
    };
    std::str::from_utf8(text.get(e + 1..).unwrap_or(&[]))
        .ok()
        .and_then(|s| s.parse::<i32>().ok())
        .unwrap_or(0)
}

/// `%e`: `d.dddddde+XX`.
fn write_exp(out: &mut Vec<u8>, v: f64, precision: usize, alt: bool, upper: bool) {
    let start = out.len();
    let _ = write!(out, "{v:.precision$e}");
    let exp = exponent_of(out.get(start..).unwrap_or(&[]));
    if let Some(e) = out[start..].iter().position(|&b| b == b'e') {
        out.truncate(start + e);
    }
    if alt && precision == 0 {
        out.push(b'.');
    }
    write_exponent(out, exp, upper);
}

/// Writes a float as `str.format`'s no-type, no-precision form (`repr`),
/// without sign.
pub(super) fn write_repr_body(out: &mut Vec<u8>, v: f64, alt: bool) {
    write_repr_abs(out, v.abs(), alt);
}
