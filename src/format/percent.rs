//! `%`-style formats: Python's `PercentStyle` (`%(name)-10s`).

use super::num::{self, Align, FloatKind, NumLayout};
use super::value::{Conv, Value};
use super::{Builder, Ctx, FormatError, Kind, Spec as AnySpec};

/// A compiled `%(name)[flags][width][.precision]conv`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Spec {
    /// `-`: left-align.
    minus: bool,
    /// `0`: zero-pad numbers.
    zero: bool,
    /// `+` or ` `: sign for non-negative numbers.
    plus: Option<u8>,
    /// `#`: alternate form.
    alt: bool,
    /// Minimum width, in characters.
    width: usize,
    /// Precision, if given.
    precision: Option<usize>,
    /// The conversion letter.
    conv: u8,
}

impl Spec {
    /// `%(...)s` with no flags.
    pub(super) const fn plain() -> Spec {
        Spec {
            minus: false,
            zero: false,
            plus: None,
            alt: false,
            width: 0,
            precision: None,
            conv: b's',
        }
    }
}

fn err(message: String, offset: usize, help: Option<&str>) -> FormatError {
    FormatError::at(message, offset, help)
}

/// Reads a run of digits as a number; `None` when too large.
fn digits(bytes: &[u8], i: &mut usize) -> Option<usize> {
    let mut n: usize = 0;
    while let Some(&b) = bytes.get(*i) {
        if !b.is_ascii_digit() {
            break;
        }
        n = n.checked_mul(10)?.checked_add(usize::from(b - b'0'))?;
        *i += 1;
    }
    // Widths beyond this only pad; refuse them rather than write megabytes.
    (n <= 10_000).then_some(n)
}

/// Is `name` Python's `\w+`?
fn is_word(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// Parses a `%`-style format into `b`.
pub(super) fn compile(fmt: &str, b: &mut Builder<'_>, validate: bool) -> Result<(), FormatError> {
    let bytes = fmt.as_bytes();
    let len = bytes.len();
    let mut i = 0;
    let mut lit_start = 0;
    let mut valid = false;
    while i < len {
        if bytes[i] != b'%' {
            i += 1;
            continue;
        }
        b.lit(fmt.get(lit_start..i).unwrap_or(""));
        let pct = i;
        i += 1;
        match bytes.get(i) {
            None => {
                return Err(err(
                    "incomplete format".into(),
                    pct,
                    Some("write `%%` for a literal `%`"),
                ));
            }
            Some(b'%') => {
                b.lit("%");
                i += 1;
                lit_start = i;
                continue;
            }
            Some(b'(') => {}
            Some(_) => {
                let mut j = i;
                while j < len && b"#0+- 0123456789.*hlL".contains(&bytes[j]) {
                    j += 1;
                }
                let end = fmt
                    .get(j..)
                    .and_then(|s| s.chars().next())
                    .map_or(j, |c| j + c.len_utf8());
                let shown = fmt.get(pct..end).unwrap_or("%");
                return Err(err(
                    format!("positional conversion `{shown}` is not supported"),
                    pct,
                    Some("name the value, as in `%(message)s`"),
                ));
            }
        }
        // The key, up to the matching `)`.
        i += 1;
        let key_start = i;
        i = super::matching(bytes, key_start, b'(', b')').ok_or_else(|| {
            err(
                "incomplete format key".into(),
                pct,
                Some("close the name with `)`"),
            )
        })?;
        let key = fmt.get(key_start..i).unwrap_or("");
        i += 1;
        let mut spec = Spec::plain();
        while let Some(&c) = bytes.get(i) {
            match c {
                b'-' => spec.minus = true,
                b'+' => spec.plus = Some(b'+'),
                b' ' => {
                    if spec.plus.is_none() {
                        spec.plus = Some(b' ');
                    }
                }
                b'#' => spec.alt = true,
                b'0' => spec.zero = true,
                _ => break,
            }
            i += 1;
        }
        let star = "`*` widths and precisions are not supported";
        if bytes.get(i) == Some(&b'*') {
            return Err(err(star.into(), i, Some("write the number in the format")));
        }
        spec.width = digits(bytes, &mut i).ok_or_else(|| err("width too big".into(), pct, None))?;
        if bytes.get(i) == Some(&b'.') {
            i += 1;
            if bytes.get(i) == Some(&b'*') {
                return Err(err(star.into(), i, Some("write the number in the format")));
            }
            spec.precision = Some(
                digits(bytes, &mut i).ok_or_else(|| err("precision too big".into(), pct, None))?,
            );
        }
        let mut has_length = false;
        if matches!(bytes.get(i), Some(b'h' | b'l' | b'L')) {
            has_length = true;
            i += 1;
        }
        let Some(c) = fmt.get(i..).and_then(|s| s.chars().next()) else {
            return Err(err("incomplete format".into(), pct, None));
        };
        if !"diuoxXeEfFgGcsra".contains(c) {
            return Err(err(
                format!("unsupported format character `{c}`"),
                i,
                Some("use one of `d i u o x X e E f F g G c s r a`"),
            ));
        }
        spec.conv = c as u8;
        i += c.len_utf8();
        if is_word(key) && !has_length {
            valid = true;
        }
        let (source, kind) = b.resolve(key, pct)?;
        check_kind(key, kind, spec.conv, pct)?;
        // `%(name)s` without flags is `str(value)`: written directly, no
        // width or precision to apply.
        if spec == Spec::plain() {
            b.field(source, AnySpec::Plain);
        } else {
            b.field(source, AnySpec::Percent(spec));
        }
        lit_start = i;
    }
    b.lit(fmt.get(lit_start..).unwrap_or(""));
    if validate && !valid {
        return Err(FormatError {
            message: format!("invalid format `{fmt}` for `%` style"),
            offset: None,
            help: Some("name at least one attribute, as in `%(message)s`".into()),
        });
    }
    Ok(())
}

/// Refuses conversions that fail for every record (Python raises then).
fn check_kind(key: &str, kind: Kind, conv: u8, offset: usize) -> Result<(), FormatError> {
    let numeric = b"diuoxXeEfFgGc".contains(&conv);
    let integer = b"oxXc".contains(&conv);
    let what = match kind {
        Kind::Str | Kind::None if numeric => "a number",
        Kind::Float if integer => "an integer",
        _ => return Ok(()),
    };
    let is = match kind {
        Kind::Str => "a string",
        Kind::None => "always None",
        _ => "a float",
    };
    Err(err(
        format!("`%{}` needs {what} but `{key}` is {is}", conv as char),
        offset,
        Some("use `s`, as in `%(name)s`"),
    ))
}

/// Writes `v` as the conversion says.
pub(super) fn render(out: &mut Vec<u8>, v: Value<'_>, spec: &Spec, ctx: &Ctx<'_>) {
    match spec.conv {
        b's' => text(out, v, spec, ctx, Conv::Str),
        b'r' => text(out, v, spec, ctx, Conv::Repr),
        b'a' => text(out, v, spec, ctx, Conv::Ascii),
        b'd' | b'i' | b'u' => match v {
            Value::Int(i) => int(out, i, 10, spec),
            Value::Bool(b) => int(out, i128::from(b), 10, spec),
            Value::Float(f) if f.is_finite() => {
                let start = out.len();
                num::write_trunc(out, f.abs());
                min_digits(out, start, spec);
                let negative = f.trunc() < 0.0;
                finish(out, start, negative, "", spec);
            }
            _ => text(out, v, spec, ctx, Conv::Str),
        },
        b'o' | b'x' | b'X' => {
            let radix = if spec.conv == b'o' { 8 } else { 16 };
            match v {
                Value::Int(i) => int(out, i, radix, spec),
                Value::Bool(b) => int(out, i128::from(b), radix, spec),
                _ => text(out, v, spec, ctx, Conv::Str),
            }
        }
        b'c' => {
            let c = match v {
                Value::Int(i) => u32::try_from(i).ok().and_then(char::from_u32),
                Value::Bool(b) => char::from_u32(u32::from(b)),
                Value::Str(s) | Value::Text(s) => {
                    let mut it = s.chars();
                    match (it.next(), it.next()) {
                        (Some(c), None) => Some(c),
                        _ => None,
                    }
                }
                _ => None,
            };
            match c {
                Some(c) => {
                    let start = out.len();
                    let mut buf = [0u8; 4];
                    let s = c.encode_utf8(&mut buf);
                    super::value::write_escaped(out, s, ctx.esc);
                    pad_text(out, start, spec);
                }
                None => text(out, v, spec, ctx, Conv::Str),
            }
        }
        _ => {
            #[allow(clippy::cast_precision_loss)]
            let f = match v {
                Value::Int(i) => i as f64,
                Value::Bool(b) => f64::from(u8::from(b)),
                Value::Float(f) => f,
                _ => return text(out, v, spec, ctx, Conv::Str),
            };
            let kind = match spec.conv.to_ascii_lowercase() {
                b'e' => FloatKind::Exp,
                b'f' => FloatKind::Fixed,
                _ => FloatKind::General,
            };
            let start = out.len();
            num::write_float_abs(
                out,
                f,
                kind,
                spec.precision.unwrap_or(6),
                spec.alt,
                spec.conv.is_ascii_uppercase(),
            );
            finish(out, start, num::float_negative(f), "", spec);
        }
    }
}

/// `%s`-like: text, cut to the precision, padded to the width.
fn text(out: &mut Vec<u8>, v: Value<'_>, spec: &Spec, ctx: &Ctx<'_>, conv: Conv) {
    let start = out.len();
    ctx.write(out, v, conv);
    if let Some(p) = spec.precision {
        num::truncate_chars(out, start, p);
    }
    pad_text(out, start, spec);
}

fn pad_text(out: &mut Vec<u8>, start: usize, spec: &Spec) {
    let align = if spec.minus {
        Align::Left
    } else {
        Align::Right
    };
    num::pad(out, start, spec.width, ' ', align, 0);
}

/// An integer in `radix`, with `#` prefixes and precision as minimum digits.
fn int(out: &mut Vec<u8>, v: i128, radix: u32, spec: &Spec) {
    let start = out.len();
    num::write_radix(out, v.unsigned_abs(), radix, spec.conv == b'X');
    min_digits(out, start, spec);
    let prefix = match (spec.alt, spec.conv) {
        (true, b'o') => "0o",
        (true, b'x') => "0x",
        (true, b'X') => "0X",
        _ => "",
    };
    finish(out, start, v < 0, prefix, spec);
}

/// An integer's precision is its minimum number of digits.
fn min_digits(out: &mut Vec<u8>, start: usize, spec: &Spec) {
    if let Some(p) = spec.precision {
        let have = out.len().saturating_sub(start);
        if p > have {
            num::insert_fill(out, start, '0', p - have);
        }
    }
}

/// Adds sign, prefix and padding to the number body at `out[start..]`.
fn finish(out: &mut Vec<u8>, start: usize, negative: bool, prefix: &str, spec: &Spec) {
    let (fill, align) = if spec.minus {
        (' ', Align::Left)
    } else if spec.zero {
        ('0', Align::AfterSign)
    } else {
        (' ', Align::Right)
    };
    num::finish_number(
        out,
        start,
        num::sign_str(negative, spec.plus),
        prefix,
        NumLayout {
            width: spec.width,
            fill,
            align,
            grouping: None,
            integer: false,
        },
    );
}
