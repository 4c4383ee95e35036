//! Tests against a real rsyslogd: each test starts its own unprivileged
//! daemon with a config of its own in a temporary directory (a unix socket,
//! UDP and two TCP inputs on free loopback ports), sends through the
//! handler and reads what rsyslog wrote, one JSON object per record, with
//! the facility, severity, tag, app-name, message and raw packet as rsyslog
//! parsed them.
//!
//! Without rsyslogd (`apt-get install -y rsyslog`) the tests print a notice
//! and pass, unless the environment variable `CI` is set: then they fail.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::net::{TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::super::clock::SystemClock;
use super::super::report::{Captured, Reporter};
use super::*;

/// The rsyslogd binary, if installed.
fn rsyslogd_binary() -> Option<PathBuf> {
    let from_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("rsyslogd"))
            .find(|candidate| candidate.is_file())
    });
    from_path.or_else(|| {
        ["/usr/sbin/rsyslogd", "/sbin/rsyslogd"]
            .iter()
            .map(PathBuf::from)
            .find(|candidate| candidate.is_file())
    })
}

/// A free loopback TCP port (and a UDP port free at the same number is
/// not needed: UDP gets its own).
fn free_tcp_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A free loopback UDP port.
fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One record as rsyslog wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Written {
    /// `%syslogfacility-text%`.
    facility: String,
    /// `%syslogseverity-text%`.
    severity: String,
    /// `%syslogtag%`.
    tag: String,
    /// `%app-name%`.
    app: String,
    /// `%procid%`.
    procid: String,
    /// `%msgid%`.
    msgid: String,
    /// `%msg%`.
    msg: String,
    /// `%rawmsg%`.
    raw: String,
}

/// A running rsyslogd with its own config, ports and output.
#[derive(Debug)]
pub(super) struct Rsyslogd {
    /// The temporary directory holding config, socket, work dir and output.
    dir: tempfile::TempDir,
    /// The binary.
    binary: PathBuf,
    /// The daemon, while it runs.
    child: Option<Child>,
    /// The unix datagram socket (imuxsock).
    pub(super) socket: PathBuf,
    /// The UDP port (imudp).
    pub(super) udp_port: u16,
    /// The TCP port framing on LF or octet counts (imtcp).
    pub(super) tcp_port: u16,
    /// The TCP port that also frames on NUL, for CPython's bytes.
    pub(super) tcp_nul_port: u16,
}

impl Rsyslogd {
    /// Starts a daemon, or returns `None` (after a notice) when rsyslogd is
    /// not installed; with `CI` set, a missing rsyslogd fails the test.
    pub(super) fn start(test: &str) -> Option<Rsyslogd> {
        let Some(binary) = rsyslogd_binary() else {
            assert!(
                std::env::var_os("CI").is_none(),
                "rsyslogd is not installed but CI is set: run `apt-get install -y rsyslog` \
                 (.ci/run does) so the syslog tests can run"
            );
            eprintln!(
                "NOTICE: {test} skipped: rsyslogd is not installed (apt-get install -y rsyslog)"
            );
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let mut daemon = Rsyslogd {
            socket: dir.path().join("log.sock"),
            udp_port: free_udp_port(),
            tcp_port: free_tcp_port(),
            tcp_nul_port: free_tcp_port(),
            dir,
            binary,
            child: None,
        };
        std::fs::create_dir_all(daemon.dir.path().join("work")).unwrap();
        std::fs::write(daemon.dir.path().join("rsyslog.conf"), daemon.config()).unwrap();
        let check = Command::new(&daemon.binary)
            .arg("-N1")
            .arg("-f")
            .arg(daemon.dir.path().join("rsyslog.conf"))
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "rsyslogd rejected the test config: {}",
            String::from_utf8_lossy(&check.stderr)
        );
        daemon.run();
        Some(daemon)
    }

    /// The daemon's config: the research recipe with this daemon's paths and
    /// ports, writing one JSON object per record.
    fn config(&self) -> String {
        let dir = self.dir.path().display();
        format!(
            r#"global(workDirectory="{dir}/work")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="{socket}" CreatePath="on")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="{udp}")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="{tcp}")
input(type="imtcp" address="127.0.0.1" port="{tcp_nul}" AddtlFrameDelimiter="0")
template(name="Json" type="list" option.jsonf="on") {{
  property(outname="facility" name="syslogfacility-text" format="jsonf")
  property(outname="severity" name="syslogseverity-text" format="jsonf")
  property(outname="tag" name="syslogtag" format="jsonf")
  property(outname="app" name="app-name" format="jsonf")
  property(outname="procid" name="procid" format="jsonf")
  property(outname="msgid" name="msgid" format="jsonf")
  property(outname="msg" name="msg" format="jsonf")
  property(outname="raw" name="rawmsg" format="jsonf")
}}
*.* action(type="omfile" file="{dir}/all.jsonl" template="Json")
"#,
            socket = self.socket.display(),
            udp = self.udp_port,
            tcp = self.tcp_port,
            tcp_nul = self.tcp_nul_port,
        )
    }

    /// Starts the daemon in the foreground and waits until its inputs
    /// accept connections.
    fn run(&mut self) {
        let child = Command::new(&self.binary)
            .arg("-n")
            .arg("-f")
            .arg(self.dir.path().join("rsyslog.conf"))
            .arg("-i")
            .arg(self.dir.path().join("rsyslogd.pid"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let ready = [self.tcp_port, self.tcp_nul_port]
                .iter()
                .all(|port| TcpStream::connect(("127.0.0.1", *port)).is_ok())
                && std::os::unix::net::UnixDatagram::unbound()
                    .and_then(|s| s.connect(&self.socket))
                    .is_ok();
            if ready {
                break;
            }
            assert!(Instant::now() < deadline, "rsyslogd did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        // The UDP input cannot be probed without a record; it starts with
        // the others.
        std::thread::sleep(Duration::from_millis(100));
    }

    /// Stops the daemon with SIGTERM (it writes out what it has) and waits.
    pub(super) fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let termed = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status()
            .is_ok_and(|s| s.success());
        if !termed {
            let _ = child.kill();
        }
        let _ = child.wait();
    }

    /// Stops and starts the daemon on the same socket and ports.
    pub(super) fn restart(&mut self) {
        self.stop();
        self.run();
    }

    /// The records written so far.
    pub(super) fn written(&self) -> Vec<Written> {
        let text = std::fs::read_to_string(self.dir.path().join("all.jsonl")).unwrap_or_default();
        text.lines()
            .filter(|line| !line.trim().is_empty())
            .map(|line| {
                let json: serde_json::Value = serde_json::from_str(line)
                    .unwrap_or_else(|err| panic!("rsyslog wrote {line:?}: {err}"));
                let field = |name: &str| json[name].as_str().unwrap_or_default().to_owned();
                Written {
                    facility: field("facility"),
                    severity: field("severity"),
                    tag: field("tag"),
                    app: field("app"),
                    procid: field("procid"),
                    msgid: field("msgid"),
                    msg: field("msg"),
                    raw: field("raw"),
                }
            })
            .collect()
    }

    /// Waits (up to 10 s) until at least `count` records are written and
    /// returns them.
    pub(super) fn wait_for(&self, count: usize) -> Vec<Written> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let written = self.written();
            if written.len() >= count || Instant::now() >= deadline {
                return written;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The directory (for error messages).
    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Rsyslogd {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A handler for `options` on the system clock, with captured reports.
fn build(options: &SysLogOptions) -> (SysLogHandler, Captured) {
    let errors = Captured::default();
    let reporter = Reporter::new("sys", Arc::new(errors.clone()));
    let handler = SysLogHandler::new(options, reporter, Arc::new(SystemClock)).unwrap();
    (handler, errors)
}

/// `127.0.0.1:port`.
fn inet(port: u16) -> SysLogAddress {
    SysLogAddress::Inet {
        host: "127.0.0.1".into(),
        port,
    }
}

#[test]
fn rsyslog_reads_facility_severity_tag_and_message_on_every_transport() {
    let Some(daemon) = Rsyslogd::start("rsyslog_reads_facility_severity_tag_and_message") else {
        return;
    };
    let base = SysLogOptions {
        facility: Facility::parse("local3").unwrap(),
        ident: "myapp[42]: ".into(),
        ..SysLogOptions::default()
    };
    let transports = [
        (
            "unix",
            SysLogOptions {
                address: SysLogAddress::Unix(daemon.socket.clone()),
                ..base.clone()
            },
        ),
        (
            "udp",
            SysLogOptions {
                address: inet(daemon.udp_port),
                ..base.clone()
            },
        ),
        (
            "tcp-python-bytes",
            // CPython's bytes (NUL-terminated, no framing) on the input
            // that frames on NUL.
            SysLogOptions {
                address: inet(daemon.tcp_nul_port),
                socktype: Some(SockType::Stream),
                ..base.clone()
            },
        ),
        (
            "tcp-octet-counting",
            SysLogOptions {
                address: inet(daemon.tcp_port),
                socktype: Some(SockType::Stream),
                framing: Framing::OctetCounting,
                append_nul: false,
                ..base.clone()
            },
        ),
        (
            "tcp-octet-counting-nul",
            SysLogOptions {
                address: inet(daemon.tcp_port),
                socktype: Some(SockType::Stream),
                framing: Framing::OctetCounting,
                ..base.clone()
            },
        ),
        (
            "tcp-newline-nul",
            SysLogOptions {
                address: inet(daemon.tcp_port),
                socktype: Some(SockType::Stream),
                framing: Framing::Newline,
                ..base.clone()
            },
        ),
        (
            "tcp-newline",
            SysLogOptions {
                address: inet(daemon.tcp_port),
                socktype: Some(SockType::Stream),
                framing: Framing::Newline,
                append_nul: false,
                ..base.clone()
            },
        ),
    ];
    let levels = [
        (Level::TRACE, "debug"),
        (Level::DEBUG, "debug"),
        (Level::INFO, "info"),
        (Level::WARNING, "warning"),
        (Level::ERROR, "err"),
        (Level::CRITICAL, "crit"),
    ];
    let mut expected = Vec::new();
    for (name, options) in &transports {
        let (handler, errors) = build(options);
        for (level, _) in levels {
            let message = format!("{name} {level} äö");
            handler.emit(message.as_bytes(), level);
            expected.push(message);
        }
        drop(handler);
        assert_eq!(errors.text(), "", "{name}");
    }
    let written = daemon.wait_for(expected.len());
    assert_eq!(
        written.len(),
        expected.len(),
        "{written:#?} in {}",
        daemon.path().display()
    );
    for message in &expected {
        let got = written
            .iter()
            .find(|w| w.msg.trim_start() == message)
            .unwrap_or_else(|| panic!("{message:?} not in {written:#?}"));
        let severity = levels
            .iter()
            .find(|(level, _)| message.ends_with(&format!(" {level} äö")))
            .map(|(_, s)| *s)
            .unwrap();
        assert_eq!(got.facility, "local3", "{got:?}");
        assert_eq!(got.severity, severity, "{got:?}");
        assert_eq!(got.tag, "myapp[42]:", "{got:?}");
        assert_eq!(got.app, "myapp", "{got:?}");
        assert_eq!(got.procid, "42", "{got:?}");
        // rsyslog drops a trailing NUL whatever the framing.
        let pri = 19 * 8
            + ["crit", "err", "warning", "info", "debug"]
                .iter()
                .position(|s| *s == severity)
                .map_or(0, |i| [2, 3, 4, 6, 7][i]);
        assert_eq!(got.raw, format!("<{pri}>myapp[42]: {message}"), "{got:?}");
    }
}

#[test]
fn rsyslog_reads_rfc5424() {
    let Some(daemon) = Rsyslogd::start("rsyslog_reads_rfc5424") else {
        return;
    };
    let options = SysLogOptions {
        address: inet(daemon.tcp_port),
        socktype: Some(SockType::Stream),
        framing: Framing::OctetCounting,
        facility: Facility::parse("daemon").unwrap(),
        rfc5424: Some(Rfc5424 {
            hostname: Some("web1".into()),
            app_name: Some("billing".into()),
            procid: Some("4711".into()),
            msgid: Some("INVOICE".into()),
        }),
        ..SysLogOptions::default()
    };
    let (handler, errors) = build(&options);
    handler.emit(b"rfc5424 over tcp\nsecond line", Level::ERROR);
    drop(handler);
    let written = daemon.wait_for(1);
    assert_eq!(written.len(), 1, "{written:?}");
    let got = &written[0];
    assert_eq!(
        (got.facility.as_str(), got.severity.as_str()),
        ("daemon", "err")
    );
    assert_eq!(
        (got.app.as_str(), got.procid.as_str(), got.msgid.as_str()),
        ("billing", "4711", "INVOICE")
    );
    // rsyslog escapes the newline on receipt.
    assert_eq!(got.msg, "rfc5424 over tcp#012second line");
    assert_eq!(errors.text(), "");
}

/// Sends `first..last` as `"{name} record {n}"` at INFO.
fn send_range(handler: &SysLogHandler, name: &str, range: std::ops::Range<u32>) {
    for n in range {
        handler.emit(format!("{name} record {n}").as_bytes(), Level::INFO);
    }
}

/// The restart scenario on one transport: records before, during and after
/// a daemon restart all arrive, once each and in order.
fn restart_loses_nothing(name: &str, options: impl Fn(&Rsyslogd) -> SysLogOptions) {
    let Some(mut daemon) = Rsyslogd::start(name) else {
        return;
    };
    let (handler, errors) = build(&options(&daemon));
    send_range(&handler, name, 0..5);
    assert_eq!(daemon.wait_for(5).len(), 5);

    daemon.stop();
    // The daemon is down: these wait in the backlog.
    std::thread::sleep(RETRY_AFTER);
    send_range(&handler, name, 5..10);
    assert_eq!(handler.pending(), (5, 0), "{}", errors.text());

    daemon.restart();
    // The next record more than a second after the failed attempt
    // reconnects and sends the backlog first.
    std::thread::sleep(RETRY_AFTER);
    send_range(&handler, name, 10..15);
    assert_eq!(handler.pending(), (0, 0), "{}", errors.text());

    assert_eq!(daemon.wait_for(15).len(), 15);

    // A restart while nothing is sent: the first record after it notices
    // the closed connection and goes over a new one (CPython loses it
    // over TCP, then fails for good).
    daemon.restart();
    std::thread::sleep(RETRY_AFTER);
    send_range(&handler, name, 15..20);
    assert_eq!(handler.pending(), (0, 0), "{}", errors.text());

    let written = daemon.wait_for(20);
    let messages: Vec<String> = written.iter().map(|w| w.msg.trim().to_owned()).collect();
    let expected: Vec<String> = (0..20).map(|n| format!("{name} record {n}")).collect();
    assert_eq!(messages, expected);
    let text = errors.text();
    assert!(
        text.contains("; 0 records were dropped while it was unreachable\n"),
        "{text}"
    );
}

#[test]
fn rsyslog_restart_loses_no_record_over_tcp() {
    restart_loses_nothing("tcp", |daemon| SysLogOptions {
        address: inet(daemon.tcp_port),
        socktype: Some(SockType::Stream),
        framing: Framing::OctetCounting,
        append_nul: false,
        ident: "app: ".into(),
        ..SysLogOptions::default()
    });
}

#[test]
fn rsyslog_restart_loses_no_record_over_the_unix_socket() {
    restart_loses_nothing("unix", |daemon| SysLogOptions {
        address: SysLogAddress::Unix(daemon.socket.clone()),
        ident: "app: ".into(),
        ..SysLogOptions::default()
    });
}
