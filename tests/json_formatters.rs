//! The JSON formatter classes end to end, through YAML: `logconf.JsonFormatter`
//! against tracing-subscriber's `fmt().json()` running live beside it, and
//! `ecs_logging.StdlibFormatter`'s record-dependent members (the parts the
//! CPython-generated conformance scenario `json_ecs_factory` leaves out).

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use tracing_subscriber::layer::SubscriberExt as _;

/// A `MakeWriter` into a shared buffer.
#[derive(Clone)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A config whose root writes every record with `formatter` (YAML lines
/// indented for `formatters.json`) to `dir/out.jsonl`.
fn logging(dir: &Path, formatter: &str) -> logconf::Logging {
    let yaml = format!(
        "version: 1\nformatters:\n  json:\n{formatter}handlers:\n  file:\n    class: logging.FileHandler\n    filename: {}\n    formatter: json\nroot: {{level: TRACE, handlers: [file]}}\nlogconf: {{quiet_dependencies: false}}\n",
        dir.join("out.jsonl").display()
    );
    logconf::Config::from_yaml_str(&yaml)
        .unwrap()
        .build()
        .unwrap()
}

fn emit() {
    tracing::info!(target: "app::db", user = "alice", rows = 3, ok = true, "hello wörld");
    let request = tracing::info_span!("request", id = 42_u64, path = "/a\"b");
    let _request = request.enter();
    tracing::warn!(ratio = 0.25, "in a span\twith a tab");
    let db = tracing::debug_span!("db", table = "users", late = tracing::field::Empty);
    let _db = db.enter();
    db.record("late", -7_i64);
    tracing::error!(target: "app", huge = 1e16, nan = f64::NAN, "two spans");
    tracing::trace!("no fields but spans");
}

#[test]
fn native_matches_tracing_subscriber_json_through_yaml() {
    for (yaml, flatten) in [
        (
            "    class: logconf.JsonFormatter\n    with_timestamp: false\n    with_file: true\n    with_line_number: true\n    with_thread_names: true\n",
            false,
        ),
        (
            "    (): logconf.JsonFormatter\n    with_timestamp: no\n    flatten_event: yes\n",
            true,
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let logging = logging(dir.path(), yaml);
        let theirs = Arc::new(Mutex::new(Vec::new()));
        let writer = Buffer(Arc::clone(&theirs));
        let reference = tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(flatten)
            .without_time()
            .with_file(!flatten)
            .with_line_number(!flatten)
            .with_thread_names(!flatten)
            .with_writer(move || writer.clone());
        let subscriber = tracing_subscriber::registry()
            .with(logging.layer())
            .with(reference);
        tracing::subscriber::with_default(subscriber, emit);
        drop(logging);
        let ours = std::fs::read_to_string(dir.path().join("out.jsonl")).unwrap();
        let theirs = String::from_utf8(theirs.lock().unwrap().clone()).unwrap();
        assert_eq!(ours.lines().count(), 4, "{ours}");
        assert_eq!(ours, theirs);
        assert!(ours.contains(
            r#""spans":[{"id":42,"path":"/a\"b","name":"request"},{"late":-7,"table":"users","name":"db"}]"#
        ));
    }
}

#[test]
fn ecs_fills_time_origin_and_process() {
    let dir = tempfile::tempdir().unwrap();
    let logging = logging(
        dir.path(),
        "    (): ecs_logging.StdlibFormatter\n    extra: {service.name: checkout}\n",
    );
    let before = std::time::SystemTime::now();
    let line = line!() + 2;
    tracing::subscriber::with_default(logging.subscriber(), || {
        tracing::event!(target: "app::db", tracing::Level::WARN, http.request.method = "GET", rows = 3, "slow");
    });
    drop(logging);
    let text = std::fs::read_to_string(dir.path().join("out.jsonl")).unwrap();
    let v: serde_json::Value = serde_json::from_str(text.trim_end()).unwrap();
    assert!(
        text.starts_with(r#"{"@timestamp":""#)
            && text.contains(r#"Z","log.level":"warning","message":"slow","ecs.version":"1.6.0","http":{"request":{"method":"GET"}},"log":{"logger":"app::db","origin":{"file":{"line":"#),
        "{text}"
    );
    assert_eq!(v["log"]["origin"]["file"]["line"], line);
    assert_eq!(v["log"]["origin"]["file"]["name"], "json_formatters.rs");
    assert_eq!(v["process"]["pid"], std::process::id());
    assert_eq!(v["service"]["name"], "checkout");
    assert_eq!(v["rows"], 3);
    // `@timestamp` is this run's time, in milliseconds.
    let stamp = v["@timestamp"].as_str().unwrap();
    assert_eq!(stamp.len(), "2025-12-04T12:27:03.406Z".len(), "{stamp}");
    let at: jiff::Timestamp = stamp.parse().unwrap();
    let before = jiff::Timestamp::try_from(before).unwrap();
    let ms = jiff::SignedDuration::from_millis(1);
    assert!(at >= before - ms && at <= jiff::Timestamp::now(), "{stamp}");
}

#[test]
fn json_example_config_writes_three_shapes() {
    let text = std::fs::read_to_string("configs/json_logger_config.yaml").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    let text = text.replace("logs/", &format!("{}/", logs.display()));
    let logging = logconf::Config::from_yaml_str(&text)
        .unwrap()
        .build()
        .unwrap();
    tracing::subscriber::with_default(logging.subscriber(), || {
        let span = tracing::info_span!("create_vpc", cidr = "10.0.0.0/16");
        let _in = span.enter();
        tracing::debug!(target: "deploy_vpc::network", subnets = 3, "planning");
    });
    drop(logging);
    let app = std::fs::read_to_string(logs.join("app.jsonl")).unwrap();
    assert!(
        app.starts_with(r#"{"time": ""#)
            && app.ends_with(
                r#"", "level": "DEBUG", "name": "deploy_vpc::network", "message": "planning", "service": "deploy_vpc", "subnets": 3}
"#
            ),
        "{app}"
    );
    let ecs = std::fs::read_to_string(logs.join("ecs.jsonl")).unwrap();
    assert!(
        ecs.contains(r#"","log.level":"debug","message":"planning","ecs.version":"1.6.0","labels":{"env":"dev"},"log":{"logger":"deploy_vpc::network","origin":{"#)
            && ecs.contains(r#""service":{"name":"deploy_vpc"},"subnets":3}"#),
        "{ecs}"
    );
}

#[test]
fn python_json_fmt_names_span_fields_and_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let logging = logging(
        dir.path(),
        "    (): pythonjsonlogger.json.JsonFormatter\n    fmt: \"%(levelname)s %(request_id)s %(spans)s %(message)s\"\n",
    );
    tracing::subscriber::with_default(logging.subscriber(), || {
        tracing::info!("outside");
        let request = tracing::info_span!("request", request_id = 42_u64);
        let _r = request.enter();
        let db = tracing::debug_span!("db", table = "users", request_id = "inner");
        let _d = db.enter();
        tracing::warn!(rows = 3, "inside");
        tracing::error!(request_id = 7_i64, "own field wins");
    });
    drop(logging);
    let text = std::fs::read_to_string(dir.path().join("out.jsonl")).unwrap();
    assert_eq!(
        text,
        concat!(
            r#"{"levelname": "INFO", "request_id": null, "spans": null, "message": "outside"}"#,
            "\n",
            r#"{"levelname": "WARNING", "request_id": "inner", "spans": "request{request_id=42}:db{table=\"users\" request_id=\"inner\"}", "message": "inside", "rows": 3}"#,
            "\n",
            r#"{"levelname": "ERROR", "request_id": 7, "spans": "request{request_id=42}:db{table=\"users\" request_id=\"inner\"}", "message": "own field wins"}"#,
            "\n",
        )
    );
}
