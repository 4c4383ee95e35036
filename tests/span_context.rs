//! Span context in the output: a format names a span's field as it names
//! an event's (`%(request_id)s`), and `%(spans)s` prints the span chain as
//! tracing-subscriber's `fmt` does.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::path::Path;

/// Builds `format` (with `defaults`) writing to `dir/out.log` at DEBUG.
fn logging(dir: &Path, format: &str, defaults: &str) -> logconf::Logging {
    let yaml = format!(
        "version: 1\nformatters:\n  f:\n    format: '{format}'\n    defaults: {defaults}\nhandlers:\n  file:\n    class: logging.FileHandler\n    filename: {}\n    formatter: f\nroot: {{level: DEBUG, handlers: [file]}}\n",
        dir.join("out.log").display()
    );
    logconf::Config::from_yaml_str(&yaml)
        .unwrap()
        .build()
        .unwrap()
}

#[tracing::instrument(fields(table = "users"))]
fn query(request_id: u64, sql: &str) {
    tracing::info!("running");
}

#[test]
fn span_fields_are_found_by_name_innermost_first() {
    let dir = tempfile::tempdir().unwrap();
    let logging = logging(
        dir.path(),
        "%(request_id)s %(table)s %(message)s",
        "{request_id: '-', table: '-'}",
    );
    tracing::subscriber::with_default(logging.subscriber(), || {
        tracing::info!("outside");
        let request = tracing::info_span!("request", request_id = 42);
        let _in = request.enter();
        tracing::info!("in the request");
        query(7, "select 1");
        // The event's own field wins over the span's.
        tracing::info!(request_id = 9, "own field");
    });
    drop(logging);
    let text = std::fs::read_to_string(dir.path().join("out.log")).unwrap();
    assert_eq!(
        text,
        "- - outside\n\
         42 - in the request\n\
         7 users running\n\
         9 - own field\n"
    );
}

#[test]
fn spans_attribute_prints_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let logging = logging(dir.path(), "[%(spans)s] %(message)s", "{}");
    tracing::subscriber::with_default(logging.subscriber(), || {
        tracing::info!("no span");
        let request = tracing::info_span!("request", request_id = 42);
        let _r = request.enter();
        let db = tracing::debug_span!("db", table = "users", rows = tracing::field::Empty);
        let _d = db.enter();
        tracing::info!("query");
        db.record("rows", 3);
        tracing::warn!(slow = true, "done");
        let plain = tracing::info_span!("plain");
        let _p = plain.enter();
        tracing::error!("deep");
    });
    drop(logging);
    let text = std::fs::read_to_string(dir.path().join("out.log")).unwrap();
    assert_eq!(
        text,
        "[] no span\n\
         [request{request_id=42}:db{table=\"users\"}] query\n\
         [request{request_id=42}:db{table=\"users\" rows=3}] done slow=true\n\
         [request{request_id=42}:db{table=\"users\" rows=3}:plain] deep\n"
    );
}

#[test]
fn instrumented_arguments_show_in_spans() {
    let dir = tempfile::tempdir().unwrap();
    let logging = logging(dir.path(), "%(funcName)s [%(spans)s] %(message)s", "{}");
    tracing::subscriber::with_default(logging.subscriber(), || query(5, "select 2"));
    drop(logging);
    let text = std::fs::read_to_string(dir.path().join("out.log")).unwrap();
    assert_eq!(
        text,
        "query [query{request_id=5 sql=\"select 2\" table=\"users\"}] running\n"
    );
}

/// What tracing-subscriber's `fmt` prints for the same events, without
/// time, level and target: `spans: message`.
#[test]
fn the_chain_is_fmts() {
    use std::sync::{Arc, Mutex};
    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let events = || {
        let request = tracing::info_span!("request", request_id = 42, user = "ana");
        let _r = request.enter();
        let db = tracing::debug_span!("db", table = "users", ok = true, ratio = 0.5);
        let _d = db.enter();
        tracing::info!("query");
    };
    let buf = Buf::default();
    let writer = buf.clone();
    let fmt = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .without_time()
        .with_level(false)
        .with_target(false)
        .with_max_level(tracing::Level::TRACE)
        .finish();
    tracing::subscriber::with_default(fmt, events);
    let fmt_text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let logging = logging(dir.path(), "%(spans)s: %(message)s", "{}");
    tracing::subscriber::with_default(logging.subscriber(), events);
    drop(logging);
    let ours = std::fs::read_to_string(dir.path().join("out.log")).unwrap();
    assert_eq!(ours, fmt_text);
    assert_eq!(
        ours,
        "request{request_id=42 user=\"ana\"}:db{table=\"users\" ok=true ratio=0.5}: query\n"
    );
}
