//! The JSON formatter classes' parse steps: each reads the keys the module
//! documentation lists for its shape (through [`Args`], so every problem is
//! placed), builds the [`JsonFormatter`], and places a [`JsonError`] at the
//! key, mapping key or list item it names.

use std::sync::Arc;

use super::{
    EcsOptions, JsonError, JsonFormatter, JsonOptions, NativeOptions, PYTHON_JSON_UNSUPPORTED,
    PyFmt, PyStyle, PyTimestamp, PythonJsonOptions, StaticValue,
};
use crate::args::{self, Args, show};
use crate::format::class::{FormatterClass, RecordFormat};
use crate::format::{Needs, Record};
use crate::tree::{Node, Value};

impl RecordFormat for JsonFormatter {
    fn format(&self, record: &Record<'_>, out: &mut Vec<u8>) {
        JsonFormatter::format(self, record, out);
    }

    fn needs(&self) -> Needs {
        JsonFormatter::needs(self)
    }
}

/// The keys of both python-json-logger class names.
const PYTHON_KEYS: &[&str] = &[
    "fmt",
    "format",
    "datefmt",
    "style",
    "validate",
    "defaults",
    "prefix",
    "rename_fields",
    "rename_fields_keep_missing",
    "static_fields",
    "reserved_attrs",
    "timestamp",
    "json_ensure_ascii",
    "exc_info_as_array",
    "stack_info_as_array",
    "json_indent",
    "json_default",
    "json_encoder",
    "json_serializer",
];

/// `pythonjsonlogger.json.JsonFormatter` (python-json-logger 3 and 4).
pub(crate) const PYTHON_JSON: FormatterClass = FormatterClass {
    name: "pythonjsonlogger.json.JsonFormatter",
    keys: PYTHON_KEYS,
    parse: parse_python,
};

/// `pythonjsonlogger.jsonlogger.JsonFormatter`: the deprecated name of the
/// same class.
pub(crate) const PYTHON_JSON_LEGACY: FormatterClass = FormatterClass {
    name: "pythonjsonlogger.jsonlogger.JsonFormatter",
    keys: PYTHON_KEYS,
    parse: parse_python,
};

/// `ecs_logging.StdlibFormatter`.
pub(crate) const ECS: FormatterClass = FormatterClass {
    name: "ecs_logging.StdlibFormatter",
    keys: &[
        "fmt",
        "format",
        "datefmt",
        "style",
        "validate",
        "stack_trace_limit",
        "exclude_fields",
        "extra",
        "ensure_ascii",
    ],
    parse: parse_ecs,
};

/// `logconf.JsonFormatter`: tracing-subscriber's JSON shape.
pub(crate) const NATIVE: FormatterClass = FormatterClass {
    name: "logconf.JsonFormatter",
    keys: &[
        "flatten_event",
        "with_timestamp",
        "with_level",
        "with_target",
        "with_file",
        "with_line_number",
        "with_current_span",
        "with_span_list",
        "with_thread_names",
        "with_thread_ids",
        "rename_fields",
        "exclude_fields",
        "static_fields",
        "ensure_ascii",
    ],
    parse: parse_native,
};

/// `fmt:` or its other spelling `format:` (dictConfig retries a factory
/// that rejects `format` with `fmt`); both at once is a problem. Returns
/// the key used.
fn fmt_key(args: &mut Args<'_, '_>) -> &'static str {
    match (args.get("fmt"), args.get("format")) {
        (Some(_), Some(_)) => {
            args.report(
                "format",
                "both `fmt` and `format` are given".to_owned(),
                Some("keep one of them (they are the same setting)".to_owned()),
            );
            "fmt"
        }
        (None, Some(_)) => "format",
        _ => "fmt",
    }
}

fn parse_python(args: &mut Args<'_, '_>) -> Option<Arc<dyn RecordFormat>> {
    for (key, reason) in PYTHON_JSON_UNSUPPORTED {
        if args.get(key).is_some() {
            args.report(
                key,
                format!("`{key}` is not supported"),
                Some((*reason).to_owned()),
            );
        }
    }
    let fmt_key = fmt_key(args);
    let fmt = match args.get(fmt_key) {
        None => None,
        Some(e) => match &e.value.value {
            Value::Seq(_) => string_list(args, fmt_key).map(PyFmt::List),
            _ => args.string(fmt_key).map(PyFmt::Text),
        },
    };
    let style = args
        .choice(
            "style",
            "unknown style",
            &[
                ("%", PyStyle::Percent),
                ("{", PyStyle::Brace),
                ("$", PyStyle::Dollar),
                (",", PyStyle::Comma),
            ],
        )
        .unwrap_or_default();
    let timestamp = match args.get("timestamp") {
        None => PyTimestamp::Off,
        Some(e) => match &e.value.value {
            // python-json-logger tests the value's truth, then uses a
            // string as the key.
            Value::Str(s) if s.is_empty() => PyTimestamp::Off,
            Value::Str(s) => PyTimestamp::Key(s.clone()),
            Value::Bool(true) => PyTimestamp::On,
            Value::Bool(false) => PyTimestamp::Off,
            Value::Int(n) if *n != 0 => PyTimestamp::On,
            Value::Int(_) => PyTimestamp::Off,
            other => {
                let message = format!("expected a boolean or a key name, found {}", other.kind());
                args.report("timestamp", message, None);
                PyTimestamp::Off
            }
        },
    };
    let reserved_attrs = args
        .get("reserved_attrs")
        .and_then(|_| string_list(args, "reserved_attrs"));
    let _ = args.truthy("exc_info_as_array", false);
    let _ = args.truthy("stack_info_as_array", false);
    let options = PythonJsonOptions {
        fmt,
        datefmt: args.string("datefmt"),
        style,
        validate: args.truthy("validate", true),
        prefix: args.string("prefix").unwrap_or("").to_owned(),
        rename_fields: renames(args, "rename_fields"),
        rename_fields_keep_missing: args.truthy("rename_fields_keep_missing", false),
        static_fields: statics(args, "static_fields"),
        reserved_attrs,
        timestamp,
        defaults: statics(args, "defaults"),
        json_ensure_ascii: args.truthy("json_ensure_ascii", true),
    };
    build(args, JsonOptions::PythonJson(options), fmt_key)
}

fn parse_ecs(args: &mut Args<'_, '_>) -> Option<Arc<dyn RecordFormat>> {
    // Accepted as ecs-logging accepts them, and unused.
    let fmt_key = fmt_key(args);
    let _ = args.string(fmt_key);
    let _ = args.string("datefmt");
    let _ = args.choice("style", "unknown style", &[("%", ()), ("{", ()), ("$", ())]);
    let _ = args.truthy("validate", true);
    let _ = args.count("stack_trace_limit", u64::MAX);
    let options = EcsOptions {
        exclude_fields: strings_or_empty(args, "exclude_fields"),
        extra: statics(args, "extra"),
        ensure_ascii: args.truthy("ensure_ascii", true),
    };
    build(args, JsonOptions::Ecs(options), fmt_key)
}

fn parse_native(args: &mut Args<'_, '_>) -> Option<Arc<dyn RecordFormat>> {
    let options = NativeOptions {
        flatten_event: args.truthy("flatten_event", false),
        with_timestamp: args.truthy("with_timestamp", true),
        with_level: args.truthy("with_level", true),
        with_target: args.truthy("with_target", true),
        with_file: args.truthy("with_file", false),
        with_line_number: args.truthy("with_line_number", false),
        with_current_span: args.truthy("with_current_span", true),
        with_span_list: args.truthy("with_span_list", true),
        with_thread_names: args.truthy("with_thread_names", false),
        with_thread_ids: args.truthy("with_thread_ids", false),
        rename_fields: renames(args, "rename_fields"),
        exclude_fields: strings_or_empty(args, "exclude_fields"),
        static_fields: statics(args, "static_fields"),
        ensure_ascii: args.truthy("ensure_ascii", false),
    };
    build(args, JsonOptions::Native(options), "fmt")
}

/// Compiles the options once every key read cleanly; a [`JsonError`] is
/// reported where it points.
fn build(
    args: &mut Args<'_, '_>,
    options: JsonOptions<'_>,
    fmt_key: &'static str,
) -> Option<Arc<dyn RecordFormat>> {
    if args.failed() {
        return None;
    }
    match JsonFormatter::new(options) {
        Ok(formatter) => Some(Arc::new(formatter)),
        Err(err) => {
            report_json_error(args, err, fmt_key);
            None
        }
    }
}

/// Reports `err` at the mapping key or list item it names inside its
/// option, else at the option's value, else at the formatter.
fn report_json_error(args: &mut Args<'_, '_>, err: JsonError, fmt_key: &'static str) {
    let option = if err.option == "fmt" {
        fmt_key
    } else {
        err.option
    };
    let Some(found) = args.get(option) else {
        args.report_at(args.pos(), "", err.message, err.help);
        return;
    };
    let option_path = args.key_path(option);
    let place = err
        .entry
        .as_deref()
        .and_then(|entry| match &found.value.value {
            Value::Map(map) => map.iter().find_map(|(k, _)| match &k.value {
                Value::Str(s) if s == entry => Some((k.pos, args::join(&option_path, s))),
                _ => None,
            }),
            Value::Seq(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, item)| match &item.value {
                    Value::Str(s) if s == entry => Some((item.pos, args::index(&option_path, i))),
                    _ => None,
                }),
            _ => None,
        });
    let (pos, path) = place.unwrap_or((found.value.pos, option_path));
    args.report_at_path(pos, &path, err.message, err.help);
}

/// A list of strings under `key` (absent: `None`).
fn string_list(args: &mut Args<'_, '_>, key: &str) -> Option<Vec<String>> {
    let e = args.get(key)?;
    let Value::Seq(items) = &e.value.value else {
        let message = format!("expected a list of strings, found {}", e.value.value.kind());
        args.report(key, message, None);
        return None;
    };
    let path = args.key_path(key);
    let mut out = Vec::with_capacity(items.len());
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        match &item.value {
            Value::Str(s) => out.push(s.clone()),
            other => {
                let message = format!("expected a string, found {}", other.kind());
                args.report_at_path(item.pos, &args::index(&path, i), message, None);
                ok = false;
            }
        }
    }
    ok.then_some(out)
}

/// A list of strings under `key`, empty when absent.
fn strings_or_empty(args: &mut Args<'_, '_>, key: &str) -> Vec<String> {
    string_list(args, key).unwrap_or_default()
}

/// A mapping of strings to strings under `key` (`rename_fields`).
fn renames(args: &mut Args<'_, '_>, key: &str) -> Vec<(String, String)> {
    let Some(mut map) = args.mapping(key) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (from, node) in map.entries() {
        match &node.value {
            Value::Str(to) => out.push((from.to_owned(), to.clone())),
            other => {
                let message = format!("expected a key name, found {}", other.kind());
                map.report(from, message, None);
            }
        }
    }
    out
}

/// A mapping of constants under `key` (`static_fields`, `defaults`,
/// `extra`), in the config's order.
fn statics(args: &mut Args<'_, '_>, key: &str) -> Vec<(String, StaticValue)> {
    let Some(e) = args.get(key) else {
        return Vec::new();
    };
    let path = args.key_path(key);
    match static_value(args, e.value, &path) {
        Some(StaticValue::Map(members)) => members,
        Some(_) => {
            let message = format!("expected a mapping, found {}", e.value.value.kind());
            args.report(key, message, None);
            Vec::new()
        }
        None => Vec::new(),
    }
}

/// A YAML value as a JSON constant; problems are reported at their place.
fn static_value(args: &mut Args<'_, '_>, node: &Node, path: &str) -> Option<StaticValue> {
    Some(match &node.value {
        Value::Null => StaticValue::Null,
        Value::Bool(b) => StaticValue::Bool(*b),
        Value::Int(n) => match (i64::try_from(*n), u64::try_from(*n)) {
            (Ok(n), _) => StaticValue::Int(n),
            (_, Ok(n)) => StaticValue::UInt(n),
            _ => {
                let message = format!(
                    "`{}` is out of range (from {} to {})",
                    show(&n.to_string()),
                    i64::MIN,
                    u64::MAX
                );
                args.report_at_path(node.pos, path, message, None);
                return None;
            }
        },
        Value::Float(f) => StaticValue::Float(*f),
        Value::Str(s) => StaticValue::Str(s.clone()),
        Value::Seq(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                out.push(static_value(args, item, &args::index(path, i)));
            }
            StaticValue::List(out.into_iter().collect::<Option<_>>()?)
        }
        Value::Map(map) => {
            let mut out = Vec::with_capacity(map.len());
            for (k, v) in map {
                let Value::Str(name) = &k.value else {
                    let message = format!("expected a string key, found {}", k.value.kind());
                    args.report_at_path(k.pos, path, message, None);
                    out.push(None);
                    continue;
                };
                let value = static_value(args, v, &args::join(path, name));
                out.push(value.map(|v| (name.clone(), v)));
            }
            StaticValue::Map(out.into_iter().collect::<Option<_>>()?)
        }
    })
}
