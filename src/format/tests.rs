//! Output checked against CPython 3.13: each expected value comes from the
//! Python expression in the comment next to it, or, for the conversion
//! table, from `tests/data/format_cases.jsonl`, which
//! `scripts/format/generate.py` produces with CPython.

use super::*;
use crate::level::Level;
use OwnedValue::{Bool, Float, Int, Str};

type V = OwnedValue;

fn fields() -> Fields {
    Fields::default()
}

fn record<'a>(fields: &'a Fields, message: &'a str) -> Record<'a> {
    Record {
        name: "app.db",
        level: Level::INFO,
        message,
        event_message: message,
        fields,
        span_fields: &record::NO_FIELDS,
        spans: "",
        pathname: "src/net/conn.rs",
        module_path: "app::net::conn",
        lineno: 42,
        func_name: "connect",
        created_ns: 1_732_891_234_123_456_789,
        relative_ns: 5_123_456_789,
        thread_id: 7,
        thread_name: "main",
        process_id: 4242,
        process_name: "MainProcess",
    }
}

fn options(format: &str, style: Style) -> FormatterOptions<'_> {
    FormatterOptions {
        format: Some(format),
        datefmt: None,
        style,
        validate: true,
        defaults: Vec::new(),
        escape_control: true,
        escape_newlines: false,
    }
}

fn compile(format: &str, style: Style, defaults: &[(&str, V)]) -> Result<Formatter, FormatError> {
    compile_v(format, style, defaults, true)
}

fn compile_v(
    format: &str,
    style: Style,
    defaults: &[(&str, V)],
    validate: bool,
) -> Result<Formatter, FormatError> {
    let mut o = options(format, style);
    o.validate = validate;
    // Python-identical output; escaping has its own tests.
    o.escape_control = false;
    o.defaults = defaults
        .iter()
        .map(|(n, v)| ((*n).to_owned(), v.clone()))
        .collect();
    Formatter::new(o)
}

fn render(f: &Formatter, rec: &Record<'_>) -> String {
    let mut out = Vec::new();
    f.format(rec, &mut out);
    String::from_utf8(out).expect("formatter output is UTF-8")
}

/// Formats `format` with the field `x` set to `v` through `defaults`.
fn with_x(format: &str, style: Style, v: &V) -> String {
    let f = compile_v(format, style, &[("x", v.clone())], false)
        .unwrap_or_else(|e| panic!("{format:?} does not compile: {e}"));
    let fs = fields();
    render(&f, &record(&fs, "hello"))
}

fn check_table(style: Style, cases: &[(String, V, String)]) {
    let mut failures = Vec::new();
    for (format, v, want) in cases {
        let got = with_x(format, style, v);
        if got != *want {
            failures.push(format!("{format:?} with {v:?}: got {got:?}, want {want:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// The `%` and `{` conversion table: a header line, then one case a line,
/// `[style, format, type, value, expected]` (see the generator's docs).
const FORMAT_CASES: &str = include_str!("../../tests/data/format_cases.jsonl");

/// FNV-1a, 64 bits: the generator's hash of the cases.
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// A case's value from its `type` and stored `value` columns.
fn table_value(kind: &str, value: &serde_json::Value) -> Option<V> {
    match kind {
        "int" => value.as_i64().map(Int),
        "bool" => value.as_bool().map(Bool),
        "float" => value.as_str()?.parse().ok().map(Float),
        "str" => value.as_str().map(|s| Str(s.to_owned())),
        _ => None,
    }
}

#[test]
fn percent_and_brace_conversions_match_python() {
    let (header, body) = FORMAT_CASES.split_once('\n').expect("a header line");
    let header: serde_json::Value = serde_json::from_str(header).expect("the header is JSON");
    let hash = format!("{:016x}", fnv1a64(body.as_bytes()));
    assert_eq!(
        header["fnv1a64"].as_str(),
        Some(hash.as_str()),
        "tests/data/format_cases.jsonl differs from what the generator wrote; \
         regenerate it with scripts/format/generate.py"
    );
    let (mut pct, mut brace) = (Vec::new(), Vec::new());
    for (i, line) in body.lines().enumerate() {
        let (style, format, kind, value, want): (
            String,
            String,
            String,
            serde_json::Value,
            String,
        ) = serde_json::from_str(line).unwrap_or_else(|e| panic!("case {}: {e}: {line}", i + 1));
        let v = table_value(&kind, &value)
            .unwrap_or_else(|| panic!("case {}: bad value {value} of type {kind}", i + 1));
        match style.as_str() {
            "%" => pct.push((format, v, want)),
            "{" => brace.push((format, v, want)),
            _ => panic!("case {}: unknown style {style:?}", i + 1),
        }
    }
    assert_eq!(
        header["cases"].as_u64(),
        u64::try_from(pct.len() + brace.len()).ok(),
        "the header's case count"
    );
    // Every style and value type is there (the table is 1,803 cases today).
    assert!(
        pct.len() > 800 && brace.len() > 900,
        "{} and {} cases",
        pct.len(),
        brace.len()
    );
    check_table(Style::Percent, &pct);
    check_table(Style::Brace, &brace);
}

fn one(format: &str, style: Style) -> String {
    let f = compile(format, style, &[]).unwrap_or_else(|e| panic!("{format:?}: {e}"));
    let fs = fields();
    render(&f, &record(&fs, "hello"))
}

#[test]
fn attributes_match_python() {
    // logging.Formatter(FMT).format(r) for a LogRecord with the same values
    // (created = ns / 1e9, msecs = (ns % 10**9) // 10**6 + 0.0).
    let cases = [
        (
            "%(name)s|%(levelno)d|%(levelname)-8s|%(message)s",
            "app.db|20|INFO    |hello",
        ),
        (
            "%(created)s %(created)f %(created).3f",
            "1732891234.1234567 1732891234.123457 1732891234.123",
        ),
        ("%(msecs)s %(msecs)03d %(msecs)d", "123.0 123 123"),
        (
            "%(relativeCreated)s %(relativeCreated)d %(relativeCreated).1f",
            "5123.456789 5123 5123.5",
        ),
        (
            "%(pathname)s %(filename)s %(module)s %(lineno)d %(lineno)-4s|",
            "src/net/conn.rs conn.rs conn 42 42  |",
        ),
        (
            "%(funcName)s %(thread)d %(threadName)s %(process)d %(processName)s %(taskName)s",
            "connect 7 main 4242 MainProcess None",
        ),
        (
            "%(levelno)r %(levelname)r %(message)r %(taskName)r",
            "20 'INFO' 'hello' None",
        ),
        ("100%% %(message)s %%", "100% hello %"),
    ];
    for (format, want) in cases {
        assert_eq!(one(format, Style::Percent), want, "{format}");
    }
    // logging.Formatter(FMT, style='{').format(r)
    assert_eq!(
        one(
            "{name} {levelno:>4} {levelname:^9} {message!r} {created} {msecs:03.0f} {lineno:_} {taskName}",
            Style::Brace
        ),
        "app.db   20   INFO    'hello' 1732891234.1234567 123 42 None"
    );
    assert_eq!(
        one("{created:.2f} {relativeCreated:,.1f}", Style::Brace),
        "1732891234.12 5,123.5"
    );
    // logging.Formatter(FMT, style='$').format(r)
    assert_eq!(
        one(
            "$name ${levelname}: $message $$ ${lineno}x $taskName $created",
            Style::Dollar
        ),
        "app.db INFO: hello $ 42x None 1732891234.1234567"
    );
    assert_eq!(one("${message}s$levelno", Style::Dollar), "hellos20");
}

#[test]
fn unnamed_level_and_derived_names() {
    let f = compile("%(levelname)s %(levelno)d %(module)s", Style::Percent, &[]).expect("compiles");
    let fs = fields();
    let mut rec = record(&fs, "m");
    rec.level = Level::from_number(15);
    rec.module_path = "";
    rec.pathname = "C:\\src\\main.rs";
    // logging.getLevelName(15) == 'Level 15'; module falls back to the file stem.
    assert_eq!(render(&f, &rec), "Level 15 15 main");
    assert_eq!(basename("a/b/c.rs"), "c.rs");
    assert_eq!(module_name("", ".bashrc"), ".bashrc"); // os.path.splitext('.bashrc')[0]
    assert_eq!(module_name("", "x/a.b.rs"), "a.b"); // os.path.splitext('a.b.rs')[0]
    assert_eq!(module_name("top", ""), "top");
}

#[test]
fn string_repr_and_ascii_match_python() {
    // ('%r' % s, '%a' % s)
    let cases = [
        ("it's", "\"it's\"", "\"it's\""),
        ("say \"hi\"", "'say \"hi\"'", "'say \"hi\"'"),
        ("both ' and \"", "'both \\' and \"'", "'both \\' and \"'"),
        (
            "tab\there\nnl\r\\",
            "'tab\\there\\nnl\\r\\\\'",
            "'tab\\there\\nnl\\r\\\\'",
        ),
        (
            "esc\x1b[31m del\x7f c1\u{9b} nb\u{a0} zw\u{200b} é 日本 😀",
            "'esc\\x1b[31m del\\x7f c1\\x9b nb\\xa0 zw\\u200b é 日本 😀'",
            "'esc\\x1b[31m del\\x7f c1\\x9b nb\\xa0 zw\\u200b \\xe9 \\u65e5\\u672c \\U0001f600'",
        ),
        ("", "''", "''"),
    ];
    for (s, repr, ascii) in cases {
        let v = Str(s.into());
        assert_eq!(with_x("%(x)r", Style::Percent, &v), repr);
        assert_eq!(with_x("%(x)a", Style::Percent, &v), ascii);
        assert_eq!(with_x("{x!r}", Style::Brace, &v), repr);
        assert_eq!(with_x("{x!a}", Style::Brace, &v), ascii);
    }
}

#[test]
fn width_and_precision_count_characters() {
    let cases = [
        ("%(x)-10s|", "héllo", "héllo     |"), // '%(x)-10s|' % {'x': 'héllo'}
        ("%(x)10s|", "日本語", "       日本語|"), // '%(x)10s|' % {'x': '日本語'}
        ("%(x).3s|", "日本語テキスト", "日本語|"), // '%(x).3s|' % {'x': '日本語テキスト'}
        ("%(x)-6.2s|", "éééxx", "éé    |"),    // '%(x)-6.2s|' % {'x': 'éééxx'}
    ];
    for (format, s, want) in cases {
        assert_eq!(with_x(format, Style::Percent, &Str(s.into())), want);
    }
    // '{x:^7}|'.format(x='日本'), '{x:é^7.1}|'.format(x='日本')
    assert_eq!(
        with_x("{x:^7}|", Style::Brace, &Str("日本".into())),
        "  日本   |"
    );
    assert_eq!(
        with_x("{x:é^7.1}|", Style::Brace, &Str("日本".into())),
        "ééé日ééé|"
    );
}

#[test]
fn dollar_forms_match_python() {
    // string.Template(FMT).substitute(x='V', x_1='W', xb='XB')
    let defaults = [
        ("x", Str("V".into())),
        ("x_1", Str("W".into())),
        ("xb", Str("XB".into())),
    ];
    let cases = [
        ("$x", "V"),
        ("${x}", "V"),
        ("$$x", "$x"),
        ("$x$x", "VV"),
        ("a$xb ${x}b", "aXB Vb"),
        ("$x_1", "W"),
    ];
    let fs = fields();
    for (format, want) in cases {
        let f = compile_v(format, Style::Dollar, &defaults, false).expect("compiles");
        assert_eq!(render(&f, &record(&fs, "m")), want, "{format}");
    }
}

#[test]
fn default_formatter_and_default_formats() {
    let fs = fields();
    let rec = record(&fs, "plain message");
    // logging._defaultFormatter.format(r)
    assert_eq!(
        render(&Formatter::default_formatter(), &rec),
        "plain message"
    );
    for style in [Style::Percent, Style::Brace, Style::Dollar] {
        for format in [None, Some("")] {
            let mut o = options("", style);
            o.format = format;
            let f = Formatter::new(o).expect("default format compiles");
            assert_eq!(render(&f, &rec), "plain message");
            // A text formatter prints `%(message)s` with the fields.
            assert_eq!(f.needs(), Needs::FIELD_TEXT);
        }
    }
    // The default formatter escapes control characters too.
    let rec = record(&fs, "a\x1b[2Jb");
    assert_eq!(render(&Formatter::default_formatter(), &rec), "a\\x1b[2Jb");
}

#[test]
fn fields_defaults_and_precedence() {
    let defaults = [
        ("user", Str("-".into())),
        ("n", Int(0)),
        ("message", Str("never".into())),
    ];
    let f = compile(
        "%(message)s user=%(user)s n=%(n)d",
        Style::Percent,
        &defaults,
    )
    .expect("compiles");
    let mut fs = fields();
    // A field the event did not record renders its default.
    assert_eq!(render(&f, &record(&fs, "hi")), "hi user=- n=0");
    fs.push_str("user", "alice");
    fs.push("n", FieldValue::U64(7));
    // An attribute wins over a default of the same name; fields over defaults.
    assert_eq!(render(&f, &record(&fs, "hi")), "hi user=alice n=7");
    // A string where `%d` expects a number prints as `%s` would.
    fs.clear();
    fs.push_str("n", "seven");
    assert_eq!(render(&f, &record(&fs, "hi")), "hi user=- n=seven");

    let f = compile(
        "{flag} {ratio} {count:>4}",
        Style::Brace,
        &[
            ("flag", Bool(false)),
            ("ratio", Float(0.0)),
            ("count", Int(0)),
        ],
    )
    .expect("compiles");
    fs.clear();
    fs.push("flag", FieldValue::Bool(true));
    fs.push("ratio", FieldValue::F64(1e-5));
    fs.push("count", FieldValue::I64(-12));
    // '{flag} {ratio} {count:>4}'.format(flag=True, ratio=1e-5, count=-12)
    assert_eq!(render(&f, &record(&fs, "")), "True 1e-05  -12");
}

#[test]
fn needs_follow_the_format() {
    // Every text formatter needs the fields' ` key=value` text.
    let f = compile("%(funcName)s", Style::Percent, &[]).expect("compiles");
    assert_eq!(f.needs(), Needs::FUNC_NAME.union(Needs::FIELD_TEXT));
    let f = compile("{threadName} {thread}", Style::Brace, &[]).expect("compiles");
    assert_eq!(f.needs(), Needs::THREAD.union(Needs::FIELD_TEXT));
    let f = compile("$funcName $thread", Style::Dollar, &[]).expect("compiles");
    assert!(f.needs().contains(Needs::FUNC_NAME.union(Needs::THREAD)));
    let f = compile("%(message)s", Style::Percent, &[]).expect("compiles");
    assert_eq!(f.needs(), Needs::FIELD_TEXT);
}

fn error(format: &str, style: Style) -> FormatError {
    match compile(format, style, &[("x", Int(1))]) {
        Ok(_) => panic!("{format:?} compiled"),
        Err(e) => e,
    }
}

#[test]
fn load_errors() {
    use Style::{Brace, Dollar, Percent};
    // (style, format, message, offset); Python's wording is in the comment.
    let cases: &[(Style, &str, &str, Option<usize>)] = &[
        // Invalid format 'hello' for '%' style
        (
            Percent,
            "hello",
            "invalid format `hello` for `%` style",
            None,
        ),
        // Invalid format '%(x)ld' for '%' style
        (
            Percent,
            "%(x)ld",
            "invalid format `%(x)ld` for `%` style",
            None,
        ),
        (
            Percent,
            "%s",
            "positional conversion `%s` is not supported",
            Some(0),
        ),
        (
            Percent,
            "a %-5d",
            "positional conversion `%-5d` is not supported",
            Some(2),
        ),
        (
            Percent,
            "%(x)*d",
            "`*` widths and precisions are not supported",
            Some(4),
        ),
        (
            Percent,
            "%(x).*f",
            "`*` widths and precisions are not supported",
            Some(5),
        ),
        (Percent, "%(x", "incomplete format key", Some(0)),
        (Percent, "%(x)", "incomplete format", Some(0)),
        (Percent, "%", "incomplete format", Some(0)),
        (
            Percent,
            "%(x)y",
            "unsupported format character `y`",
            Some(4),
        ),
        (
            Percent,
            "%(x)%",
            "unsupported format character `%`",
            Some(4),
        ),
        (
            Percent,
            "%(levelnme)s",
            "unknown attribute `levelnme`",
            Some(0),
        ),
        (
            Percent,
            "%(levelname)d",
            "`%d` needs a number but `levelname` is a string",
            Some(0),
        ),
        (
            Percent,
            "%(taskName)f",
            "`%f` needs a number but `taskName` is always None",
            Some(0),
        ),
        (
            Percent,
            "%(created)x",
            "`%x` needs an integer but `created` is a float",
            Some(0),
        ),
        // invalid format: no fields
        (Brace, "hello", "invalid format: no fields", None),
        (
            Brace,
            "{}",
            "positional field `{}` is not supported",
            Some(0),
        ),
        (
            Brace,
            "{0}",
            "positional field `{0}` is not supported",
            Some(0),
        ),
        (
            Brace,
            "{x.real}",
            "attribute and index access `{x.real}` is not supported",
            Some(0),
        ),
        (
            Brace,
            "{x[0]}",
            "attribute and index access `{x[0]}` is not supported",
            Some(0),
        ),
        // invalid format: invalid conversion: 'q'
        (
            Brace,
            "{x!q}",
            "invalid format: invalid conversion `q`",
            Some(0),
        ),
        (Brace, "{x!}", "missing conversion after `!`", Some(0)),
        (
            Brace,
            "{x!rr}",
            "expected `:` after conversion specifier",
            Some(0),
        ),
        // invalid format: expected '}' before end of string
        (
            Brace,
            "a {x",
            "invalid format: expected `}` before end of string",
            Some(2),
        ),
        // invalid format: Single '}' encountered in format string
        (
            Brace,
            "x}",
            "invalid format: single `}` encountered in format string",
            Some(1),
        ),
        // invalid format: bad specifier: 'z.1f'
        (
            Brace,
            "{x:z.1f}",
            "invalid format: bad specifier `z.1f`",
            Some(0),
        ),
        (
            Brace,
            "{x:{w}}",
            "nested fields in a format spec are not supported",
            Some(0),
        ),
        (Brace, "{x:q}", "unknown format code `q`", Some(0)),
        (
            Brace,
            "{x:5.}",
            "format specifier missing precision",
            Some(0),
        ),
        (Brace, "{x:,x}", "cannot specify `,` with `x`", Some(0)),
        (
            Brace,
            "{x:.2d}",
            "precision not allowed in integer format specifier",
            Some(0),
        ),
        (Brace, "{x:ss}", "invalid format specifier `ss`", Some(0)),
        (Brace, "{x-y}", "invalid field name `x-y`", Some(0)),
        (Brace, "{mesage}", "unknown attribute `mesage`", Some(0)),
        // format('INFO', 'd'): Unknown format code 'd' for object of type 'str'
        (
            Brace,
            "{levelname:d}",
            "`levelname` is a string and cannot take type `d` (`d`)",
            Some(0),
        ),
        // format('INFO', '=5'): '=' alignment not allowed in string format specifier
        (
            Brace,
            "a{message:=5}",
            "`message` is a string and cannot take `=` alignment (`=5`)",
            Some(1),
        ),
        (
            Brace,
            "{asctime:+}",
            "`asctime` is a string and cannot take a sign (`+`)",
            Some(0),
        ),
        (
            Brace,
            "{levelno!r:,}",
            "`levelno` is a string and cannot take a grouping (`,`)",
            Some(0),
        ),
        // format(None, '>5'): unsupported format string passed to NoneType.__format__
        (
            Brace,
            "{taskName:>5}",
            "`taskName` is always None and cannot take a format spec (`>5`)",
            Some(0),
        ),
        // format(5, '.2'): Precision not allowed in integer format specifier
        (
            Brace,
            "{lineno:.2}",
            "`lineno` is an integer and cannot take a precision without a float type (`.2`)",
            Some(0),
        ),
        // format(5, 's'): Unknown format code 's' for object of type 'int'
        (
            Brace,
            "{lineno:s}",
            "`lineno` is an integer and cannot take type `s` (`s`)",
            Some(0),
        ),
        // format(5.0, 'd'): Unknown format code 'd' for object of type 'float'
        (
            Brace,
            "{created:d}",
            "`created` is a float and cannot take type `d` (`d`)",
            Some(0),
        ),
        // invalid format: no fields
        (Dollar, "hello $$", "invalid format: no fields", None),
        // invalid format: bare '$' not allowed
        (
            Dollar,
            "$ x",
            "invalid format: bare `$` not allowed",
            Some(0),
        ),
        (
            Dollar,
            "a $1",
            "invalid format: bare `$` not allowed",
            Some(2),
        ),
        (
            Dollar,
            "${x",
            "invalid format: bare `$` not allowed",
            Some(0),
        ),
        (Dollar, "$", "invalid format: bare `$` not allowed", Some(0)),
        (Dollar, "$lineNo", "unknown attribute `lineNo`", Some(0)),
    ];
    for (style, format, message, offset) in cases {
        let e = error(format, *style);
        assert_eq!(e.message, *message, "{format:?}");
        assert_eq!(e.offset, *offset, "{format:?}");
    }
    assert_eq!(
        error("%(levelnme)s", Percent).help.as_deref(),
        Some("did you mean `levelname`?")
    );
    assert_eq!(
        error("$lineNo", Dollar).help.as_deref(),
        Some("did you mean `lineno`?")
    );
    assert_eq!(
        error("{mesage}", Brace).to_string(),
        "unknown attribute `mesage`; did you mean `message`?"
    );
    let e = error("%(request_id)s", Percent);
    assert_eq!(
        e.help.as_deref(),
        Some(
            "`request_id` is not a record attribute; to print an event field of that name, \
             give it a value under the formatter's `defaults`"
        )
    );
    // A default name is suggested too.
    let e = compile("%(usr)s", Percent, &[("user", Str(String::new()))]).expect_err("typo");
    assert_eq!(e.help.as_deref(), Some("did you mean `user`?"));
}

#[test]
fn validate_false_skips_the_field_check() {
    let fs = fields();
    for style in [Style::Percent, Style::Brace, Style::Dollar] {
        let f = compile_v("no fields here", style, &[], false).expect("compiles");
        assert_eq!(render(&f, &record(&fs, "m")), "no fields here");
    }
    // '%(x)u' passes Python's validation; z passes only without it.
    assert!(compile("%(x)u", Style::Percent, &[("x", Int(1))]).is_ok());
    // format(-0.04, 'z.1f')
    assert_eq!(with_x("{x:z.1f}", Style::Brace, &Float(-0.04)), "0.0");
    // Syntax errors stay errors.
    assert!(compile_v("%(x", Style::Percent, &[], false).is_err());
    assert!(compile_v("x}", Style::Brace, &[], false).is_err());
    assert!(compile_v("$", Style::Dollar, &[], false).is_err());
}

fn timed(format: &str, style: Style, datefmt: Option<&str>) -> Result<String, FormatError> {
    let mut o = options(format, style);
    o.datefmt = datefmt;
    let mut f = Formatter::new(o)?;
    f.set_time_zone(jiff::tz::TimeZone::fixed(jiff::tz::offset(-5)));
    let fs = fields();
    Ok(render(&f, &record(&fs, "hello")))
}

#[test]
fn asctime_default_and_datefmt() {
    // TZ=EST5: logging.Formatter('%(asctime)s|%(message)s', datefmt=D).format(r)
    let cases = [
        (None, "2024-11-29 09:40:34,123|hello"),
        (Some(""), "2024-11-29 09:40:34,123|hello"),
        (
            Some("%Y-%m-%dT%H:%M:%S%z"),
            "2024-11-29T09:40:34-0500|hello",
        ),
        (Some("%c"), "Fri Nov 29 09:40:34 2024|hello"),
        (Some("%x %X %p"), "11/29/24 09:40:34 AM|hello"),
        (
            Some("%a %A %b %B %d %e %j %U %W %y %I"),
            "Fri Friday Nov November 29 29 334 47 48 24 09|hello",
        ),
        (
            Some("%D %T %R %u %w %G-W%V %h %C %%"),
            "11/29/24 09:40:34 09:40 5 5 2024-W48 Nov 20 %|hello",
        ),
    ];
    for (datefmt, want) in cases {
        let got = timed("%(asctime)s|%(message)s", Style::Percent, datefmt).expect("compiles");
        assert_eq!(got, want, "{datefmt:?}");
    }
    // logging.Formatter('{asctime!r}', style='{').format(r)
    assert_eq!(
        timed("{asctime!r}", Style::Brace, None).expect("compiles"),
        "'2024-11-29 09:40:34,123'"
    );
    // The system zone: only the shape can be checked.
    let f = compile("%(asctime)s", Style::Percent, &[]).expect("compiles");
    let fs = fields();
    let text = render(&f, &record(&fs, ""));
    assert_eq!(text.len(), 23, "{text}");
    assert!(text.ends_with(",123"), "{text}");
    assert_eq!(text.as_bytes()[4], b'-');
    // The cache serves the same second twice, and a new second afterwards.
    let mut f = compile("%(asctime)s", Style::Percent, &[]).expect("compiles");
    f.set_time_zone(jiff::tz::TimeZone::UTC);
    let mut rec = record(&fs, "");
    assert_eq!(render(&f, &rec), "2024-11-29 14:40:34,123");
    rec.created_ns += 800_000_000;
    assert_eq!(render(&f, &rec), "2024-11-29 14:40:34,923");
    rec.created_ns += 200_000_000;
    assert_eq!(render(&f, &rec), "2024-11-29 14:40:35,123");
    // Before the epoch: msecs stay positive, as Python's % does.
    rec.created_ns = -1_500_000_000;
    assert_eq!(render(&f, &rec), "1969-12-31 23:59:58,500");
}

#[test]
fn sub_second_datefmt_is_not_cached() {
    let mut o = options("%(asctime)s", Style::Percent);
    o.datefmt = Some("%H:%M:%S.%3f");
    let mut f = Formatter::new(o).expect("compiles");
    f.set_time_zone(jiff::tz::TimeZone::UTC);
    let fs = fields();
    let mut rec = record(&fs, "");
    assert_eq!(render(&f, &rec), "14:40:34.123");
    rec.created_ns += 500_000_000;
    assert_eq!(render(&f, &rec), "14:40:34.623");
}

#[test]
fn bad_datefmt_is_a_load_error() {
    let e = timed("%(asctime)s", Style::Percent, Some("%Y %J")).expect_err("bad directive");
    assert_eq!(e.message, "cannot format times with datefmt `%Y %J`");
    assert!(e.help.is_some());
    // Not checked when the format does not use asctime (Python never formats it).
    assert!(timed("%(message)s", Style::Percent, Some("%J")).is_ok());
}

fn escaped(format: &str, message: &str, control: bool, newlines: bool) -> String {
    let mut o = options(format, Style::Percent);
    o.escape_control = control;
    o.escape_newlines = newlines;
    o.defaults = vec![("f".into(), Str("-".into()))];
    let f = Formatter::new(o).expect("compiles");
    let mut fs = fields();
    fs.push_str("f", "v\x07\u{9b}31m");
    let mut out = Vec::new();
    f.format(&record(&fs, message), &mut out);
    String::from_utf8(out).expect("UTF-8")
}

#[test]
fn escaping_of_message_and_fields() {
    let msg = "red \x1b[31mX\x1b[0m\ttab\r\nnext\x7f\u{85}é";
    // Default: controls escaped, newline and tab kept, literal text untouched.
    assert_eq!(
        escaped("\x1b%(message)s|%(f)s", msg, true, false),
        "\x1bred \\x1b[31mX\\x1b[0m\ttab\\x0d\nnext\\x7f\\x85é|v\\x07\\x9b31m"
    );
    // Newlines too: one record, one line.
    assert_eq!(
        escaped("%(message)s", msg, true, true),
        "red \\x1b[31mX\\x1b[0m\ttab\\r\\nnext\\x7f\\x85é"
    );
    assert_eq!(escaped("%(message)s", "a\r\nb", false, true), "a\\r\\nb");
    // Off: Python's bytes.
    assert_eq!(
        escaped("%(message)s|%(f)s", msg, false, false),
        format!("{msg}|v\x07\u{9b}31m")
    );
    // Width and precision apply to the escaped text.
    assert_eq!(
        escaped("%(message)-8s|", "\x1bab", true, false),
        "\\x1bab  |"
    );
    assert_eq!(escaped("%(message).5s|", "\x1bab", true, false), "\\x1ba|");
    // Other attributes are not escaped; %c of a control is.
    assert_eq!(with_x("%(x)s", Style::Percent, &Str("\x1b".into())), "\x1b");
    let mut o = options("%(x)c", Style::Percent);
    o.defaults = vec![("x".into(), Int(27))];
    let f = Formatter::new(o).expect("compiles");
    let fs = fields();
    assert_eq!(render(&f, &record(&fs, "")), "\\x1b");
}

#[test]
fn formatter_is_send_sync_debug() {
    fn check<T: Send + Sync + std::fmt::Debug>() {}
    check::<Formatter>();
}

pub(super) mod alloc_count {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    thread_local! {
        static ALLOCS: Cell<usize> = const { Cell::new(0) };
    }

    /// Counts this thread's allocations (a pass-through to `System`).
    pub(super) struct Counting;

    fn bump() {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
    }

    // SAFETY: every call is forwarded unchanged to `System`.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            bump();
            // SAFETY: same contract as ours.
            unsafe { System.alloc(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: same contract as ours.
            unsafe { System.dealloc(ptr, layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            bump();
            // SAFETY: same contract as ours.
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }

    #[global_allocator]
    static GLOBAL: Counting = Counting;

    /// Allocations made by this thread so far.
    pub(in crate::format) fn count() -> usize {
        ALLOCS.with(Cell::get)
    }
}

#[test]
fn steady_state_formatting_does_not_allocate() {
    let formats = [
        (
            Style::Percent,
            "%(asctime)s %(levelname)-8s %(name)s %(module)s:%(lineno)d %(created)f \
             %(msecs)03d %(relativeCreated).1f %(message)r %(user)s %(n)5.2e %(n)#x %(taskName)s",
        ),
        (
            Style::Brace,
            "{asctime} {levelname:^9} {message!r} {user:>8} {n:_} {n:.3e} {created}",
        ),
        (Style::Dollar, "$asctime $levelname $message $user $n"),
    ];
    for (style, format) in formats {
        for datefmt in [None, Some("%c")] {
            let mut o = options(format, style);
            o.datefmt = datefmt;
            o.defaults = vec![("user".into(), Str("-".into())), ("n".into(), Int(0))];
            let f = Formatter::new(o).expect("compiles");
            let mut fs = fields();
            fs.push_str("user", "alice\x1b");
            fs.push("n", FieldValue::I64(123_456));
            let mut rec = record(&fs, "hello \x1b[1m world");
            rec.level = Level::from_number(15);
            let mut out = Vec::with_capacity(4096);
            f.format(&rec, &mut out);
            let before = alloc_count::count();
            for i in 0..100 {
                out.clear();
                rec.created_ns += i * 1_000_000;
                f.format(&rec, &mut out);
            }
            let allocs = alloc_count::count() - before;
            assert_eq!(allocs, 0, "{format} {datefmt:?}");
        }
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn any_style() -> impl Strategy<Value = Style> {
        prop_oneof![
            Just(Style::Percent),
            Just(Style::Brace),
            Just(Style::Dollar)
        ]
    }

    fn any_value() -> impl Strategy<Value = V> {
        prop_oneof![
            any::<String>().prop_map(Str),
            "[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}a-zé日 ]{0,8}".prop_map(Str),
            any::<i64>().prop_map(Int),
            any::<f64>().prop_map(Float),
            any::<bool>().prop_map(Bool),
        ]
    }

    fn percent_field() -> impl Strategy<Value = String> {
        (
            prop::sample::select(vec![
                "message",
                "x",
                "levelname",
                "levelno",
                "created",
                "msecs",
                "lineno",
                "asctime",
                "taskName",
                "name",
            ]),
            "[-+ #0]{0,3}[0-9]{0,3}(\\.[0-9]{0,3})?l?[diouxXeEfFgGcrsa]",
        )
            .prop_map(|(name, spec)| format!("%({name}){spec}"))
    }

    fn brace_field() -> impl Strategy<Value = String> {
        (
            prop::sample::select(vec![
                "message",
                "x",
                "levelname",
                "levelno",
                "created",
                "msecs",
                "asctime",
                "taskName",
            ]),
            "(![rsa])?",
            "(:(.?[<>=^])?[-+ ]?#?0?[0-9]{0,3}[,_]?(\\.[0-9]{1,3})?[bcdeEfFgGnosxX%]?)?",
        )
            .prop_map(|(name, conv, spec)| format!("{{{name}{conv}{spec}}}"))
    }

    fn record_for<'a>(fs: &'a Fields, msg: &'a str, created: i64, level: u32) -> Record<'a> {
        let mut rec = record(fs, msg);
        rec.created_ns = i128::from(created);
        rec.level = Level::from_number(level);
        rec
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn any_format_compiles_or_errors(
            style in any_style(),
            text in prop_oneof![any::<String>(), "[%(){}$a-z0-9.#+ *!:<>=^_,lh-]{0,40}"],
            validate in any::<bool>(),
        ) {
            if let Err(e) = compile_v(&text, style, &[("x", Int(1))], validate) {
                prop_assert!(!e.message.is_empty());
                prop_assert!(!e.message.ends_with('.'));
                if let Some(offset) = e.offset {
                    prop_assert!(offset <= text.len());
                }
            }
        }

        #[test]
        fn compiled_formats_render_any_record(
            pieces in prop::collection::vec(
                prop_oneof![percent_field(), "[a-z %|]{0,4}".prop_map(|s| s.replace('%', "%%"))],
                1..6,
            ),
            braces in prop::collection::vec(brace_field(), 1..4),
            default in any_value(),
            field in prop::option::of(any_value()),
            msg in any::<String>(),
            created in any::<i64>(),
            level in any::<u32>(),
            control in any::<bool>(),
            newlines in any::<bool>(),
        ) {
            let mut fs = fields();
            if let Some(v) = &field {
                fs.push("x", v.as_field());
            }
            let rec = record_for(&fs, &msg, created, level);
            for (style, format) in [
                (Style::Percent, pieces.concat()),
                (Style::Brace, braces.concat()),
            ] {
                let mut o = options(&format, style);
                o.validate = false;
                o.escape_control = control;
                o.escape_newlines = newlines;
                o.defaults = vec![("x".into(), default.clone())];
                if let Ok(f) = Formatter::new(o) {
                    let mut out = Vec::new();
                    f.format(&rec, &mut out);
                    prop_assert!(std::str::from_utf8(&out).is_ok());
                    if control && !format.contains('\x1b') {
                        prop_assert!(!out.contains(&0x1b));
                    }
                }
            }
        }
    }
}

#[test]
fn alternate_form_of_the_repr_float() {
    // '{x:#}'.format(x=1e300), '{x: #17}'.format(x=-1e-300), '{x:#}'.format(x=1e16)
    assert_eq!(with_x("{x:#}", Style::Brace, &Float(1e300)), "1.e+300");
    assert_eq!(
        with_x("{x: #17}", Style::Brace, &Float(-1e-300)),
        "         -1.e-300"
    );
    assert_eq!(with_x("{x:#}", Style::Brace, &Float(1e16)), "1.e+16");
    // '{x:#}'.format(x=2.5), '{x:#.3}'.format(x=1.0)
    assert_eq!(with_x("{x:#}", Style::Brace, &Float(2.5)), "2.5");
    assert_eq!(with_x("{x:#.3}", Style::Brace, &Float(1.0)), "1.00");
}

/// A field the format names is left out of its `%(message)s`; the others
/// stay; a format naming no field prints the message as recorded.
#[test]
fn named_fields_leave_the_message() {
    // As the subscriber lays it out for `info!(user = "bob", n = 3, "login")`.
    let message = "login user=\"bob\" n=3";
    let mut fs = fields();
    fs.push_str("user", "bob");
    fs.push("n", FieldValue::I64(3));
    fs.set_message_layout(5, 5, 0, &[("user", 0, 11), ("n", 11, 15)]);
    let rec = record(&fs, message);
    let user = compile(
        "%(user)s|%(message)s",
        Style::Percent,
        &[("user", Str("-".into()))],
    )
    .expect("compiles");
    assert_eq!(render(&user, &rec), "bob|login n=3");
    let both = compile(
        "{message!r:>12} {n}",
        Style::Brace,
        &[("user", Str("-".into())), ("n", Int(0))],
    )
    .expect("compiles");
    // `user` is a default the format does not name: it stays in the message.
    assert_eq!(render(&both, &rec), "'login user=\"bob\"' 3");
    let plain = compile("%(message)s", Style::Percent, &[]).expect("compiles");
    assert_eq!(render(&plain, &rec), message);

    // An empty message: the first field kept loses its leading space.
    let message = "user=\"bob\" n=3";
    let mut fs = fields();
    fs.push_str("user", "bob");
    fs.push("n", FieldValue::I64(3));
    fs.set_message_layout(0, 0, 1, &[("user", 0, 11), ("n", 11, 15)]);
    let rec = record(&fs, message);
    assert_eq!(render(&user, &rec), "bob|n=3");
    let dollar = compile("$n:$message", Style::Dollar, &[("n", Int(0))]).expect("compiles");
    assert_eq!(render(&dollar, &rec), "3:user=\"bob\"");
}
