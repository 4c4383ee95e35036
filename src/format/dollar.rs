//! `$`-style formats: Python's `StringTemplateStyle` (`string.Template`).

use super::{Builder, FormatError, Spec};

fn is_start(b: u8) -> bool {
    b == b'_' || b.is_ascii_alphabetic()
}

fn is_continue(b: u8) -> bool {
    b == b'_' || b.is_ascii_alphanumeric()
}

/// Parses a `$`-style format into `b`.
pub(super) fn compile(fmt: &str, b: &mut Builder<'_>, validate: bool) -> Result<(), FormatError> {
    let bytes = fmt.as_bytes();
    let len = bytes.len();
    let mut i = 0;
    let mut lit_start = 0;
    while i < len {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        b.lit(fmt.get(lit_start..i).unwrap_or(""));
        let dollar = i;
        i += 1;
        let (name, end) = match bytes.get(i) {
            Some(b'$') => {
                b.lit("$");
                i += 1;
                lit_start = i;
                continue;
            }
            Some(&c) if is_start(c) => {
                let mut j = i + 1;
                while j < len && is_continue(bytes[j]) {
                    j += 1;
                }
                (fmt.get(i..j).unwrap_or(""), j)
            }
            Some(b'{') if bytes.get(i + 1).is_some_and(|&c| is_start(c)) => {
                let mut j = i + 2;
                while j < len && is_continue(bytes[j]) {
                    j += 1;
                }
                if bytes.get(j) != Some(&b'}') {
                    return Err(invalid(dollar));
                }
                (fmt.get(i + 1..j).unwrap_or(""), j + 1)
            }
            _ => return Err(invalid(dollar)),
        };
        let (source, _) = b.resolve(name, dollar)?;
        b.field(source, Spec::Plain);
        i = end;
        lit_start = i;
    }
    b.lit(fmt.get(lit_start..).unwrap_or(""));
    if validate && b.fields == 0 {
        return Err(FormatError::no_fields("$message"));
    }
    Ok(())
}

fn invalid(offset: usize) -> FormatError {
    FormatError {
        message: "invalid format: bare `$` not allowed".into(),
        offset: Some(offset),
        help: Some("write `$$` for a literal `$`, or `${name}` for a field".into()),
    }
}
