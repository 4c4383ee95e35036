//! `logging.handlers.SysLogHandler`: records sent to a syslog daemon over
//! UDP, TCP or a unix socket, with CPython 3.13's exact packet bytes.
//!
//! ```yaml
//! handlers:
//!   sys:
//!     class: logging.handlers.SysLogHandler
//!     address: [127.0.0.1, 514]          # or /dev/log (a unix socket)
//!     socktype: ext://socket.SOCK_STREAM # TCP; UDP without it
//!     facility: local0                   # a name or a number (16)
//!     '.': {ident: 'myapp[42]: ', append_nul: false}
//!     framing: octet-counting            # logconf only: TCP frames
//! ```
//!
//! # The packet
//!
//! `emit` receives the formatted record without a line terminator (the
//! handler owns its terminator, and syslog has none). As in CPython: `<PRI>` + `ident` + the formatted record + a NUL byte
//! (unless `append_nul: false`), where `PRI = facility * 8 + severity`.
//! There is no timestamp, hostname or version: the daemon adds them. With
//! `rfc5424:` (logconf only) the packet is an RFC 5424 message instead (see
//! [`Rfc5424`]).
//!
//! | level | severity |
//! |---|---|
//! | `TRACE` (5) | `debug` (7): **DIFFERENCE**, Python's rule gives `warning` |
//! | `DEBUG` (10) | `debug` (7) |
//! | `INFO` (20) | `info` (6) |
//! | `WARNING` (30) | `warning` (4) |
//! | `ERROR` (40) | `error` (3) |
//! | `CRITICAL` (50) | `critical` (2) |
//! | any other number | `warning` (4), as in Python |
//!
//! # Transports
//!
//! - UDP (`[host, port]`, the default): the address is resolved when the
//!   handler is built and each packet is sent with one `sendto`, outside the
//!   handler's lock. A failed send is reported once per kind; the record is
//!   lost (UDP cannot tell whether anything arrived).
//! - TCP (`socktype: ext://socket.SOCK_STREAM`): connected when built (a
//!   refused connection is a build error, as in Python). Records are framed
//!   by [`Framing`] (none by default, Python's bytes).
//! - A unix socket (a string address): datagram first, then stream, and the
//!   type that worked is kept (Python's fallback); a failure to connect when
//!   built is not an error (Python swallows it too): the next record tries.
//!
//! # Failures and reconnection (connection transports: TCP, unix)
//!
//! Before each write on a stream socket the handler checks, without
//! blocking, whether the daemon closed the connection (a syslog daemon never
//! sends anything back, so a readable socket means end of file). A closed
//! connection, or a failed send, is dropped; a new connection is attempted
//! at once if the last attempt is more than a second old (so a connection
//! that lived reconnects at once, as Python does for unix sockets only: it
//! never reconnects TCP), and otherwise on the first record or periodic
//! flush a second after the last attempt: at most one attempt per second.
//! Records in between wait in a bounded backlog (`backlog:`, 1 MiB of
//! packets by default) that is sent, in order, before anything else once
//! connected. A record that does not fit is dropped and counted; the count
//! is reported when the connection comes back (or when the handler is
//! dropped). A datagram too long for the socket is reported and dropped.
//!
//! Connecting and each write are bounded by `timeout:` (1 s by default). A
//! daemon that stops reading costs the record that finds out at most three
//! timeouts (the write, one reconnect, one more write); the records after
//! it go to the backlog without waiting until the next attempt a second
//! later.
//!
//! What is guaranteed across a daemon restart: every record emitted while
//! the daemon was down (up to the backlog) is delivered after it is back,
//! and a connection the daemon closed is noticed before the next record is
//! written into it. Not guaranteed: records already accepted by the
//! kernel but not yet read by the daemon when it stops (the protocol has no
//! acknowledgements), and a record whose write failed half way may arrive
//! twice, the first copy cut short (it is sent again whole rather than lost).
//!
//! The handler's lock is held while a connection transport sends (frames on
//! one stream must not interleave), bounded by `timeout:`; reports are
//! written after it is released.

use std::collections::VecDeque;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use super::Handler;
use super::clock::{Backoff, Clock, RETRY_AFTER};
use super::report::{Op, Reporter, Reports};
use crate::level::Level;

mod class;
mod transport;

pub(crate) use class::CLASS;

#[cfg(test)]
mod rsyslog;
#[cfg(test)]
mod tests;

use transport::Conn;

/// CPython's `SYSLOG_UDP_PORT`.
pub(crate) const SYSLOG_UDP_PORT: u16 = 514;

/// Where the daemon listens (`address:`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SysLogAddress {
    /// `[host, port]`: UDP, or TCP with `socktype: SOCK_STREAM`.
    Inet {
        /// A host name or an IP address.
        host: String,
        /// The port.
        port: u16,
    },
    /// A string: the path of a unix socket (`/dev/log`).
    Unix(PathBuf),
}

impl SysLogAddress {
    /// `[host, port]` as a config writes it: a port from 0 to 65535.
    pub(crate) fn inet(host: &str, port: i64) -> Result<SysLogAddress, String> {
        let port = u16::try_from(port)
            .map_err(|_| format!("syslog port {port} is out of range; expected 0 to 65535"))?;
        Ok(SysLogAddress::Inet {
            host: host.to_owned(),
            port,
        })
    }
}

impl Default for SysLogAddress {
    /// Python's default, `('localhost', 514)`.
    fn default() -> SysLogAddress {
        SysLogAddress::Inet {
            host: "localhost".to_owned(),
            port: SYSLOG_UDP_PORT,
        }
    }
}

impl std::fmt::Display for SysLogAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SysLogAddress::Inet { host, port } if host.contains(':') => {
                write!(f, "[{host}]:{port}")
            }
            SysLogAddress::Inet { host, port } => write!(f, "{host}:{port}"),
            SysLogAddress::Unix(path) => write!(f, "{}", path.display()),
        }
    }
}

/// A socket type (`socktype:`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SockType {
    /// `ext://socket.SOCK_STREAM` (1): TCP, or a unix stream socket.
    Stream,
    /// `ext://socket.SOCK_DGRAM` (2): UDP, or a unix datagram socket.
    Datagram,
}

impl SockType {
    /// Parses `ext://socket.SOCK_STREAM` or `ext://socket.SOCK_DGRAM`.
    pub(crate) fn parse(text: &str) -> Result<SockType, String> {
        match text {
            "ext://socket.SOCK_STREAM" => Ok(SockType::Stream),
            "ext://socket.SOCK_DGRAM" => Ok(SockType::Datagram),
            _ => Err(format!(
                "unknown socket type `{text}`; expected `ext://socket.SOCK_STREAM` or `ext://socket.SOCK_DGRAM`"
            )),
        }
    }

    /// Linux's numbers: 1 is `SOCK_STREAM`, 2 is `SOCK_DGRAM`.
    pub(crate) fn from_number(n: i64) -> Result<SockType, String> {
        match n {
            1 => Ok(SockType::Stream),
            2 => Ok(SockType::Datagram),
            _ => Err(format!(
                "unknown socket type {n}; expected 1 (SOCK_STREAM) or 2 (SOCK_DGRAM)"
            )),
        }
    }
}

/// A syslog facility, 0 (`kern`) to 23 (`local7`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Facility(u8);

/// CPython 3.13's `SysLogHandler.facility_names`, in number order.
const FACILITY_NAMES: [(&str, u8); 24] = [
    ("kern", 0),
    ("user", 1),
    ("mail", 2),
    ("daemon", 3),
    ("auth", 4),
    ("syslog", 5),
    ("lpr", 6),
    ("news", 7),
    ("uucp", 8),
    ("cron", 9),
    ("authpriv", 10),
    ("ftp", 11),
    ("ntp", 12),
    ("security", 13),
    ("console", 14),
    ("solaris-cron", 15),
    ("local0", 16),
    ("local1", 17),
    ("local2", 18),
    ("local3", 19),
    ("local4", 20),
    ("local5", 21),
    ("local6", 22),
    ("local7", 23),
];

/// The `ext://` prefix of CPython's facility constants.
const FACILITY_CONSTANT: &str = "ext://logging.handlers.SysLogHandler.LOG_";

impl Facility {
    /// `user` (1), Python's default.
    pub(crate) const USER: Facility = Facility(1);

    /// Parses a facility name as CPython's `facility_names` spells it
    /// (`local0`, case-sensitive), or a constant
    /// `ext://logging.handlers.SysLogHandler.LOG_LOCAL0`.
    pub(crate) fn parse(text: &str) -> Result<Facility, String> {
        let name = match text.strip_prefix(FACILITY_CONSTANT) {
            // LOG_SOLARIS_CRON is the constant of `solaris-cron`.
            Some(constant) => constant.to_ascii_lowercase().replace('_', "-"),
            None => text.to_owned(),
        };
        if let Some(&(_, n)) = FACILITY_NAMES.iter().find(|(known, _)| *known == name) {
            return Ok(Facility(n));
        }
        let lower = text.to_ascii_lowercase();
        let hint = match FACILITY_NAMES.iter().find(|(known, _)| *known == lower) {
            Some((known, _)) => format!("; did you mean `{known}`?"),
            None => "; expected one of kern, user, mail, daemon, auth, syslog, lpr, news, uucp, \
                     cron, authpriv, ftp, ntp, security, console, solaris-cron, local0 to local7, \
                     or a number from 0 to 23"
                .to_owned(),
        };
        Err(format!("unknown syslog facility `{text}`{hint}"))
    }

    /// A facility by number (`LOG_LOCAL0` is 16).
    pub(crate) fn from_number(n: i64) -> Result<Facility, String> {
        match u8::try_from(n) {
            Ok(n) if n <= 23 => Ok(Facility(n)),
            _ => Err(format!(
                "syslog facility {n} is out of range; expected a number from 0 to 23"
            )),
        }
    }

    /// The facility's number.
    pub(crate) fn number(self) -> u8 {
        self.0
    }
}

/// The syslog severity CPython's `mapPriority` gives a level, except that
/// `TRACE` is `debug` (7) rather than `warning`.
pub(crate) fn severity(level: Level) -> u8 {
    match level {
        Level::TRACE | Level::DEBUG => 7,
        Level::INFO => 6,
        Level::ERROR => 3,
        Level::CRITICAL => 2,
        // WARNING and every level without a name in `priority_map`.
        _ => 4,
    }
}

/// How records are delimited on a stream socket (`framing:`, logconf only).
///
/// The default is CPython's (none), so that a Python config sends the same
/// bytes and a receiver already set up for Python's stream keeps working.
/// A stock rsyslog merges such records; there, either add
/// `AddtlFrameDelimiter="0"` to the `imtcp` input or set
/// `framing: octet-counting` (tested against rsyslog 8.2302 with both
/// `append_nul` values: it drops the trailing NUL).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Framing {
    /// `none` (the default): packets back to back, CPython's bytes. rsyslog
    /// reads them apart only with `AddtlFrameDelimiter="0"` on its `imtcp`
    /// input (and `append_nul` left on); otherwise it merges records.
    #[default]
    None,
    /// `octet-counting`: `LENGTH SP PACKET` (RFC 6587 section 3.4.1), read
    /// correctly by rsyslog and syslog-ng's `syslog()` source whatever the
    /// message holds (newlines included).
    OctetCounting,
    /// `newline`: the packet, then `\n` (RFC 6587 section 3.4.2), what most
    /// plain TCP receivers expect; a newline inside a message splits it.
    Newline,
}

impl Framing {
    /// Parses `none`, `octet-counting` or `newline`.
    pub(crate) fn parse(text: &str) -> Result<Framing, String> {
        match text {
            "none" => Ok(Framing::None),
            "octet-counting" => Ok(Framing::OctetCounting),
            "newline" => Ok(Framing::Newline),
            _ => Err(format!(
                "unknown syslog framing `{text}`; expected `none`, `octet-counting` or `newline`"
            )),
        }
    }

    /// Appends `packet`, framed, to `out`.
    pub(crate) fn frame(self, packet: &[u8], out: &mut Vec<u8>) {
        match self {
            Framing::None => out.extend_from_slice(packet),
            Framing::OctetCounting => {
                out.extend_from_slice(packet.len().to_string().as_bytes());
                out.push(b' ');
                out.extend_from_slice(packet);
            }
            Framing::Newline => {
                out.extend_from_slice(packet);
                out.push(b'\n');
            }
        }
    }
}

/// RFC 5424 output (`rfc5424:`, logconf only): each packet is
/// `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG` with the record's
/// time in UTC to the microsecond and no structured data. `ident` is not
/// prepended and no NUL is appended. A field left `None` takes its default;
/// a field is cut to RFC 5424's length and any character outside printable
/// ASCII (or a space) becomes `_`; an empty field is `-`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Rfc5424 {
    /// `hostname`: default the machine's host name (`-` if unknown).
    pub(crate) hostname: Option<String>,
    /// `app_name`: default the `ident` without its trailing `:` and
    /// `[pid]` (`myapp[42]: ` gives `myapp`), else `-`.
    pub(crate) app_name: Option<String>,
    /// `procid`: default the process id.
    pub(crate) procid: Option<String>,
    /// `msgid`: default `-`.
    pub(crate) msgid: Option<String>,
}

/// Everything a `SysLogHandler` entry configures.
///
/// | key | field | default |
/// |---|---|---|
/// | `address` | `address` | `[localhost, 514]` |
/// | `socktype` | `socktype` | `None` (UDP; unix: datagram, then stream) |
/// | `facility` | `facility` | `user` (1) |
/// | `'.': {ident}` | `ident` | empty |
/// | `'.': {append_nul}` | `append_nul` | `true` |
/// | `framing` | `framing` | `none` |
/// | `rfc5424` | `rfc5424` | `None` (CPython's format) |
/// | `timeout` | `timeout` | 1 s |
/// | `backlog` | `backlog` | 1 MiB |
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SysLogOptions {
    /// Where the daemon listens.
    pub(crate) address: SysLogAddress,
    /// The socket type; `None` is Python's default.
    pub(crate) socktype: Option<SockType>,
    /// The facility.
    pub(crate) facility: Facility,
    /// Prepended to every message (`myapp[42]: `).
    pub(crate) ident: String,
    /// Whether a NUL byte ends each packet.
    pub(crate) append_nul: bool,
    /// Framing on stream sockets.
    pub(crate) framing: Framing,
    /// RFC 5424 output instead of CPython's.
    pub(crate) rfc5424: Option<Rfc5424>,
    /// The longest a connect or a write may take.
    pub(crate) timeout: Duration,
    /// Bytes of packets kept while a connection is down.
    pub(crate) backlog: usize,
}

impl Default for SysLogOptions {
    fn default() -> SysLogOptions {
        SysLogOptions {
            address: SysLogAddress::default(),
            socktype: None,
            facility: Facility::USER,
            ident: String::new(),
            append_nul: true,
            framing: Framing::None,
            rfc5424: None,
            timeout: Duration::from_secs(1),
            backlog: 1024 * 1024,
        }
    }
}

/// The RFC 5424 header fields, resolved and cleaned when the handler is built.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Header5424 {
    /// HOSTNAME.
    hostname: String,
    /// APP-NAME.
    app_name: String,
    /// PROCID.
    procid: String,
    /// MSGID.
    msgid: String,
}

impl Header5424 {
    /// The fields `options` asks for, defaults filled in.
    fn new(options: &Rfc5424, ident: &str) -> Header5424 {
        let hostname = options.hostname.clone().unwrap_or_else(machine_hostname);
        let app_name = options.app_name.clone().unwrap_or_else(|| {
            let name = ident.trim_end().trim_end_matches(':');
            let name = match name.find('[') {
                Some(at) if name.ends_with(']') => &name[..at],
                _ => name,
            };
            name.to_owned()
        });
        let procid = options
            .procid
            .clone()
            .unwrap_or_else(|| std::process::id().to_string());
        Header5424 {
            hostname: header_field(&hostname, 255),
            app_name: header_field(&app_name, 48),
            procid: header_field(&procid, 128),
            msgid: header_field(options.msgid.as_deref().unwrap_or(""), 32),
        }
    }
}

/// The machine's host name, `-` when unknown.
fn machine_hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|name| name.trim().to_owned())
        .unwrap_or_default()
}

/// An RFC 5424 header field: printable ASCII without spaces (others become
/// `_`), at most `max` characters, `-` when empty.
fn header_field(value: &str, max: usize) -> String {
    let cleaned: String = value
        .chars()
        .take(max)
        .map(|c| if c.is_ascii_graphic() { c } else { '_' })
        .collect();
    if cleaned.is_empty() {
        "-".to_owned()
    } else {
        cleaned
    }
}

/// Builds packets: everything about a record's bytes, no I/O.
#[derive(Debug, Clone)]
pub(crate) struct Encoder {
    /// The facility.
    facility: Facility,
    /// Prepended to the message (CPython format only).
    ident: Vec<u8>,
    /// Whether a NUL ends the packet (CPython format only).
    append_nul: bool,
    /// RFC 5424 header fields, when that format is used.
    rfc5424: Option<Header5424>,
}

impl Encoder {
    /// The encoder for `options`.
    pub(crate) fn new(options: &SysLogOptions) -> Encoder {
        Encoder {
            facility: options.facility,
            ident: options.ident.as_bytes().to_vec(),
            append_nul: options.append_nul,
            rfc5424: options
                .rfc5424
                .as_ref()
                .map(|r| Header5424::new(r, &options.ident)),
        }
    }

    /// Appends the packet of `record` (the formatted message, no
    /// terminator) at `level`, logged at `now`, to `out`.
    pub(crate) fn encode(&self, record: &[u8], level: Level, now: SystemTime, out: &mut Vec<u8>) {
        let pri = u32::from(self.facility.number()) << 3 | u32::from(severity(level));
        out.push(b'<');
        out.extend_from_slice(pri.to_string().as_bytes());
        out.push(b'>');
        match &self.rfc5424 {
            None => {
                out.extend_from_slice(&self.ident);
                out.extend_from_slice(record);
                if self.append_nul {
                    out.push(0);
                }
            }
            Some(header) => {
                out.extend_from_slice(b"1 ");
                out.extend_from_slice(rfc5424_time(now).as_bytes());
                for field in [
                    &header.hostname,
                    &header.app_name,
                    &header.procid,
                    &header.msgid,
                ] {
                    out.push(b' ');
                    out.extend_from_slice(field.as_bytes());
                }
                out.extend_from_slice(b" - ");
                out.extend_from_slice(record);
            }
        }
    }
}

/// `now` as an RFC 5424 TIMESTAMP in UTC with microseconds, `-` if it
/// cannot be represented.
fn rfc5424_time(now: SystemTime) -> String {
    match jiff::Timestamp::try_from(now) {
        Ok(ts) => ts.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        Err(_) => "-".to_owned(),
    }
}

/// The state behind the handler's lock.
#[derive(Debug)]
struct State {
    /// The open connection (connection transports only).
    conn: Option<Conn>,
    /// The unix socket type that worked first (Python pins it).
    unix_type: Option<SockType>,
    /// When a connection was last attempted: at most one attempt per
    /// [`RETRY_AFTER`] (a `Backoff` marked at every attempt).
    last_attempt: Backoff,
    /// Packets waiting for a connection, oldest first.
    backlog: VecDeque<Vec<u8>>,
    /// Bytes in `backlog`.
    backlog_bytes: usize,
    /// Records dropped because the backlog was full, not yet reported.
    dropped: u64,
    /// Whether the connection was lost since it was last up (a recovery is
    /// then worth a line).
    lost: bool,
    /// Failure reports.
    reporter: Reporter,
}

/// `logging.handlers.SysLogHandler`.
#[derive(Debug)]
pub(crate) struct SysLogHandler {
    /// How packets are made.
    encoder: Encoder,
    /// The options (address, socket type, framing, limits).
    options: SysLogOptions,
    /// UDP only: the socket and the resolved daemon address.
    udp: Option<(UdpSocket, SocketAddr)>,
    /// Connection, backlog and reporter.
    state: Mutex<State>,
    /// Time for the reconnect back-off and RFC 5424 timestamps.
    clock: Arc<dyn Clock>,
}

impl SysLogHandler {
    /// Builds the handler `options` describe.
    ///
    /// UDP: resolves the address and opens a socket; TCP: connects (an error
    /// names the address, as Python's constructor raises); a unix socket:
    /// tries to connect and keeps going if it cannot.
    pub(crate) fn new(
        options: &SysLogOptions,
        reporter: Reporter,
        clock: Arc<dyn Clock>,
    ) -> io::Result<SysLogHandler> {
        let mut state = State {
            conn: None,
            unix_type: options.socktype,
            last_attempt: Backoff::default(),
            backlog: VecDeque::new(),
            backlog_bytes: 0,
            dropped: 0,
            lost: false,
            reporter,
        };
        let mut udp = None;
        match (&options.address, options.socktype) {
            (SysLogAddress::Inet { host, port }, None | Some(SockType::Datagram)) => {
                let context = |err: io::Error| {
                    io::Error::new(
                        err.kind(),
                        format!("cannot resolve syslog address {}: {err}", options.address),
                    )
                };
                let target = (host.as_str(), *port)
                    .to_socket_addrs()
                    .map_err(context)?
                    .next()
                    .ok_or_else(|| context(io::Error::other("no address")))?;
                let local: SocketAddr = if target.is_ipv4() {
                    ([0, 0, 0, 0], 0).into()
                } else {
                    ([0u16; 8], 0).into()
                };
                let socket = UdpSocket::bind(local).map_err(|err| {
                    io::Error::new(err.kind(), format!("cannot open a UDP socket: {err}"))
                })?;
                socket.set_write_timeout(Some(options.timeout))?;
                udp = Some((socket, target));
            }
            (SysLogAddress::Inet { .. }, Some(SockType::Stream)) => {
                let conn = Conn::connect(&options.address, Some(SockType::Stream), options.timeout)
                    .map_err(|err| {
                        io::Error::new(
                            err.kind(),
                            format!("cannot connect to syslog at {}: {err}", options.address),
                        )
                    })?;
                state.conn = Some(conn);
                state.last_attempt.failed(clock.now());
            }
            (SysLogAddress::Unix(_), socktype) => {
                // Python swallows this failure; the first record reports it.
                if let Ok(conn) = Conn::connect(&options.address, socktype, options.timeout) {
                    state.unix_type = Some(conn.socktype());
                    state.conn = Some(conn);
                    state.last_attempt.failed(clock.now());
                }
            }
        }
        Ok(SysLogHandler {
            encoder: Encoder::new(options),
            options: options.clone(),
            udp,
            state: Mutex::new(state),
            clock,
        })
    }

    /// The packet of `record` (framed later, if it goes over a stream).
    fn packet(&self, record: &[u8], level: Level) -> Vec<u8> {
        let mut packet = Vec::with_capacity(record.len() + 16);
        self.encoder
            .encode(record, level, self.clock.now(), &mut packet);
        packet
    }

    /// Sends one UDP packet, outside the lock.
    fn send_udp(&self, socket: &UdpSocket, target: SocketAddr, packet: &[u8]) {
        let result = socket.send_to(packet, target).and_then(|sent| {
            if sent == packet.len() {
                Ok(())
            } else {
                Err(io::Error::other("datagram truncated"))
            }
        });
        if let Err(err) = result {
            let reports = {
                let mut state = self.lock();
                state.reporter.report(Op::Write, &err, || {
                    format!("cannot send to syslog at {}", self.options.address)
                });
                state.reporter.take()
            };
            if let Some(reports) = reports {
                reports.write();
            }
        }
    }

    /// The state, recovered if a thread panicked holding it.
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Connects if not connected (or if the daemon closed the connection)
    /// and the last attempt is at least [`RETRY_AFTER`] old. Returns
    /// whether a connection is up.
    fn ensure_connected(&self, state: &mut State) -> bool {
        if let Some(conn) = &mut state.conn {
            if conn.alive() {
                return true;
            }
            state.conn = None;
            state.lost = true;
        }
        let now = self.clock.now();
        if !state.last_attempt.ready(now) {
            return false;
        }
        state.last_attempt.failed(now);
        match Conn::connect(&self.options.address, state.unix_type, self.options.timeout) {
            Ok(conn) => {
                if matches!(self.options.address, SysLogAddress::Unix(_)) {
                    state.unix_type = Some(conn.socktype());
                }
                state.conn = Some(conn);
                true
            }
            Err(err) => {
                state.lost = true;
                state.reporter.report(Op::Open, &err, || {
                    format!("cannot connect to syslog at {}", self.options.address)
                });
                false
            }
        }
    }

    /// Sends the backlog, then `packet` if given, over the connection;
    /// whatever cannot be sent stays in (or joins) the backlog. Called with
    /// the lock held.
    fn deliver(&self, state: &mut State, packet: Option<Vec<u8>>) {
        if let Some(packet) = packet {
            if !self.drain(state) || self.send(state, &packet).is_err() {
                queue(state, packet, self.options.backlog);
                // A connection that had lived a second is retried at once
                // (as Python retries a unix socket).
                self.drain(state);
            }
        } else {
            self.drain(state);
        }
        if state.lost && state.conn.is_some() {
            state.lost = false;
            let dropped = std::mem::take(&mut state.dropped);
            state.reporter.note(&format!(
                "reconnected to syslog at {}; {dropped} records were dropped while it was unreachable",
                self.options.address
            ));
        }
    }

    /// Connects if needed and sends the backlog, oldest first. Returns
    /// whether a connection is up with nothing waiting.
    fn drain(&self, state: &mut State) -> bool {
        // One reconnect per call at most, even if the clock says more are
        // allowed (each may take `timeout`).
        let mut failed = false;
        loop {
            if !self.ensure_connected(state) {
                return false;
            }
            let Some(front) = state.backlog.pop_front() else {
                return true;
            };
            if self.send(state, &front).is_err() {
                state.backlog.push_front(front);
                if failed {
                    return false;
                }
                failed = true;
                continue;
            }
            state.backlog_bytes = state.backlog_bytes.saturating_sub(front.len());
        }
    }

    /// Sends `packet` over the connection; a failure drops the connection
    /// and is reported. A datagram too long for the socket is reported and
    /// dropped (`Ok`): sending it again could never work, and it would hold
    /// up every record behind it.
    fn send(&self, state: &mut State, packet: &[u8]) -> Result<(), ()> {
        let Some(conn) = state.conn.as_mut() else {
            return Err(());
        };
        let Err(err) = conn.send(packet, self.options.framing) else {
            return Ok(());
        };
        if transport::too_long(&err) {
            state.reporter.report(Op::Write, &err, || {
                format!("cannot send to syslog at {}", self.options.address)
            });
            return Ok(());
        }
        state.conn = None;
        state.lost = true;
        state.reporter.report(Op::Write, &err, || {
            format!("cannot send to syslog at {}", self.options.address)
        });
        Err(())
    }

    /// Sends what is waiting, with the lock held for at most `timeout`
    /// (`patient` false: gives up if the lock is busy).
    fn flush_backlog(&self, patient: bool) {
        let guard = if patient {
            Some(self.lock())
        } else {
            match self.state.try_lock() {
                Ok(guard) => Some(guard),
                Err(std::sync::TryLockError::Poisoned(p)) => Some(p.into_inner()),
                Err(std::sync::TryLockError::WouldBlock) => None,
            }
        };
        let reports = guard.and_then(|mut state| {
            if !state.backlog.is_empty() {
                self.deliver(&mut state, None);
            }
            state.reporter.take()
        });
        write_reports(reports);
    }

    /// Records held in the backlog and records dropped since the last
    /// reconnection report (tests and the drop report).
    #[cfg(test)]
    pub(crate) fn pending(&self) -> (usize, u64) {
        let state = self.lock();
        (state.backlog.len(), state.dropped)
    }
}

/// Puts `frame` at the end of the backlog, or counts it as dropped when the
/// backlog would exceed `limit` bytes.
fn queue(state: &mut State, frame: Vec<u8>, limit: usize) {
    if state.backlog_bytes.saturating_add(frame.len()) > limit {
        if state.dropped == 0 {
            let err = io::Error::new(io::ErrorKind::OutOfMemory, "backlog full");
            state.reporter.report(Op::Write, &err, || {
                format!("syslog unreachable, records dropped (backlog: {limit} bytes)")
            });
        }
        state.dropped += 1;
        return;
    }
    state.backlog_bytes = state.backlog_bytes.saturating_add(frame.len());
    state.backlog.push_back(frame);
}

/// Writes `reports`, if any.
fn write_reports(reports: Option<Reports>) {
    if let Some(reports) = reports {
        reports.write();
    }
}

impl Handler for SysLogHandler {
    fn emit(&self, record: &[u8], level: Level) {
        let packet = self.packet(record, level);
        if let Some((socket, target)) = &self.udp {
            self.send_udp(socket, *target, &packet);
            return;
        }
        let reports = {
            let mut state = self.lock();
            self.deliver(&mut state, Some(packet));
            state.reporter.take()
        };
        write_reports(reports);
    }

    fn flush(&self) {
        self.flush_backlog(true);
    }

    fn try_flush(&self) {
        self.flush_backlog(false);
    }

    fn flush_interval(&self) -> Option<Duration> {
        // The periodic flush delivers the backlog once the daemon is back,
        // even if no record comes.
        self.udp.is_none().then_some(RETRY_AFTER)
    }
}

impl Drop for SysLogHandler {
    fn drop(&mut self) {
        let reports = {
            let mut state = self.lock();
            if state.backlog.is_empty() && state.dropped == 0 {
                return;
            }
            // One last try, whenever the last one was.
            state.last_attempt.succeeded();
            self.deliver(&mut state, None);
            let lost = state.backlog.len() as u64 + state.dropped;
            if lost > 0 {
                let line = format!(
                    "{lost} records for syslog at {} were never sent",
                    self.options.address
                );
                state.reporter.note(&line);
            }
            state.reporter.take()
        };
        write_reports(reports);
    }
}
