//! `{`-style formats: Python's `StrFormatStyle` (`str.format`).

use super::num::{self, Align, FloatKind, NumLayout};
use super::value::{Conv, Value};
use super::{Builder, Ctx, FormatError, Kind, Spec as AnySpec};

/// A compiled `{name!conv:spec}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Spec {
    /// `!r`, `!s`, `!a`.
    conv: Option<Conv>,
    /// The spec was empty (`{name}`): `str()` of the value.
    empty: bool,
    fill: Option<char>,
    align: Option<Align>,
    /// `+`, `-` or ` `.
    sign: Option<u8>,
    /// `z`: negative zero prints as zero.
    z: bool,
    /// `#`.
    alt: bool,
    /// `0` before the width.
    zero: bool,
    width: usize,
    /// `,` or `_`.
    grouping: Option<u8>,
    precision: Option<usize>,
    /// The type letter.
    ty: Option<u8>,
}

fn err(message: String, offset: usize, help: Option<&str>) -> FormatError {
    FormatError::at(message, offset, help)
}

/// Parses a `{`-style format into `b`.
pub(super) fn compile(fmt: &str, b: &mut Builder<'_>, validate: bool) -> Result<(), FormatError> {
    let bytes = fmt.as_bytes();
    let len = bytes.len();
    let mut i = 0;
    let mut lit_start = 0;
    while i < len {
        match bytes[i] {
            b'{' if bytes.get(i + 1) == Some(&b'{') => {
                b.lit(fmt.get(lit_start..=i).unwrap_or(""));
                i += 2;
                lit_start = i;
            }
            b'}' if bytes.get(i + 1) == Some(&b'}') => {
                b.lit(fmt.get(lit_start..=i).unwrap_or(""));
                i += 2;
                lit_start = i;
            }
            b'}' => {
                return Err(err(
                    "invalid format: single `}` encountered in format string".into(),
                    i,
                    Some("write `}}` for a literal `}`"),
                ));
            }
            b'{' => {
                b.lit(fmt.get(lit_start..i).unwrap_or(""));
                let open = i;
                i = super::matching(bytes, open + 1, b'{', b'}').ok_or_else(|| {
                    err(
                        "invalid format: expected `}` before end of string".into(),
                        open,
                        Some("write `{{` for a literal `{`"),
                    )
                })?;
                let inner = fmt.get(open + 1..i).unwrap_or("");
                field(inner, open, b, validate)?;
                i += 1;
                lit_start = i;
            }
            _ => i += 1,
        }
    }
    b.lit(fmt.get(lit_start..).unwrap_or(""));
    if validate && b.fields == 0 {
        return Err(FormatError::no_fields("{message}"));
    }
    Ok(())
}

/// Parses the inside of one `{...}` starting at byte `open`.
fn field(inner: &str, open: usize, b: &mut Builder<'_>, validate: bool) -> Result<(), FormatError> {
    let name_end = inner.find(['!', ':']).unwrap_or(inner.len());
    let name = inner.get(..name_end).unwrap_or("");
    let mut rest = inner.get(name_end..).unwrap_or("");
    if name.is_empty() || name.bytes().all(|c| c.is_ascii_digit()) {
        return Err(err(
            format!("positional field `{{{name}}}` is not supported"),
            open,
            Some("name the value, as in `{message}`"),
        ));
    }
    if name.contains(['.', '[']) {
        return Err(err(
            format!("attribute and index access `{{{name}}}` is not supported"),
            open,
            Some("name a record attribute or field directly"),
        ));
    }
    if validate && !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return Err(err(format!("invalid field name `{name}`"), open, None));
    }
    let mut conv = None;
    if let Some(after) = rest.strip_prefix('!') {
        let mut chars = after.chars();
        let c = chars.next();
        conv = Some(match c {
            Some('r') => Conv::Repr,
            Some('s') => Conv::Str,
            Some('a') => Conv::Ascii,
            Some(c) => {
                return Err(err(
                    format!("invalid format: invalid conversion `{c}`"),
                    open,
                    Some("use `!r`, `!s` or `!a`"),
                ));
            }
            None => {
                return Err(err(
                    "missing conversion after `!`".into(),
                    open,
                    Some("use `!r`, `!s` or `!a`"),
                ));
            }
        });
        rest = chars.as_str();
        if !rest.is_empty() && !rest.starts_with(':') {
            return Err(err(
                "expected `:` after conversion specifier".into(),
                open,
                None,
            ));
        }
    }
    let spec_text = rest.strip_prefix(':').unwrap_or("");
    if spec_text.contains(['{', '}']) {
        return Err(err(
            "nested fields in a format spec are not supported".into(),
            open,
            Some("write the width or precision as a number"),
        ));
    }
    let mut spec = parse_spec(spec_text).map_err(|m| err(m, open, None))?;
    spec.conv = conv;
    if validate && spec.z {
        return Err(err(
            format!("invalid format: bad specifier `{spec_text}`"),
            open,
            Some("Python's validation does not accept `z`; set `validate: false` to use it"),
        ));
    }
    let (source, kind) = b.resolve(name, open)?;
    check_kind(name, kind, &spec, spec_text, open)?;
    b.field(source, AnySpec::Brace(spec));
    Ok(())
}

/// Refuses specs that fail for every record (Python raises then): the
/// attribute's type is known and cannot take the spec.
fn check_kind(
    name: &str,
    kind: Kind,
    spec: &Spec,
    spec_text: &str,
    offset: usize,
) -> Result<(), FormatError> {
    let kind = if spec.conv.is_some() { Kind::Str } else { kind };
    let ty = spec.ty.map(char::from);
    let float_type = matches!(
        spec.ty,
        Some(b'e' | b'E' | b'f' | b'F' | b'g' | b'G' | b'%')
    );
    let (what, problem) = match kind {
        Kind::Str => (
            "a string",
            if let Some(t) = ty.filter(|&t| t != 's') {
                Some(format!("type `{t}`"))
            } else if spec.sign.is_some() {
                Some("a sign".to_owned())
            } else if spec.alt {
                Some("`#`".to_owned())
            } else if spec.grouping.is_some() {
                Some("a grouping".to_owned())
            } else if spec.align == Some(Align::AfterSign) {
                Some("`=` alignment".to_owned())
            } else if spec.z {
                Some("`z`".to_owned())
            } else {
                None
            },
        ),
        Kind::None => (
            "always None",
            (!spec.empty).then(|| "a format spec".to_owned()),
        ),
        Kind::Int => (
            "an integer",
            if ty == Some('s') {
                Some("type `s`".to_owned())
            } else if spec.precision.is_some() && ty.is_none() {
                Some("a precision without a float type".to_owned())
            } else if spec.z && !float_type {
                Some("`z` without a float type".to_owned())
            } else {
                None
            },
        ),
        Kind::Float => (
            "a float",
            ty.filter(|t| "bcdosxX".contains(*t))
                .map(|t| format!("type `{t}`")),
        ),
        Kind::Any => return Ok(()),
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(err(
            format!("`{name}` is {what} and cannot take {problem} (`{spec_text}`)"),
            offset,
            None,
        )),
    }
}

fn align_of(c: char) -> Option<Align> {
    match c {
        '<' => Some(Align::Left),
        '>' => Some(Align::Right),
        '^' => Some(Align::Center),
        '=' => Some(Align::AfterSign),
        _ => None,
    }
}

/// Reads a decimal number (capped) from the front of `s`.
fn number(s: &mut &str) -> Result<Option<usize>, String> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    if end == 0 {
        return Ok(None);
    }
    let text = s.get(..end).unwrap_or("");
    *s = s.get(end..).unwrap_or("");
    match text.parse::<usize>() {
        Ok(n) if n <= 10_000 => Ok(Some(n)),
        _ => Err("too many decimal digits in format string".into()),
    }
}

/// Parses `[[fill]align][sign][z][#][0][width][grouping][.precision][type]`.
fn parse_spec(text: &str) -> Result<Spec, String> {
    let mut spec = Spec {
        conv: None,
        empty: text.is_empty(),
        fill: None,
        align: None,
        sign: None,
        z: false,
        alt: false,
        zero: false,
        width: 0,
        grouping: None,
        precision: None,
        ty: None,
    };
    let mut s = text;
    let mut chars = s.chars();
    let first = chars.next();
    let second = chars.next();
    if let (Some(f), Some(a)) = (first, second.and_then(align_of)) {
        spec.fill = Some(f);
        spec.align = Some(a);
        s = s.get(f.len_utf8() + 1..).unwrap_or("");
    } else if let Some(a) = first.and_then(align_of) {
        spec.align = Some(a);
        s = s.get(1..).unwrap_or("");
    }
    if let Some(c @ (b'+' | b'-' | b' ')) = s.bytes().next() {
        spec.sign = Some(c);
        s = s.get(1..).unwrap_or("");
    }
    if let Some(r) = s.strip_prefix('z') {
        spec.z = true;
        s = r;
    }
    if let Some(r) = s.strip_prefix('#') {
        spec.alt = true;
        s = r;
    }
    if let Some(r) = s.strip_prefix('0') {
        spec.zero = true;
        s = r;
    }
    spec.width = number(&mut s)?.unwrap_or(0);
    if let Some(c @ (b',' | b'_')) = s.bytes().next() {
        spec.grouping = Some(c);
        s = s.get(1..).unwrap_or("");
    }
    if let Some(r) = s.strip_prefix('.') {
        s = r;
        spec.precision = Some(number(&mut s)?.ok_or("format specifier missing precision")?);
    }
    let mut rest = s.chars();
    match (rest.next(), rest.next()) {
        (None, _) => {}
        (Some(c), None) if "bcdeEfFgGnosxX%".contains(c) => spec.ty = Some(c as u8),
        (Some(c), None) => return Err(format!("unknown format code `{c}`")),
        _ => return Err(format!("invalid format specifier `{text}`")),
    }
    if spec.grouping.is_some() && spec.ty == Some(b'n') {
        return Err("cannot specify a grouping with `n`".into());
    }
    if spec.grouping == Some(b',') && matches!(spec.ty, Some(b'b' | b'o' | b'x' | b'X')) {
        return Err(format!(
            "cannot specify `,` with `{}`",
            char::from(spec.ty.unwrap_or(b'x'))
        ));
    }
    if spec.precision.is_some() && matches!(spec.ty, Some(b'b' | b'c' | b'd' | b'o' | b'x' | b'X'))
    {
        return Err("precision not allowed in integer format specifier".into());
    }
    Ok(spec)
}

/// Writes `v` as `format(v, spec)` would.
pub(super) fn render(out: &mut Vec<u8>, v: Value<'_>, spec: &Spec, ctx: &Ctx<'_>) {
    if let Some(conv) = spec.conv {
        return text(out, v, spec, ctx, conv);
    }
    match v {
        Value::Bool(b) if !spec.empty => int_or_float(out, i128::from(b), spec, ctx, v),
        Value::Int(i) => int_or_float(out, i, spec, ctx, v),
        Value::Float(f) => float(out, f, spec, ctx, v),
        _ => text(out, v, spec, ctx, Conv::Str),
    }
}

/// String formatting: precision cuts, default alignment left.
fn text(out: &mut Vec<u8>, v: Value<'_>, spec: &Spec, ctx: &Ctx<'_>, conv: Conv) {
    let start = out.len();
    ctx.write(out, v, conv);
    if let Some(p) = spec.precision {
        num::truncate_chars(out, start, p);
    }
    let fill = spec.fill.unwrap_or(if spec.zero { '0' } else { ' ' });
    let align = match spec.align {
        None | Some(Align::AfterSign) => Align::Left,
        Some(a) => a,
    };
    num::pad(out, start, spec.width, fill, align, 0);
}

fn layout(spec: &Spec, every: usize) -> NumLayout {
    NumLayout {
        width: spec.width,
        fill: spec.fill.unwrap_or(if spec.zero { '0' } else { ' ' }),
        align: spec.align.unwrap_or(if spec.zero {
            Align::AfterSign
        } else {
            Align::Right
        }),
        grouping: spec.grouping.map(|g| (g, every)),
        integer: false,
    }
}

fn int_or_float(out: &mut Vec<u8>, i: i128, spec: &Spec, ctx: &Ctx<'_>, v: Value<'_>) {
    let (radix, prefix) = match spec.ty {
        None | Some(b'd' | b'n') => (10, ""),
        Some(b'b') => (2, "0b"),
        Some(b'o') => (8, "0o"),
        Some(b'x') => (16, "0x"),
        Some(b'X') => (16, "0X"),
        Some(b'c') => {
            let Some(c) = u32::try_from(i).ok().and_then(char::from_u32) else {
                return text(out, v, spec, ctx, Conv::Str);
            };
            let start = out.len();
            let mut buf = [0u8; 4];
            super::value::write_escaped(out, c.encode_utf8(&mut buf), ctx.esc);
            let mut l = layout(spec, 3);
            l.grouping = None;
            return num::finish_number(out, start, "", "", l);
        }
        Some(b's') => return text(out, v, spec, ctx, Conv::Str),
        #[allow(clippy::cast_precision_loss)]
        _ => return float(out, i as f64, spec, ctx, v),
    };
    if spec.precision.is_some() {
        return text(out, v, spec, ctx, Conv::Str);
    }
    let start = out.len();
    num::write_radix(out, i.unsigned_abs(), radix, spec.ty == Some(b'X'));
    let prefix = if spec.alt { prefix } else { "" };
    let every = if radix == 10 { 3 } else { 4 };
    let mut l = layout(spec, every);
    l.integer = true;
    num::finish_number(out, start, num::sign_str(i < 0, spec.sign), prefix, l);
}

fn float(out: &mut Vec<u8>, f: f64, spec: &Spec, ctx: &Ctx<'_>, v: Value<'_>) {
    let upper = matches!(spec.ty, Some(b'E' | b'F' | b'G'));
    let (kind, precision) = match spec.ty {
        None => match spec.precision {
            Some(p) => (Some(FloatKind::BraceGeneral), p),
            None => (None, 0),
        },
        Some(b'e' | b'E') => (Some(FloatKind::Exp), spec.precision.unwrap_or(6)),
        Some(b'f' | b'F' | b'%') => (Some(FloatKind::Fixed), spec.precision.unwrap_or(6)),
        Some(b'g' | b'G' | b'n') => (Some(FloatKind::General), spec.precision.unwrap_or(6)),
        _ => return text(out, v, spec, ctx, Conv::Str),
    };
    let shown = if spec.ty == Some(b'%') { f * 100.0 } else { f };
    let start = out.len();
    match kind {
        Some(kind) => num::write_float_abs(out, shown, kind, precision, spec.alt, upper),
        None => num::write_repr_body(out, shown, spec.alt),
    }
    if spec.ty == Some(b'%') {
        out.push(b'%');
    }
    let mut negative = num::float_negative(shown);
    if negative && spec.z && out[start..].iter().all(|b| !(b'1'..=b'9').contains(b)) {
        negative = false;
    }
    num::finish_number(
        out,
        start,
        num::sign_str(negative, spec.sign),
        "",
        layout(spec, 3),
    );
}
