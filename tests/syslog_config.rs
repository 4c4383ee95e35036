//! A Python config naming `logging.handlers.SysLogHandler` loads unchanged
//! and sends, through `tracing`, the datagrams CPython 3.13 sends for the
//! same records (`tests/syslog/golden/udp.json`, written by
//! `scripts/syslog/generate.py`).

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::net::UdpSocket;
use std::time::Duration;

/// CPython's datagram for case `n` of `tests/syslog/cases.json`, as bytes.
fn golden(n: usize) -> Vec<u8> {
    let text = std::fs::read_to_string("tests/syslog/golden/udp.json").unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let packet = &json["packets"][n];
    assert_eq!(packet["case"], n);
    let hex = packet["hex"].as_str().unwrap();
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn python_yaml_sends_cpythons_datagrams() {
    let sink = UdpSocket::bind("127.0.0.1:0").unwrap();
    sink.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let port = sink.local_addr().unwrap().port();
    // Cases 0 to 3 of tests/syslog/cases.json, as a Python user writes them.
    let yaml = format!(
        r#"version: 1
handlers:
  c0:
    class: logging.handlers.SysLogHandler
    address: [127.0.0.1, {port}]
  c1:
    class: logging.handlers.SysLogHandler
    address: [127.0.0.1, {port}]
    facility: local0
    '.': {{ident: 'myapp[42]: '}}
  c2:
    class: logging.handlers.SysLogHandler
    address: [127.0.0.1, {port}]
    facility: local7
    '.': {{append_nul: false}}
  c3:
    class: logging.handlers.SysLogHandler
    address: [127.0.0.1, {port}]
    facility: daemon
    '.': {{ident: 'pyudp: '}}
loggers:
  c0: {{level: DEBUG, handlers: [c0], propagate: no}}
  c1: {{level: DEBUG, handlers: [c1], propagate: no}}
  c2: {{level: DEBUG, handlers: [c2], propagate: no}}
  c3: {{level: DEBUG, handlers: [c3], propagate: no}}
"#
    );
    let logging = logconf::Config::from_yaml_str(&yaml)
        .unwrap()
        .build()
        .unwrap();
    tracing::subscriber::with_default(logging.subscriber(), || {
        tracing::info!(target: "c0", "plain info");
        tracing::debug!(target: "c1", "debug with ident");
        tracing::warn!(target: "c2", "warning without nul");
        tracing::error!(target: "c3", "udp error äöü ☃");
    });
    let mut got = Vec::new();
    for _ in 0..4 {
        let mut buf = [0u8; 2048];
        let n = sink.recv(&mut buf).unwrap();
        got.push(buf[..n].to_vec());
    }
    for (n, packet) in got.iter().enumerate() {
        assert_eq!(
            String::from_utf8_lossy(packet),
            String::from_utf8_lossy(&golden(n)),
            "case {n}"
        );
        assert_eq!(packet, &golden(n), "case {n}");
    }
}

#[test]
fn an_unknown_facility_is_a_located_error() {
    let err = logconf::Config::from_yaml_str(
        "version: 1\nhandlers:\n  s:\n    class: logging.handlers.SysLogHandler\n    facility: lcoal0\n",
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(err.is_config(), "{text}");
    assert_eq!(
        err.problems()[0].key_path(),
        "handlers.s.facility",
        "{text}"
    );
    assert_eq!(err.problems()[0].line(), Some(5), "{text}");
    assert!(text.contains("lcoal0"), "{text}");
}
