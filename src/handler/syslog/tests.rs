//! Syslog handler tests: exact packet bytes, CPython's golden packets over
//! loopback UDP and TCP sinks, and reconnection against a sink that goes
//! away. Only 127.0.0.1 and unix sockets in temporary directories are used.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::io::Read;
use std::net::{TcpListener, UdpSocket};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::super::clock::FakeClock;
use super::super::report::{Captured, Reporter};
use super::*;

/// A handler for `options` with a fake clock and captured reports.
pub(super) fn build_handler(options: &SysLogOptions) -> (SysLogHandler, Arc<FakeClock>, Captured) {
    let clock = Arc::new(FakeClock::new());
    let errors = Captured::default();
    let reporter = Reporter::new("sys", Arc::new(errors.clone()));
    let handler = SysLogHandler::new(options, reporter, clock.clone()).unwrap();
    (handler, clock, errors)
}

/// The packet `options` make of `message` at `level`.
fn packet(options: &SysLogOptions, message: &str, level: Level) -> Vec<u8> {
    let mut out = Vec::new();
    Encoder::new(options).encode(message.as_bytes(), level, SystemTime::UNIX_EPOCH, &mut out);
    out
}

#[test]
fn packet_bytes_are_pythons() {
    let mut options = SysLogOptions::default();
    assert_eq!(packet(&options, "hi", Level::INFO), b"<14>hi\0");
    options.facility = Facility::parse("local0").unwrap();
    options.ident = "myapp[42]: ".into();
    assert_eq!(
        packet(&options, "disk äö", Level::ERROR),
        "<131>myapp[42]: disk äö\0".as_bytes()
    );
    options.append_nul = false;
    assert_eq!(packet(&options, "", Level::CRITICAL), b"<130>myapp[42]: ");
    options.facility = Facility::from_number(0).unwrap();
    options.ident.clear();
    assert_eq!(packet(&options, "k", Level::WARNING), b"<4>k");
}

#[test]
fn levels_map_to_pythons_severities() {
    let cases = [
        // DIFFERENCE: Python maps TRACE (an unknown name to it) to warning.
        (Level::TRACE, 7),
        (Level::DEBUG, 7),
        (Level::INFO, 6),
        (Level::WARNING, 4),
        (Level::ERROR, 3),
        (Level::CRITICAL, 2),
        (Level::NOTSET, 4),
        (Level::from_number(15), 4),
        (Level::from_number(25), 4),
        (Level::from_number(60), 4),
    ];
    for (level, expected) in cases {
        assert_eq!(severity(level), expected, "{level:?}");
    }
}

#[test]
fn facilities_parse_as_python_names_them() {
    assert_eq!(Facility::parse("kern").unwrap().number(), 0);
    assert_eq!(Facility::parse("solaris-cron").unwrap().number(), 15);
    assert_eq!(Facility::parse("local7").unwrap().number(), 23);
    assert_eq!(
        Facility::parse("ext://logging.handlers.SysLogHandler.LOG_LOCAL3")
            .unwrap()
            .number(),
        19
    );
    assert_eq!(
        Facility::parse("ext://logging.handlers.SysLogHandler.LOG_SOLARIS_CRON")
            .unwrap()
            .number(),
        15
    );
    assert_eq!(
        Facility::parse("LOCAL0").unwrap_err(),
        "unknown syslog facility `LOCAL0`; did you mean `local0`?"
    );
    let bogus = Facility::parse("bogus").unwrap_err();
    assert!(
        bogus.starts_with("unknown syslog facility `bogus`; expected one of kern, user,"),
        "{bogus}"
    );
    assert_eq!(Facility::from_number(23).unwrap().number(), 23);
    assert_eq!(
        Facility::from_number(24).unwrap_err(),
        "syslog facility 24 is out of range; expected a number from 0 to 23"
    );
    assert!(Facility::from_number(-1).is_err());
}

#[test]
fn socktypes_and_framings_parse() {
    assert_eq!(
        SockType::parse("ext://socket.SOCK_STREAM"),
        Ok(SockType::Stream)
    );
    assert_eq!(
        SockType::parse("ext://socket.SOCK_DGRAM"),
        Ok(SockType::Datagram)
    );
    assert_eq!(SockType::from_number(1), Ok(SockType::Stream));
    assert_eq!(SockType::from_number(2), Ok(SockType::Datagram));
    assert!(SockType::parse("SOCK_RAW").is_err());
    assert!(SockType::from_number(3).is_err());
    assert_eq!(Framing::parse("octet-counting"), Ok(Framing::OctetCounting));
    assert_eq!(Framing::parse("newline"), Ok(Framing::Newline));
    assert_eq!(Framing::parse("none"), Ok(Framing::None));
    assert!(Framing::parse("lf").is_err());
    let mut out = Vec::new();
    Framing::OctetCounting.frame("<14>ä\0".as_bytes(), &mut out);
    assert_eq!(out, "7 <14>ä\0".as_bytes());
    out.clear();
    Framing::Newline.frame(b"<14>x", &mut out);
    assert_eq!(out, b"<14>x\n");
}

#[test]
fn rfc5424_packet() {
    let options = SysLogOptions {
        facility: Facility::parse("user").unwrap(),
        ident: "myapp[42]: ".into(),
        rfc5424: Some(Rfc5424 {
            hostname: Some("web 1".into()),
            app_name: None,
            procid: Some("1234".into()),
            msgid: Some("ID47".into()),
        }),
        ..SysLogOptions::default()
    };
    let mut out = Vec::new();
    let at = SystemTime::UNIX_EPOCH + Duration::from_micros(1_764_849_600_123_456);
    Encoder::new(&options).encode(b"disk full", Level::WARNING, at, &mut out);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "<12>1 2025-12-04T12:00:00.123456Z web_1 myapp 1234 ID47 - disk full"
    );
    // Defaults: the machine's name, no app name without ident, this process.
    let options = SysLogOptions {
        rfc5424: Some(Rfc5424::default()),
        ..SysLogOptions::default()
    };
    let mut out = Vec::new();
    Encoder::new(&options).encode(b"m", Level::INFO, SystemTime::UNIX_EPOCH, &mut out);
    let text = String::from_utf8(out).unwrap();
    let fields: Vec<&str> = text.split(' ').collect();
    assert_eq!(fields[0], "<14>1");
    assert_eq!(fields[1], "1970-01-01T00:00:00.000000Z");
    assert_eq!(fields[3], "-");
    assert_eq!(fields[4], std::process::id().to_string());
    assert_eq!(fields[5..], ["-", "-", "m"]);
}

/// One record of `tests/syslog/cases.json`.
#[derive(Debug)]
struct Case {
    /// The handler's options.
    options: SysLogOptions,
    /// The record's level.
    level: Level,
    /// The formatted message.
    message: String,
}

/// The repository's `tests/syslog` folder.
fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/syslog")
}

/// The shared cases, as handler options for `address`.
fn cases(address: &SysLogAddress, socktype: Option<SockType>) -> Vec<Case> {
    let text = std::fs::read_to_string(data_dir().join("cases.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| {
            let facility = match &case["facility"] {
                serde_json::Value::String(name) => Facility::parse(name).unwrap(),
                number => Facility::from_number(number.as_i64().unwrap()).unwrap(),
            };
            Case {
                options: SysLogOptions {
                    address: address.clone(),
                    socktype,
                    facility,
                    ident: case["ident"].as_str().unwrap().into(),
                    append_nul: case["append_nul"].as_bool().unwrap(),
                    ..SysLogOptions::default()
                },
                level: Level::from_number(u32::try_from(case["level"].as_u64().unwrap()).unwrap()),
                message: case["message"].as_str().unwrap().into(),
            }
        })
        .collect()
}

/// The packets of a golden file, decoded.
fn golden(name: &str) -> Vec<Vec<u8>> {
    let text = std::fs::read_to_string(data_dir().join("golden").join(name)).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["packets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let hex = p["hex"].as_str().unwrap().as_bytes();
            hex.chunks(2)
                .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
                .collect()
        })
        .collect()
}

#[test]
fn udp_packets_match_cpython() {
    let sink = UdpSocket::bind("127.0.0.1:0").unwrap();
    sink.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let port = sink.local_addr().unwrap().port();
    let address = SysLogAddress::Inet {
        host: "127.0.0.1".into(),
        port,
    };
    let expected = golden("udp.json");
    let cases = cases(&address, None);
    assert_eq!(cases.len(), expected.len());
    for (i, (case, want)) in cases.iter().zip(&expected).enumerate() {
        let (handler, _, errors) = build_handler(&case.options);
        handler.emit(case.message.as_bytes(), case.level);
        let mut buf = vec![0u8; 65536];
        let n = sink.recv(&mut buf).unwrap();
        assert_eq!(
            &buf[..n],
            &want[..],
            "case {i}: {:?}",
            String::from_utf8_lossy(&buf[..n])
        );
        assert_eq!(errors.text(), "");
    }
}

#[test]
fn tcp_bytes_match_cpython() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let address = SysLogAddress::Inet {
        host: "127.0.0.1".into(),
        port,
    };
    let expected = golden("tcp.json");
    let cases = cases(&address, Some(SockType::Stream));
    assert_eq!(cases.len(), expected.len());
    for (i, (case, want)) in cases.iter().zip(&expected).enumerate() {
        let (handler, _, errors) = build_handler(&case.options);
        let (mut conn, _) = listener.accept().unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        handler.emit(case.message.as_bytes(), case.level);
        drop(handler);
        let mut got = Vec::new();
        conn.read_to_end(&mut got).unwrap();
        assert_eq!(got, *want, "case {i}: {:?}", String::from_utf8_lossy(&got));
        assert_eq!(errors.text(), "");
    }
}

#[test]
fn udp_send_failure_is_reported_once() {
    // A datagram over the size limit fails to send, every time.
    let sink = UdpSocket::bind("127.0.0.1:0").unwrap();
    let options = SysLogOptions {
        address: SysLogAddress::Inet {
            host: "127.0.0.1".into(),
            port: sink.local_addr().unwrap().port(),
        },
        ..SysLogOptions::default()
    };
    let (handler, _, errors) = build_handler(&options);
    let big = vec![b'x'; 70_000];
    handler.emit(&big, Level::INFO);
    handler.emit(&big, Level::INFO);
    let text = errors.text();
    assert_eq!(text.matches("--- Logging error ---").count(), 1, "{text}");
    assert!(
        text.contains(&format!(
            "handler `sys`: cannot send to syslog at 127.0.0.1:{}: Message too long",
            sink.local_addr().unwrap().port()
        )),
        "{text}"
    );
}

#[test]
fn tcp_connect_failure_is_a_build_error() {
    // A port nobody listens on: bind, note the port, close.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let options = SysLogOptions {
        address: SysLogAddress::Inet {
            host: "127.0.0.1".into(),
            port,
        },
        socktype: Some(SockType::Stream),
        ..SysLogOptions::default()
    };
    let err = SysLogHandler::new(
        &options,
        Reporter::new("sys", Arc::new(Captured::default())),
        Arc::new(FakeClock::new()),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("cannot connect to syslog at 127.0.0.1:{port}: Connection refused (os error 111)")
    );
}

/// Reads octet-counted frames from `conn` until `count` arrived.
fn read_frames(conn: &mut std::net::TcpStream, count: usize) -> Vec<String> {
    let mut data = Vec::new();
    let mut frames = Vec::new();
    let mut buf = [0u8; 4096];
    while frames.len() < count {
        let n = conn.read(&mut buf).unwrap();
        assert!(n > 0, "connection closed after {frames:?}");
        data.extend_from_slice(&buf[..n]);
        while let Some(space) = data.iter().position(|&b| b == b' ') {
            let len: usize = std::str::from_utf8(&data[..space])
                .unwrap()
                .parse()
                .unwrap();
            if data.len() < space + 1 + len {
                break;
            }
            frames.push(String::from_utf8(data[space + 1..space + 1 + len].to_vec()).unwrap());
            data.drain(..space + 1 + len);
        }
    }
    frames
}

#[test]
fn tcp_reconnects_and_sends_the_backlog_in_order() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let options = SysLogOptions {
        address: SysLogAddress::Inet {
            host: "127.0.0.1".into(),
            port: addr.port(),
        },
        socktype: Some(SockType::Stream),
        append_nul: false,
        framing: Framing::OctetCounting,
        ..SysLogOptions::default()
    };
    let (handler, clock, errors) = build_handler(&options);
    let (mut conn, _) = listener.accept().unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    handler.emit(b"one", Level::INFO);
    assert_eq!(read_frames(&mut conn, 1), ["<14>one"]);

    // The daemon closes the connection but listens on: the next record a
    // second after the last connect notices the close and reconnects.
    drop(conn);
    clock.step(RETRY_AFTER, false);
    handler.emit(b"two", Level::INFO);
    let (mut conn, _) = listener.accept().unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    assert_eq!(read_frames(&mut conn, 1), ["<14>two"]);

    // The daemon goes away: records wait in the backlog.
    drop(conn);
    drop(listener);
    clock.step(RETRY_AFTER, false);
    handler.emit(b"three", Level::INFO);
    handler.emit(b"four", Level::WARNING);
    assert_eq!(handler.pending(), (2, 0));
    let text = errors.text();
    assert!(
        text.contains(&format!(
            "cannot connect to syslog at 127.0.0.1:{}: Connection refused",
            addr.port()
        )),
        "{text}"
    );

    // Back on the same port: nothing happens before the back-off ends...
    let listener = TcpListener::bind(addr).unwrap();
    handler.flush();
    assert_eq!(handler.pending(), (2, 0));
    // ...then the periodic flush delivers the backlog, then new records.
    clock.step(RETRY_AFTER, false);
    handler.flush();
    assert_eq!(handler.pending(), (0, 0));
    handler.emit(b"five", Level::ERROR);
    let (mut conn, _) = listener.accept().unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    assert_eq!(
        read_frames(&mut conn, 3),
        ["<14>three", "<12>four", "<11>five"]
    );
    assert!(
        errors.text().contains(&format!(
            "logconf: handler `sys`: reconnected to syslog at 127.0.0.1:{}; 0 records were dropped while it was unreachable\n",
            addr.port()
        )),
        "{}",
        errors.text()
    );
}

#[test]
fn a_full_backlog_drops_and_counts() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let options = SysLogOptions {
        address: SysLogAddress::Inet {
            host: "127.0.0.1".into(),
            port: addr.port(),
        },
        socktype: Some(SockType::Stream),
        append_nul: false,
        framing: Framing::OctetCounting,
        backlog: 20,
        ..SysLogOptions::default()
    };
    let (handler, clock, errors) = build_handler(&options);
    let (conn, _) = listener.accept().unwrap();
    drop(conn);
    drop(listener);
    for message in ["aaaaa", "bbbbb", "ccccc", "ddddd"] {
        handler.emit(message.as_bytes(), Level::INFO);
    }
    // `<14>aaaaa` is 9 bytes: two fit in 20.
    assert_eq!(handler.pending(), (2, 2));
    let text = errors.text();
    assert!(
        text.contains("syslog unreachable, records dropped (backlog: 20 bytes): backlog full"),
        "{text}"
    );
    let listener = TcpListener::bind(addr).unwrap();
    clock.step(RETRY_AFTER, false);
    handler.emit(b"eeeee", Level::INFO);
    let (mut conn, _) = listener.accept().unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    assert_eq!(
        read_frames(&mut conn, 3),
        ["<14>aaaaa", "<14>bbbbb", "<14>eeeee"]
    );
    assert!(
        errors
            .text()
            .contains("2 records were dropped while it was unreachable"),
        "{}",
        errors.text()
    );
}

#[cfg(unix)]
#[test]
fn unix_socket_prefers_datagram_then_falls_back_to_stream() {
    use std::os::unix::net::{UnixDatagram, UnixListener};
    let dir = tempfile::tempdir().unwrap();
    // A datagram socket: used as such.
    let path = dir.path().join("dgram.sock");
    let sink = UnixDatagram::bind(&path).unwrap();
    sink.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let options = SysLogOptions {
        address: SysLogAddress::Unix(path),
        ident: "app: ".into(),
        ..SysLogOptions::default()
    };
    let (handler, _, errors) = build_handler(&options);
    handler.emit(b"via dgram", Level::INFO);
    let mut buf = [0u8; 256];
    let n = sink.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"<14>app: via dgram\0");

    // A stream socket: datagram fails, stream works, no framing.
    let path = dir.path().join("stream.sock");
    let listener = UnixListener::bind(&path).unwrap();
    let options = SysLogOptions {
        address: SysLogAddress::Unix(path),
        ..options
    };
    let (handler2, _, errors2) = build_handler(&options);
    let (mut conn, _) = listener.accept().unwrap();
    handler2.emit(b"via stream", Level::INFO);
    drop(handler2);
    let mut got = Vec::new();
    conn.read_to_end(&mut got).unwrap();
    assert_eq!(got, b"<14>app: via stream\0");
    assert_eq!(errors.text(), "");
    assert_eq!(errors2.text(), "");
}

#[cfg(unix)]
#[test]
fn unix_socket_missing_at_start_is_reported_and_recovers() {
    use std::os::unix::net::UnixDatagram;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.sock");
    let options = SysLogOptions {
        address: SysLogAddress::Unix(path.clone()),
        ..SysLogOptions::default()
    };
    let (handler, clock, errors) = build_handler(&options);
    handler.emit(b"early", Level::INFO);
    let text = errors.text();
    assert!(
        text.contains(&format!(
            "cannot connect to syslog at {}: No such file or directory",
            path.display()
        )),
        "{text}"
    );
    let sink = UnixDatagram::bind(&path).unwrap();
    sink.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    clock.step(RETRY_AFTER, false);
    handler.emit(b"late", Level::INFO);
    let mut buf = [0u8; 256];
    let n = sink.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"<14>early\0");
    let n = sink.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"<14>late\0");
}

#[test]
fn a_stalled_daemon_costs_at_most_the_timeout() {
    // A listener that never reads: writes fill the buffers, then time out.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let options = SysLogOptions {
        address: SysLogAddress::Inet {
            host: "127.0.0.1".into(),
            port: listener.local_addr().unwrap().port(),
        },
        socktype: Some(SockType::Stream),
        timeout: Duration::from_millis(200),
        backlog: 64 * 1024 * 1024,
        ..SysLogOptions::default()
    };
    let (handler, _, errors) = build_handler(&options);
    let (_conn, _) = listener.accept().unwrap();
    let big = vec![b'x'; 1024 * 1024];
    let started = std::time::Instant::now();
    for _ in 0..64 {
        handler.emit(&big, Level::INFO);
    }
    // One timed-out write, then the back-off (the clock does not move):
    // everything else goes to the backlog.
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let text = errors.text();
    assert!(text.contains("cannot send to syslog"), "{text}");
}

#[cfg(unix)]
#[test]
fn a_datagram_too_long_is_reported_and_does_not_hold_up_the_rest() {
    use std::os::unix::net::UnixDatagram;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.sock");
    let sink = UnixDatagram::bind(&path).unwrap();
    sink.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let options = SysLogOptions {
        address: SysLogAddress::Unix(path),
        ..SysLogOptions::default()
    };
    let (handler, _, errors) = build_handler(&options);
    handler.emit(&vec![b'x'; 300_000], Level::INFO);
    handler.emit(b"after", Level::INFO);
    let mut buf = [0u8; 256];
    let n = sink.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"<14>after\0");
    assert_eq!(handler.pending(), (0, 0));
    let text = errors.text();
    assert!(text.contains("Message too long"), "{text}");
}

#[test]
fn inet_addresses_check_the_port() {
    assert_eq!(
        SysLogAddress::inet("::1", 514).unwrap().to_string(),
        "[::1]:514"
    );
    assert_eq!(
        SysLogAddress::inet("localhost", 70000).unwrap_err(),
        "syslog port 70000 is out of range; expected 0 to 65535"
    );
}

#[test]
fn concurrent_records_never_interleave_on_a_stream() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let options = SysLogOptions {
        address: SysLogAddress::Inet {
            host: "127.0.0.1".into(),
            port: listener.local_addr().unwrap().port(),
        },
        socktype: Some(SockType::Stream),
        framing: Framing::OctetCounting,
        append_nul: false,
        ..SysLogOptions::default()
    };
    let (handler, _, errors) = build_handler(&options);
    let (mut conn, _) = listener.accept().unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let handler = Arc::new(handler);
    let reader = std::thread::spawn(move || read_frames(&mut conn, 8 * 200));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let handler = Arc::clone(&handler);
            std::thread::spawn(move || {
                for n in 0..200 {
                    let message = format!("thread {t} record {n} {}", "x".repeat(t * 500));
                    handler.emit(message.as_bytes(), Level::INFO);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let frames = reader.join().unwrap();
    for t in 0..8 {
        let numbers: Vec<usize> = frames
            .iter()
            .filter_map(|f| f.strip_prefix(&format!("<14>thread {t} record ")))
            .map(|rest| {
                let (n, pad) = rest.split_once(' ').unwrap();
                assert_eq!(pad, "x".repeat(t * 500));
                n.parse().unwrap()
            })
            .collect();
        assert_eq!(numbers, (0..200).collect::<Vec<_>>(), "thread {t}");
    }
    assert_eq!(errors.text(), "");
}

#[test]
fn records_never_sent_are_counted_when_the_handler_is_dropped() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let options = SysLogOptions {
        address: SysLogAddress::Inet {
            host: "127.0.0.1".into(),
            port,
        },
        socktype: Some(SockType::Stream),
        ..SysLogOptions::default()
    };
    let (handler, _, errors) = build_handler(&options);
    drop(listener.accept().unwrap());
    drop(listener);
    handler.emit(b"one", Level::INFO);
    handler.emit(b"two", Level::INFO);
    assert_eq!(handler.pending(), (2, 0));
    drop(handler);
    let text = errors.text();
    assert!(
        text.ends_with(&format!(
            "logconf: handler `sys`: 2 records for syslog at 127.0.0.1:{port} were never sent\n"
        )),
        "{text}"
    );
}
