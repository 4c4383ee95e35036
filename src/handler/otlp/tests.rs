//! Unit tests of the OTLP handler's pieces that need no collector; the
//! end-to-end tests against a real one are in `tests/otlp.rs`.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use opentelemetry::logs::Severity;

use super::map::{is_exporter_target, severity, severity_text};
use super::worker::http_url;
use super::*;
use crate::format::Fields;
use crate::handler::clock::SystemClock;
use crate::handler::report::Captured;

#[test]
fn severity_follows_pythons_std_to_otel() {
    // (levelno, number, text) as opentelemetry-sdk 1.45's std_to_otel and
    // LoggingHandler give them; below 10 is logconf's own choice (TRACE).
    let table: &[(u32, i32, &str)] = &[
        (5, 1, "TRACE"),
        (10, 5, "DEBUG"),
        (11, 6, "DEBUG2"),
        (12, 7, "DEBUG3"),
        (13, 8, "DEBUG4"),
        (19, 8, "DEBUG4"),
        (20, 9, "INFO"),
        (21, 10, "INFO2"),
        (25, 12, "INFO4"),
        (30, 13, "WARN"),
        (33, 16, "WARN4"),
        (40, 17, "ERROR"),
        (42, 19, "ERROR3"),
        (50, 21, "FATAL"),
        (53, 24, "FATAL4"),
        (99, 24, "FATAL4"),
    ];
    for &(levelno, number, text) in table {
        let level = Level::from_number(levelno);
        assert_eq!(severity(level) as i32, number, "levelno {levelno}");
        assert_eq!(severity_text(level), text, "levelno {levelno}");
    }
    assert_eq!(severity(Level::WARNING), Severity::Warn);
}

#[test]
fn exporter_targets_match_whole_first_segments() {
    for target in [
        "opentelemetry",
        "opentelemetry_sdk::logs",
        "opentelemetry_otlp",
        "tonic::transport::channel",
        "hyper_util::client::legacy::pool",
        "h2::codec",
        "tower::buffer::worker",
        "reqwest::connect",
        "rustls::client",
    ] {
        assert!(is_exporter_target(target), "{target}");
    }
    for target in ["app", "h2o::x", "towers", "app::hyper", "request", ""] {
        assert!(!is_exporter_target(target), "{target}");
    }
}

#[test]
fn http_endpoint_gets_the_logs_path_once() {
    assert_eq!(
        http_url("http://127.0.0.1:4318"),
        "http://127.0.0.1:4318/v1/logs"
    );
    assert_eq!(
        http_url("http://127.0.0.1:4318/"),
        "http://127.0.0.1:4318/v1/logs"
    );
    assert_eq!(
        http_url("https://otel.example/prefix"),
        "https://otel.example/prefix/v1/logs"
    );
    assert_eq!(
        http_url("http://127.0.0.1:4318/v1/logs"),
        "http://127.0.0.1:4318/v1/logs"
    );
}

#[test]
fn counts_lines() {
    assert_eq!(counts_line(0, 0), None);
    assert_eq!(
        counts_line(1, 0).as_deref(),
        Some("1 record dropped (queue full)")
    );
    assert_eq!(
        counts_line(0, 3).as_deref(),
        Some("3 records lost (export failed)")
    );
    assert_eq!(
        counts_line(2, 1).as_deref(),
        Some("2 records dropped (queue full), 1 record lost (export failed)")
    );
}

fn record<'a>(fields: &'a Fields) -> Record<'a> {
    Record {
        name: "app::db",
        level: Level::INFO,
        message: "hello user=\"alice\"",
        event_message: "hello",
        fields,
        pathname: "src/db.rs",
        module_path: "app::db",
        lineno: 7,
        func_name: "",
        created_ns: 0,
        relative_ns: 0,
        thread_id: 0,
        thread_name: "",
        process_id: 0,
        process_name: "",
        span_fields: fields,
        spans: "",
    }
}

/// A port nothing listens on (bound, then closed).
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(9)
}

#[test]
fn full_queue_drops_counts_and_reports() {
    let captured = Captured::default();
    let options = OtlpOptions {
        endpoint: Some(format!("http://127.0.0.1:{}", closed_port())),
        batch: BatchOptions {
            max_queue: 4,
            batch_size: 4,
            // Nothing leaves the queue until the flush below.
            delay: Duration::from_secs(3600),
        },
        timeout: Duration::from_secs(5),
        ..OtlpOptions::default()
    };
    let reporter = Reporter::new("otel", Arc::new(captured.clone()));
    let handler =
        OtlpHandler::new(&options, reporter, Arc::new(SystemClock)).expect("the exporter builds");
    let mut fields = Fields::default();
    fields.push_str("user", "alice");
    let started = Instant::now();
    // The thread may take the first batch of 4 as soon as it is full:
    // record 4 + 6 = 10 records, of which at most 8 can be queued.
    for _ in 0..10 {
        handler.emit_record(&record(&fields), None, None);
    }
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let first = captured.text();
    assert!(
        first.contains("logconf: handler `otel`: queue full (4 records): records are dropped"),
        "{first}"
    );
    handler.flush();
    let text = captured.text();
    // The export failed (nothing listens): what was queued is lost, the
    // rest was dropped; together, all 10.
    assert!(text.contains("cannot export to the collector"), "{text}");
    let counts = text
        .lines()
        .find(|l| l.contains("dropped (queue full)"))
        .unwrap_or_default()
        .to_owned();
    let numbers: Vec<u64> = counts
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    assert_eq!(numbers.iter().sum::<u64>(), 10, "{counts}");
    assert!(numbers.first().is_some_and(|&d| d >= 2), "{counts}");
}

#[test]
fn records_from_the_export_thread_or_exporter_crates_are_not_queued() {
    let options = OtlpOptions {
        endpoint: Some(format!("http://127.0.0.1:{}", closed_port())),
        batch: BatchOptions {
            max_queue: 1,
            batch_size: 1,
            delay: Duration::from_secs(3600),
        },
        ..OtlpOptions::default()
    };
    let captured = Captured::default();
    let handler = OtlpHandler::new(
        &options,
        Reporter::new("otel", Arc::new(captured.clone())),
        Arc::new(SystemClock),
    )
    .expect("the exporter builds");
    let fields = Fields::default();
    let mut hyper = record(&fields);
    hyper.name = "hyper_util::client::legacy::connect::http";
    for _ in 0..5 {
        handler.emit_record(&hyper, None, None);
    }
    assert_eq!(handler.queue.lock().items.len(), 0);
    assert_eq!(handler.queue.dropped.load(Ordering::Relaxed), 0);
    assert_eq!(captured.text(), "");
}

#[test]
fn a_bad_header_is_a_build_error() {
    let options = OtlpOptions {
        protocol: Protocol::Grpc,
        endpoint: Some("http://127.0.0.1:4317".into()),
        headers: vec![("bad header".into(), "x".into())],
        ..OtlpOptions::default()
    };
    let err = OtlpHandler::new(
        &options,
        Reporter::new("otel", Arc::new(Captured::default())),
        Arc::new(SystemClock),
    )
    .expect_err("an invalid metadata key");
    assert!(err.to_string().contains("header `bad header`"), "{err}");
}
