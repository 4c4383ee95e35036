//! Output checked against the real libraries: python-json-logger and
//! ecs-logging through the golden files of `scripts/json/generate.py`,
//! tracing-subscriber's JSON layer live, plus hostile input.

use std::fmt;
use std::sync::{Arc, Mutex};

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::write::{Utc, write_str};
use super::*;
use crate::format::{FieldValue, Fields};
use crate::level::Level;

/// A JSON value that keeps object members in document order.
#[derive(Clone, Debug, PartialEq)]
enum J {
    Null,
    Bool(bool),
    Num(serde_json::Number),
    Str(String),
    List(Vec<J>),
    Map(Vec<(String, J)>),
}

impl<'de> Deserialize<'de> for J {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<J, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = J;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("JSON")
            }
            fn visit_unit<E>(self) -> Result<J, E> {
                Ok(J::Null)
            }
            fn visit_none<E>(self) -> Result<J, E> {
                Ok(J::Null)
            }
            fn visit_bool<E>(self, b: bool) -> Result<J, E> {
                Ok(J::Bool(b))
            }
            fn visit_i64<E>(self, v: i64) -> Result<J, E> {
                Ok(J::Num(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<J, E> {
                Ok(J::Num(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<J, E> {
                Ok(serde_json::Number::from_f64(v).map_or(J::Null, J::Num))
            }
            fn visit_str<E>(self, v: &str) -> Result<J, E> {
                Ok(J::Str(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<J, E> {
                Ok(J::Str(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<J, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = a.next_element()? {
                    items.push(item);
                }
                Ok(J::List(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<J, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = a.next_entry()? {
                    members.push(member);
                }
                Ok(J::Map(members))
            }
        }
        d.deserialize_any(V)
    }
}

impl J {
    fn get(&self, key: &str) -> Option<&J> {
        match self {
            J::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    fn str(&self) -> &str {
        match self {
            J::Str(s) => s,
            other => panic!("not a string: {other:?}"),
        }
    }
    fn list(&self) -> &[J] {
        match self {
            J::List(l) => l,
            other => panic!("not a list: {other:?}"),
        }
    }
    fn map(&self) -> &[(String, J)] {
        match self {
            J::Map(m) => m,
            other => panic!("not a map: {other:?}"),
        }
    }
    fn bool(&self) -> bool {
        match self {
            J::Bool(b) => *b,
            other => panic!("not a bool: {other:?}"),
        }
    }
    fn i128(&self) -> i128 {
        match self {
            J::Num(n) => n
                .as_i64()
                .map(i128::from)
                .or_else(|| n.as_u64().map(i128::from))
                .expect("an integer"),
            other => panic!("not a number: {other:?}"),
        }
    }
    /// As a config value.
    fn value(&self) -> StaticValue {
        match self {
            J::Null => StaticValue::Null,
            J::Bool(b) => StaticValue::Bool(*b),
            J::Num(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => StaticValue::Int(i),
                (None, Some(u), _) => StaticValue::UInt(u),
                (_, _, f) => StaticValue::Float(f.expect("a float")),
            },
            J::Str(s) => StaticValue::Str(s.clone()),
            J::List(l) => StaticValue::List(l.iter().map(J::value).collect()),
            J::Map(m) => StaticValue::Map(m.iter().map(|(k, v)| (k.clone(), v.value())).collect()),
        }
    }
    fn pairs(&self) -> Vec<(String, StaticValue)> {
        self.map()
            .iter()
            .map(|(k, v)| (k.clone(), v.value()))
            .collect()
    }
    fn renames(&self) -> Vec<(String, String)> {
        self.map()
            .iter()
            .map(|(k, v)| (k.clone(), v.str().to_owned()))
            .collect()
    }
    fn strings(&self) -> Vec<String> {
        self.list().iter().map(|v| v.str().to_owned()).collect()
    }
}

fn data_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/json")
}

/// A record case of cases.json, owned.
struct Case {
    id: String,
    name: String,
    levelno: u32,
    msg: String,
    fields: Fields,
    pathname: String,
    module_path: String,
    lineno: u32,
    func_name: String,
    created_ns: i128,
    relative_ns: u64,
    thread: u64,
    thread_name: String,
    process: u32,
    process_name: String,
}

impl Case {
    fn from_json(base: &J, case: &J) -> Case {
        let get = |k: &str| case.get(k).or_else(|| base.get(k)).expect(k);
        let mut fields = Fields::default();
        for f in get("fields").list() {
            let [name, kind, value] = f.list() else {
                panic!("a field is [name, type, value]: {f:?}")
            };
            let name: &'static str = Box::leak(name.str().to_owned().into_boxed_str());
            match kind.str() {
                "str" => fields.push_str(name, value.str()),
                "i64" => fields.push(name, FieldValue::I64(value.i128() as i64)),
                "u64" => fields.push(name, FieldValue::U64(value.i128() as u64)),
                "bool" => fields.push(name, FieldValue::Bool(value.bool())),
                "f64" => fields.push(name, FieldValue::F64(value.str().parse().expect("f64"))),
                other => panic!("unknown field type {other}"),
            }
        }
        Case {
            id: case.get("id").expect("id").str().to_owned(),
            name: get("name").str().to_owned(),
            levelno: get("levelno").i128() as u32,
            msg: get("msg").str().to_owned(),
            fields,
            pathname: get("pathname").str().to_owned(),
            module_path: get("module_path").str().to_owned(),
            lineno: get("lineno").i128() as u32,
            func_name: get("funcName").str().to_owned(),
            created_ns: get("created_ns").i128(),
            relative_ns: get("relative_ns").i128() as u64,
            thread: get("thread").i128() as u64,
            thread_name: get("threadName").str().to_owned(),
            process: get("process").i128() as u32,
            process_name: get("processName").str().to_owned(),
        }
    }

    fn record(&self) -> Record<'_> {
        Record {
            name: &self.name,
            level: Level::from_number(self.levelno),
            // The text formatter's message (fields appended) must not be used.
            message: "NOT THE EVENT MESSAGE",
            event_message: &self.msg,
            fields: &self.fields,
            span_fields: &crate::format::record::NO_FIELDS,
            spans: "",
            pathname: &self.pathname,
            module_path: &self.module_path,
            lineno: self.lineno,
            func_name: &self.func_name,
            created_ns: self.created_ns,
            relative_ns: self.relative_ns,
            thread_id: self.thread,
            thread_name: &self.thread_name,
            process_id: self.process,
            process_name: &self.process_name,
        }
    }
}

/// The options a dictConfig `()` entry with these keyword arguments gives.
fn options<'a>(class: &str, kwargs: &'a J) -> JsonOptions<'a> {
    match class {
        "pythonjsonlogger.json.JsonFormatter" | "pythonjsonlogger.jsonlogger.JsonFormatter" => {
            let mut o = PythonJsonOptions::default();
            for (k, v) in kwargs.map() {
                match k.as_str() {
                    "fmt" => {
                        o.fmt = Some(match v {
                            J::List(_) => PyFmt::List(v.strings()),
                            _ => PyFmt::Text(v.str()),
                        });
                    }
                    "style" => {
                        o.style = match v.str() {
                            "%" => PyStyle::Percent,
                            "{" => PyStyle::Brace,
                            "$" => PyStyle::Dollar,
                            "," => PyStyle::Comma,
                            s => panic!("style {s}"),
                        };
                    }
                    "datefmt" => o.datefmt = Some(v.str()),
                    "rename_fields" => o.rename_fields = v.renames(),
                    "rename_fields_keep_missing" => o.rename_fields_keep_missing = v.bool(),
                    "static_fields" => o.static_fields = v.pairs(),
                    "defaults" => o.defaults = v.pairs(),
                    "reserved_attrs" => o.reserved_attrs = Some(v.strings()),
                    "prefix" => o.prefix = v.str().to_owned(),
                    "json_ensure_ascii" => o.json_ensure_ascii = v.bool(),
                    "timestamp" => {
                        o.timestamp = match v {
                            J::Bool(true) => PyTimestamp::On,
                            J::Bool(false) => PyTimestamp::Off,
                            _ => PyTimestamp::Key(v.str().to_owned()),
                        };
                    }
                    other => panic!("unknown python-json-logger option {other}"),
                }
            }
            JsonOptions::PythonJson(o)
        }
        "ecs_logging.StdlibFormatter" => {
            let mut o = EcsOptions::default();
            for (k, v) in kwargs.map() {
                match k.as_str() {
                    "exclude_fields" => o.exclude_fields = v.strings(),
                    "extra" => o.extra = v.pairs(),
                    "ensure_ascii" => o.ensure_ascii = v.bool(),
                    other => panic!("unknown ecs option {other}"),
                }
            }
            JsonOptions::Ecs(o)
        }
        other => panic!("unknown class {other}"),
    }
}

fn build(options: JsonOptions<'_>) -> JsonFormatter {
    let mut f = JsonFormatter::new(options).expect("the options compile");
    f.set_time_zone(jiff::tz::TimeZone::UTC);
    f
}

fn render(f: &JsonFormatter, r: &Record<'_>) -> String {
    let mut out = Vec::new();
    f.format(r, &mut out);
    String::from_utf8(out).expect("UTF-8 output")
}

#[test]
fn golden_python_libraries() {
    let text = std::fs::read_to_string(data_dir().join("cases.json")).expect("cases.json");
    let cases: J = serde_json::from_str(&text).expect("cases.json parses");
    let base = cases.get("base").expect("base");
    let records: Vec<Case> = cases
        .get("records")
        .expect("records")
        .list()
        .iter()
        .map(|c| Case::from_json(base, c))
        .collect();
    let formatters = cases.get("formatters").expect("formatters").list();
    assert!(formatters.len() >= 10);
    let mut compared = 0;
    for spec in formatters {
        let id = spec.get("id").expect("id").str();
        let class = spec.get("class").expect("class").str();
        let kwargs = spec.get("kwargs").expect("kwargs");
        let f = build(options(class, kwargs));
        let golden =
            std::fs::read_to_string(data_dir().join(format!("{id}.jsonl"))).expect("golden file");
        let lines: Vec<&str> = golden.lines().collect();
        assert_eq!(lines.len(), records.len(), "{id}: one line per record");
        for (case, want) in records.iter().zip(lines) {
            let got = render(&f, &case.record());
            assert_eq!(got, want, "formatter {id}, record {}", case.id);
            compared += 1;
        }
    }
    assert_eq!(compared, formatters.len() * records.len());
}

fn base_case() -> Case {
    let text = std::fs::read_to_string(data_dir().join("cases.json")).expect("cases.json");
    let cases: J = serde_json::from_str(&text).expect("cases.json parses");
    let base = cases.get("base").expect("base");
    let plain = J::Map(vec![
        ("id".into(), J::Str("hostile".into())),
        ("fields".into(), J::List(Vec::new())),
    ]);
    Case::from_json(base, &plain)
}

/// Every shape, with ASCII output on and off.
fn all_shapes() -> Vec<(&'static str, JsonFormatter)> {
    let mut v = Vec::new();
    for ascii in [true, false] {
        v.push((
            "python",
            build(JsonOptions::PythonJson(PythonJsonOptions {
                json_ensure_ascii: ascii,
                ..PythonJsonOptions::default()
            })),
        ));
        v.push((
            "ecs",
            build(JsonOptions::Ecs(EcsOptions {
                ensure_ascii: ascii,
                ..EcsOptions::default()
            })),
        ));
        v.push((
            "native",
            build(JsonOptions::Native(NativeOptions {
                ensure_ascii: ascii,
                ..NativeOptions::default()
            })),
        ));
    }
    v
}

/// Parses `line` with serde_json and returns the value of `key` (at the top
/// level or under `fields`).
fn parsed(line: &str, key: &str) -> serde_json::Value {
    let v: serde_json::Value =
        serde_json::from_str(line).unwrap_or_else(|e| panic!("not valid JSON ({e}): {line:?}"));
    v.get(key)
        .or_else(|| v.get("fields").and_then(|f| f.get(key)))
        .cloned()
        .unwrap_or_else(|| panic!("no {key} in {line}"))
}

#[test]
fn hostile_strings_round_trip_in_every_shape() {
    let every_control: String = (0u32..0x20).filter_map(char::from_u32).collect();
    let long = "ab\"\\\n\u{1b}é😀".repeat(20_000);
    let inputs = [
        every_control.clone(),
        "\u{2028}".to_owned(),
        "\u{2029}x\u{2028}".to_owned(),
        "\u{7f}\u{80}\u{9b}[31m\u{9f}".to_owned(),
        "\u{feff}\u{fffe}\u{ffff}\u{10ffff}".to_owned(),
        "\"\\/\u{8}\u{c}".to_owned(),
        String::new(),
        long,
    ];
    let mut case = base_case();
    for input in &inputs {
        case.fields.clear();
        case.fields.push_str("v", input);
        case.name = input.clone();
        case.msg = input.clone();
        for (shape, f) in all_shapes() {
            let line = render(&f, &case.record());
            assert!(!line.contains('\n'), "{shape}: one line");
            assert!(
                line.bytes().all(|b| b >= 0x20),
                "{shape}: no raw control byte"
            );
            assert_eq!(parsed(&line, "v"), serde_json::json!(input), "{shape}");
            let message = if shape == "ecs" || shape == "python" {
                "message"
            } else if input.is_empty() {
                continue;
            } else {
                "message"
            };
            assert_eq!(parsed(&line, message), serde_json::json!(input), "{shape}");
        }
    }
}

#[test]
fn every_char_below_0x20_and_separators_escape_like_python() {
    // json.dumps(chr(c)) for c in range(0x20), ensure_ascii either way.
    let short = [
        (8, "\\b"),
        (9, "\\t"),
        (10, "\\n"),
        (12, "\\f"),
        (13, "\\r"),
    ];
    for c in 0u8..0x20 {
        let want = match short.iter().find(|(b, _)| *b == c) {
            Some((_, s)) => format!("\"{s}\""),
            None => format!("\"\\u{c:04x}\""),
        };
        for ascii in [true, false] {
            let mut out = Vec::new();
            write_str(&mut out, &char::from(c).to_string(), ascii);
            assert_eq!(String::from_utf8_lossy(&out), want);
        }
    }
    // json.dumps('\u2028\x7f\xe9\U0001f600') / ensure_ascii=False
    let s = "\u{2028}\u{7f}é😀";
    let mut out = Vec::new();
    write_str(&mut out, s, true);
    assert_eq!(
        String::from_utf8_lossy(&out),
        r#""\u2028\u007f\u00e9\ud83d\ude00""#
    );
    out.clear();
    write_str(&mut out, s, false);
    assert_eq!(String::from_utf8_lossy(&out), format!("\"{s}\""));
    // serde_json agrees with the non-ASCII dialect on every character class.
    let all: String = (0u32..0x3000).filter_map(char::from_u32).collect();
    out.clear();
    write_str(&mut out, &all, false);
    assert_eq!(out, serde_json::to_vec(&all).expect("serialises"));
}

#[test]
fn numbers_stay_numbers() {
    let mut case = base_case();
    let values = [
        FieldValue::I64(i64::MIN),
        FieldValue::I64(i64::MAX),
        FieldValue::U64(u64::MAX),
        FieldValue::F64(f64::MAX),
        FieldValue::F64(f64::MIN_POSITIVE),
        FieldValue::F64(5e-324),
        FieldValue::F64(-0.0),
        FieldValue::F64(1e16),
        FieldValue::F64(0.1),
        FieldValue::Bool(true),
    ];
    for v in values {
        case.fields.clear();
        case.fields.push("n", v);
        for (shape, f) in all_shapes() {
            let line = render(&f, &case.record());
            let got = parsed(&line, "n");
            match v {
                FieldValue::I64(i) => assert_eq!(got.as_i64(), Some(i), "{shape}"),
                FieldValue::U64(u) => assert_eq!(got.as_u64(), Some(u), "{shape}"),
                FieldValue::F64(x) => {
                    let back = got.as_f64().expect("a number");
                    assert_eq!(back.to_bits(), x.to_bits(), "{shape} {line}");
                }
                FieldValue::Bool(b) => assert_eq!(got.as_bool(), Some(b), "{shape}"),
                FieldValue::Str(_) | FieldValue::Raw(_) => unreachable!(),
            }
        }
    }
    // Non-finite floats: Python's json writes NaN/Infinity (not strict
    // JSON, as the reference does); serde_json writes null.
    for (x, py, serde) in [
        (f64::NAN, "NaN", "null"),
        (f64::INFINITY, "Infinity", "null"),
        (f64::NEG_INFINITY, "-Infinity", "null"),
    ] {
        case.fields.clear();
        case.fields.push("n", FieldValue::F64(x));
        for (shape, f) in all_shapes() {
            let line = render(&f, &case.record());
            let want = match shape {
                "python" => format!("\"n\": {py}"),
                "ecs" => format!("\"n\":{py}"),
                _ => format!("\"n\":{serde}"),
            };
            assert!(line.contains(&want), "{shape}: {line}");
        }
    }
}

#[test]
fn utc_dates_match_jiff() {
    let samples = [
        i64::from(i32::MIN) * 100,
        -62_135_596_800 - 1,
        -1,
        0,
        951_782_400,
        1_764_851_223,
        253_402_207_200,
        -377_705_023_201,
    ];
    for secs in samples
        .into_iter()
        .chain((0..2000).map(|i| i * 7_919_191 - 8_000_000_000))
    {
        let ts = jiff::Timestamp::from_second(secs).expect("in range");
        let dt = ts.to_zoned_datetime(jiff::tz::TimeZone::UTC).datetime();
        let u = Utc::from_secs(secs);
        assert_eq!(
            (u.year, u.month, u.day, u.hour, u.minute, u.second),
            (
                i64::from(dt.year()),
                dt.month() as u32,
                dt.day() as u32,
                dt.hour() as u32,
                dt.minute() as u32,
                dt.second() as u32
            ),
            "{secs}"
        );
    }
}

#[test]
fn ecs_collisions_keep_the_record() {
    let mut case = base_case();
    case.fields.push_str("log.logger", "mine");
    case.fields.push_str("http", "flat");
    case.fields.push_str("http.method", "GET");
    case.fields.push("n", FieldValue::I64(1));
    case.fields.push("n", FieldValue::I64(2));
    case.fields.push_str("name", "a record attribute");
    let f = build(JsonOptions::Ecs(EcsOptions::default()));
    let line = render(&f, &case.record());
    let v: serde_json::Value = serde_json::from_str(&line).expect("valid JSON");
    assert_eq!(v["log"]["logger"], "app.db");
    assert_eq!(v["http"], "flat");
    assert_eq!(v["n"], 2);
    assert!(v.get("name").is_none());
    assert_eq!(line.matches("\"n\"").count(), 1);
}

#[test]
fn load_errors_say_which_option() {
    let e = JsonFormatter::new(JsonOptions::Ecs(EcsOptions {
        extra: vec![("log.logger.x".into(), StaticValue::Int(1))],
        ..EcsOptions::default()
    }))
    .expect_err("collides");
    assert_eq!(e.option, "extra");
    assert_eq!(e.entry.as_deref(), Some("log.logger.x"));
    assert_eq!(
        e.to_string(),
        "`log.logger.x` collides with the ECS field `log.logger`; \
         one path cannot be both a value and an object; rename it"
    );
    let e = JsonFormatter::new(JsonOptions::PythonJson(PythonJsonOptions {
        fmt: Some(PyFmt::Text("no fields here")),
        ..PythonJsonOptions::default()
    }))
    .expect_err("no fields");
    assert_eq!(
        (e.option, e.message.as_str()),
        ("fmt", "invalid format: no fields")
    );
    let e = JsonFormatter::new(JsonOptions::PythonJson(PythonJsonOptions {
        fmt: Some(PyFmt::Text("%(asctime)s")),
        datefmt: Some("%Q%!"),
        ..PythonJsonOptions::default()
    }))
    .expect_err("bad datefmt");
    assert_eq!(e.option, "datefmt");
    let e = JsonFormatter::new(JsonOptions::Native(NativeOptions {
        rename_fields: vec![("level".into(), String::new())],
        ..NativeOptions::default()
    }))
    .expect_err("empty key");
    assert_eq!(
        (e.option, e.entry.as_deref()),
        ("rename_fields", Some("level"))
    );
}

#[test]
fn needs_follow_the_fields_used() {
    let n = |o| build(o).needs();
    assert_eq!(
        n(JsonOptions::PythonJson(PythonJsonOptions::default())),
        Needs::NONE
    );
    let all = n(JsonOptions::PythonJson(PythonJsonOptions {
        fmt: Some(PyFmt::List(vec![
            "asctime".into(),
            "thread".into(),
            "process".into(),
            "funcName".into(),
        ])),
        ..PythonJsonOptions::default()
    }));
    for want in [Needs::TIME, Needs::THREAD, Needs::PROCESS, Needs::FUNC_NAME] {
        assert!(all.contains(want));
    }
    let ecs = n(JsonOptions::Ecs(EcsOptions {
        exclude_fields: vec!["process".into(), "log.origin".into(), "@timestamp".into()],
        ..EcsOptions::default()
    }));
    assert_eq!(ecs, Needs::NONE);
    let native = n(JsonOptions::Native(NativeOptions::default()));
    assert_eq!(native, Needs::TIME.union(Needs::SPAN_FIELDS));
    // Span data only when `span` or `spans` is written.
    for (current, list, exclude) in [
        (false, false, vec![]),
        (true, true, vec!["span".to_owned(), "spans".to_owned()]),
        (false, true, vec!["spans".to_owned()]),
    ] {
        let native = n(JsonOptions::Native(NativeOptions {
            with_current_span: current,
            with_span_list: list,
            exclude_fields: exclude,
            ..NativeOptions::default()
        }));
        assert_eq!(native, Needs::TIME);
    }
    let native = n(JsonOptions::Native(NativeOptions {
        with_timestamp: false,
        with_current_span: false,
        ..NativeOptions::default()
    }));
    assert_eq!(native, Needs::SPAN_FIELDS);
}

#[test]
fn steady_state_formatting_does_not_allocate() {
    let case = {
        let mut c = base_case();
        c.fields.push_str("user", "alice\u{1b}é");
        c.fields.push("rows", FieldValue::I64(3));
        c.fields.push("ratio", FieldValue::F64(0.25));
        c.fields.push_str("http.request.method", "GET");
        c.fields.push("ok", FieldValue::Bool(true));
        c
    };
    let mut shapes = all_shapes();
    shapes.push((
        "python-everything",
        build(JsonOptions::PythonJson(PythonJsonOptions {
            fmt: Some(PyFmt::Text(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
            )),
            reserved_attrs: Some(Vec::new()),
            timestamp: PyTimestamp::On,
            rename_fields: vec![("levelname".into(), "level".into())],
            static_fields: vec![("service".into(), StaticValue::Str("demo".into()))],
            ..PythonJsonOptions::default()
        })),
    ));
    shapes.push((
        "native-all",
        build(JsonOptions::Native(NativeOptions {
            flatten_event: true,
            with_file: true,
            with_line_number: true,
            with_thread_ids: true,
            with_thread_names: true,
            ..NativeOptions::default()
        })),
    ));
    for (shape, f) in shapes {
        let mut rec = case.record();
        let mut out = Vec::with_capacity(8192);
        f.format(&rec, &mut out);
        let before = crate::format::tests::alloc_count::count();
        for i in 0..100 {
            out.clear();
            rec.created_ns += i * 1_000_000;
            f.format(&rec, &mut out);
        }
        let allocs = crate::format::tests::alloc_count::count() - before;
        assert_eq!(allocs, 0, "{shape}");
    }
}

/// A layer that formats each event with a [`JsonFormatter`] through the
/// subscriber's own record building, spans included.
struct Capture {
    formatter: JsonFormatter,
    out: Arc<Mutex<Vec<u8>>>,
}

impl<S> tracing_subscriber::Layer<S> for Capture
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        id: &tracing::span::Id,
        ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        if let Some(span) = ctx.span(id) {
            let mut data = crate::subscriber::SpanData::default();
            data.record(|visitor| attrs.record(visitor));
            span.extensions_mut().insert(data);
        }
    }

    fn on_record(
        &self,
        id: &tracing::span::Id,
        values: &tracing::span::Record<'_>,
        ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        if let Some(span) = ctx.span(id)
            && let Some(data) = span
                .extensions_mut()
                .get_mut::<crate::subscriber::SpanData>()
        {
            data.record(|visitor| values.record(visitor));
        }
    }

    fn on_event(&self, event: &tracing::Event<'_>, ctx: tracing_subscriber::layer::Context<'_, S>) {
        let meta = event.metadata();
        let current = std::thread::current();
        let id: u64 = format!("{:?}", current.id())
            .trim_start_matches("ThreadId(")
            .trim_end_matches(')')
            .parse()
            .expect("a thread number");
        let name = current.name().unwrap_or("").to_owned();
        let needs = self.formatter.needs();
        crate::subscriber::Scratch::with(|parts| {
            parts.visit(event, needs.contains(Needs::FIELD_TEXT));
            if let Some(scope) = ctx.event_scope(event) {
                for span in scope.from_root() {
                    let extensions = span.extensions();
                    let data = extensions.get::<crate::subscriber::SpanData>();
                    parts.add_span(
                        span.name(),
                        data,
                        needs.contains(Needs::SPANS),
                        needs.contains(Needs::SPAN_FIELDS),
                    );
                }
            }
            let (record, _) = parts.record(
                meta,
                Level::from_tracing(meta.level()),
                None,
                Some((id, &name)),
                needs,
                None,
            );
            let mut out = self.out.lock().expect("not poisoned");
            self.formatter.format(&record, &mut out);
            out.push(b'\n');
        });
    }
}

/// A `MakeWriter` into a shared buffer.
#[derive(Clone)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("not poisoned").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn emit_events() {
    let every_control: String = (0u32..0x20).filter_map(char::from_u32).collect();
    tracing::info!(target: "app::db", user = "alice", rows = 3, ok = true, "hello wörld");
    tracing::warn!(target: "app", ctl = %every_control, sep = "a\u{2028}b", "{every_control}\"\\");
    tracing::error!(
        i64_min = i64::MIN,
        u64_max = u64::MAX,
        f = 1.5,
        tiny = 1e-7,
        huge = 1e16,
        neg_zero = -0.0,
        nan = f64::NAN,
        inf = f64::INFINITY,
        "numbers"
    );
    tracing::debug!(dbg = ?Some("x\ty"), "debug value");
    tracing::trace!(target: "weird \"target\"", "é😀\u{7f}");
    tracing::info!(empty = "");
}

#[test]
fn native_matches_tracing_subscriber_json() {
    use tracing_subscriber::layer::SubscriberExt as _;
    for flatten in [false, true] {
        let theirs = Arc::new(Mutex::new(Vec::new()));
        let ours = Arc::new(Mutex::new(Vec::new()));
        let writer = Shared(Arc::clone(&theirs));
        let fmt_layer = tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(flatten)
            .without_time()
            .with_file(true)
            .with_line_number(true)
            .with_thread_names(true)
            .with_thread_ids(true)
            .with_writer(move || writer.clone());
        let formatter = build(JsonOptions::Native(NativeOptions {
            flatten_event: flatten,
            with_timestamp: false,
            with_file: true,
            with_line_number: true,
            with_thread_names: true,
            with_thread_ids: true,
            ..NativeOptions::default()
        }));
        let capture = Capture {
            formatter,
            out: Arc::clone(&ours),
        };
        let subscriber = tracing_subscriber::registry().with(fmt_layer).with(capture);
        tracing::subscriber::with_default(subscriber, emit_events);
        let theirs = String::from_utf8(theirs.lock().expect("lock").clone()).expect("UTF-8");
        let ours = String::from_utf8(ours.lock().expect("lock").clone()).expect("UTF-8");
        assert_eq!(theirs.lines().count(), 6);
        for (t, o) in theirs.lines().zip(ours.lines()) {
            // tracing-subscriber writes no `message` for an event without one.
            assert_eq!(o, t, "flatten_event: {flatten}");
        }
    }
}

fn emit_events_in_spans() {
    let outer = tracing::info_span!("request", id = 42_u64, path = "/a\"b", ok = true);
    let _outer = outer.enter();
    tracing::info!(target: "app", "in one span");
    let inner = tracing::debug_span!(
        "db",
        table = "users",
        ratio = 0.5,
        nan = f64::NAN,
        name = "a field called name",
        dbg = ?Some(1),
        late = tracing::field::Empty,
        r#type = "raw"
    );
    let _inner = inner.enter();
    tracing::warn!(user = "bob", "in two spans: wörld");
    inner.record("late", 7_i64);
    inner.record("table", "orders");
    tracing::error!(target: "app::x", "after record");
    let bare = tracing::trace_span!("bare");
    bare.in_scope(|| tracing::info!("in a span without fields"));
    let same = tracing::info_span!("request", id = 1_u64);
    same.in_scope(|| tracing::info!(id = 2_u64, "the same field names at every depth"));
}

#[test]
fn native_spans_match_tracing_subscriber_json() {
    use tracing_subscriber::layer::SubscriberExt as _;
    for (current, list) in [(true, true), (true, false), (false, true), (false, false)] {
        let theirs = Arc::new(Mutex::new(Vec::new()));
        let ours = Arc::new(Mutex::new(Vec::new()));
        let writer = Shared(Arc::clone(&theirs));
        let fmt_layer = tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(current)
            .with_span_list(list)
            .without_time()
            .with_thread_ids(true)
            .with_writer(move || writer.clone());
        let formatter = build(JsonOptions::Native(NativeOptions {
            with_timestamp: false,
            with_current_span: current,
            with_span_list: list,
            with_thread_ids: true,
            ..NativeOptions::default()
        }));
        assert_eq!(
            formatter.needs().contains(Needs::SPAN_FIELDS),
            current || list
        );
        let capture = Capture {
            formatter,
            out: Arc::clone(&ours),
        };
        let subscriber = tracing_subscriber::registry().with(fmt_layer).with(capture);
        tracing::subscriber::with_default(subscriber, || {
            emit_events();
            emit_events_in_spans();
        });
        let theirs = String::from_utf8(theirs.lock().expect("lock").clone()).expect("UTF-8");
        let ours = String::from_utf8(ours.lock().expect("lock").clone()).expect("UTF-8");
        assert_eq!(theirs.lines().count(), 11);
        assert_eq!(ours.lines().count(), 11);
        for (t, o) in theirs.lines().zip(ours.lines()) {
            assert_eq!(o, t, "with_current_span: {current}, with_span_list: {list}");
        }
        if current && list {
            assert!(ours.contains(r#""span":{"dbg":"Some(1)","name":"a field called name","nan":null,"ratio":0.5,"table":"users","type":"raw","name":"db"},"spans":[{"id":42,"ok":true,"path":"/a\"b","name":"request"},"#), "{ours}");
        }
    }
}

#[test]
fn native_timestamp_is_rfc3339_micros() {
    let mut case = base_case();
    let f = build(JsonOptions::Native(NativeOptions::default()));
    case.created_ns = 1_764_851_223_406_676_999;
    assert!(
        render(&f, &case.record())
            .starts_with(r#"{"timestamp":"2025-12-04T12:27:03.406676Z","level":"INFO""#)
    );
    case.created_ns = -1;
    assert!(
        render(&f, &case.record()).starts_with(r#"{"timestamp":"1969-12-31T23:59:59.999999Z""#)
    );
}

#[test]
fn native_rename_exclude_static() {
    let mut case = base_case();
    case.fields.push_str("user", "alice");
    case.fields.push_str("secret", "x");
    let f = build(JsonOptions::Native(NativeOptions {
        with_timestamp: false,
        flatten_event: true,
        rename_fields: vec![
            ("level".into(), "severity".into()),
            ("user".into(), "usr".into()),
        ],
        exclude_fields: vec!["secret".into(), "target".into()],
        static_fields: vec![("service".into(), StaticValue::Str("demo".into()))],
        ..NativeOptions::default()
    }));
    assert_eq!(
        render(&f, &case.record()),
        r#"{"severity":"INFO","message":"hello wörld","usr":"alice","service":"demo"}"#
    );
    let f = build(JsonOptions::Native(NativeOptions {
        with_timestamp: false,
        with_level: false,
        with_target: false,
        exclude_fields: vec!["fields".into()],
        static_fields: vec![("a".into(), StaticValue::Int(1))],
        ..NativeOptions::default()
    }));
    assert_eq!(render(&f, &case.record()), r#"{"a":1}"#);
}

#[test]
fn formatter_is_send_sync_debug() {
    fn check<T: Send + Sync + std::fmt::Debug>() {}
    check::<JsonFormatter>();
}

#[test]
fn unsupported_python_options_are_listed_with_reasons() {
    let names: Vec<&str> = PYTHON_JSON_UNSUPPORTED.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "json_indent",
            "json_default",
            "json_encoder",
            "json_serializer"
        ]
    );
    assert!(
        PYTHON_JSON_UNSUPPORTED
            .iter()
            .all(|(_, why)| !why.is_empty())
    );
}

/// The three examples of the module documentation, verbatim.
#[test]
fn module_doc_examples() {
    let mut case = base_case();
    case.fields.push_str("user", "alice");
    case.fields.push("rows", FieldValue::I64(3));
    let python = build(JsonOptions::PythonJson(PythonJsonOptions {
        fmt: Some(PyFmt::Text(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
        )),
        rename_fields: vec![
            ("levelname".into(), "level".into()),
            ("asctime".into(), "time".into()),
        ],
        static_fields: vec![("service".into(), StaticValue::Str("demo".into()))],
        timestamp: PyTimestamp::On,
        ..PythonJsonOptions::default()
    }));
    assert_eq!(
        render(&python, &case.record()),
        "{\"time\": \"2025-12-04 12:27:03,406\", \"level\": \"INFO\", \"name\": \
         \"app.db\", \"message\": \"hello w\\u00f6rld\", \"service\": \"demo\", \"user\": \
         \"alice\", \"rows\": 3, \"timestamp\": \"2025-12-04T12:27:03.406676+00:00\"}"
    );
    let ecs = build(JsonOptions::Ecs(EcsOptions {
        exclude_fields: vec!["log.original".into(), "process.thread".into()],
        extra: vec![
            ("service.name".into(), StaticValue::Str("checkout".into())),
            (
                "labels".into(),
                StaticValue::Map(vec![("team".into(), StaticValue::Str("core".into()))]),
            ),
        ],
        ..EcsOptions::default()
    }));
    assert_eq!(
        render(&ecs, &case.record()),
        "{\"@timestamp\":\"2025-12-04T12:27:03.406Z\",\"log.level\":\"info\",\
         \"message\":\"hello w\\u00f6rld\",\"ecs.version\":\"1.6.0\",\"labels\":{\"team\":\"core\"},\
         \"log\":{\"logger\":\"app.db\",\"origin\":{\"file\":{\"line\":42,\"name\":\"conn.rs\"},\
         \"function\":\"connect\"}},\"process\":{\"name\":\"MainProcess\",\"pid\":7071},\
         \"rows\":3,\"service\":{\"name\":\"checkout\"},\"user\":\"alice\"}"
    );
    let native = build(JsonOptions::Native(NativeOptions {
        with_file: true,
        with_line_number: true,
        static_fields: vec![("service".into(), StaticValue::Str("checkout".into()))],
        ..NativeOptions::default()
    }));
    assert_eq!(
        render(&native, &case.record()),
        "{\"timestamp\":\"2025-12-04T12:27:03.406676Z\",\"level\":\"INFO\",\
         \"fields\":{\"message\":\"hello wörld\",\"user\":\"alice\",\"rows\":3},\
         \"target\":\"app.db\",\"filename\":\"src/net/conn.rs\",\"line_number\":42,\
         \"service\":\"checkout\"}"
    );
}

#[test]
fn dotted_segments_split_like_str_split() {
    for s in [
        "",
        ".",
        "a",
        "a.b",
        "a..b",
        ".a",
        "a.",
        "é.日本.x",
        "...",
        "log.origin.file.line",
    ] {
        let want: Vec<&str> = s.split('.').collect();
        let got: Vec<&str> = (0..).map_while(|d| super::ecs::nth_segment(s, d)).collect();
        assert_eq!(got, want, "{s:?}");
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Object keys are unique at every depth; with `sorted`, they are also
    /// in order (after the first `skip` members of the top level).
    fn check_keys(v: &J, sorted: bool, skip: usize) -> Result<(), String> {
        match v {
            J::Map(m) => {
                for (i, (k, _)) in m.iter().enumerate() {
                    if m.iter().take(i).any(|(other, _)| other == k) {
                        return Err(format!("duplicate key {k}"));
                    }
                }
                if sorted {
                    let keys: Vec<&str> = m.iter().skip(skip).map(|(k, _)| k.as_str()).collect();
                    if keys.windows(2).any(|w| w[0] >= w[1]) {
                        return Err(format!("unsorted keys {keys:?}"));
                    }
                }
                m.iter().try_for_each(|(_, v)| check_keys(v, sorted, 0))
            }
            J::List(l) => l.iter().try_for_each(|v| check_keys(v, sorted, 0)),
            _ => Ok(()),
        }
    }

    fn field_name() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "a",
            "a.b",
            "a.b.c",
            "b",
            "log",
            "log.custom",
            "log.logger",
            "process.x",
            "ecs",
            "ecs.version",
            "message",
            "name",
            "_p",
            "user",
            "é.日",
            "z.a",
            "z.b",
            "",
        ])
    }

    fn value() -> impl Strategy<Value = FieldValue<'static>> {
        prop_oneof![
            any::<i64>().prop_map(FieldValue::I64),
            any::<u64>().prop_map(FieldValue::U64),
            any::<f64>().prop_map(FieldValue::F64),
            any::<bool>().prop_map(FieldValue::Bool),
            prop::sample::select(vec!["", "x", "\u{0}\u{1f}\"\\", "é\u{2028}"])
                .prop_map(FieldValue::Str),
        ]
    }

    proptest! {
        #[test]
        fn every_shape_writes_one_valid_object(
            fields in prop::collection::vec((field_name(), value()), 0..10),
            renames in prop::collection::vec((field_name(), field_name()), 0..4),
            message in ".{0,20}",
        ) {
            let mut case = base_case();
            case.msg = message;
            for (name, v) in &fields {
                case.fields.push(name, *v);
            }
            let renames: Vec<(String, String)> = renames
                .into_iter()
                .filter(|(_, to)| !to.is_empty())
                .map(|(a, b)| (a.to_owned(), b.to_owned()))
                .collect();
            let mut shapes = all_shapes();
            shapes.push(("python-renamed", build(JsonOptions::PythonJson(PythonJsonOptions {
                fmt: Some(PyFmt::Text("%(levelname)s %(a)s %(message)s")),
                rename_fields: renames.clone(),
                rename_fields_keep_missing: true,
                reserved_attrs: Some(vec!["args".into()]),
                timestamp: PyTimestamp::Key("a".into()),
                static_fields: vec![("b".into(), StaticValue::Int(1))],
                ..PythonJsonOptions::default()
            }))));
            shapes.push(("ecs-extra", build(JsonOptions::Ecs(EcsOptions {
                extra: vec![("z.c".into(), StaticValue::Int(1)), ("labels".into(), StaticValue::Null)],
                exclude_fields: vec!["a.b".into()],
                ..EcsOptions::default()
            }))));
            shapes.push(("native-flat", build(JsonOptions::Native(NativeOptions {
                flatten_event: true,
                rename_fields: renames,
                ..NativeOptions::default()
            }))));
            for (shape, f) in shapes {
                let line = render(&f, &case.record());
                prop_assert!(!line.contains('\n'));
                let parsed: Result<J, _> = serde_json::from_str(
                    // Python's NaN/Infinity are not JSON; serde_json cannot read them.
                    &line.replace("-Infinity", "0").replace("Infinity", "0").replace("NaN", "0"),
                );
                let parsed = parsed.map_err(|e| TestCaseError::fail(format!("{shape}: {e}: {line}")))?;
                if shape.starts_with("ecs") {
                    let head = ["@timestamp", "log.level", "message"].len();
                    check_keys(&parsed, true, head).map_err(|e| TestCaseError::fail(format!("{shape}: {e}: {line}")))?;
                } else if !shape.starts_with("native") {
                    // tracing-subscriber writes a repeated field twice; the
                    // Python shapes never repeat a key.
                    check_keys(&parsed, false, 0).map_err(|e| TestCaseError::fail(format!("{shape}: {e}: {line}")))?;
                }
            }
        }

        #[test]
        fn strings_match_serde_json_and_round_trip(s in any::<String>()) {
            let mut out = Vec::new();
            write_str(&mut out, &s, false);
            prop_assert_eq!(&out, &serde_json::to_vec(&s).expect("serialises"));
            out.clear();
            write_str(&mut out, &s, true);
            prop_assert!(out.iter().all(|&b| (0x20..0x7f).contains(&b)));
            let back: String = serde_json::from_slice(&out).expect("valid JSON");
            prop_assert_eq!(back, s);
        }
    }
}
