//! The connection transports of the syslog handler: TCP and unix sockets,
//! each connect and write bounded by a timeout.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
#[cfg(unix)]
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::time::Duration;

use super::{Framing, SockType, SysLogAddress};

/// An open connection to the daemon.
#[derive(Debug)]
pub(super) enum Conn {
    /// TCP.
    Tcp(TcpStream),
    /// A unix stream socket.
    #[cfg(unix)]
    UnixStream(UnixStream),
    /// A connected unix datagram socket.
    #[cfg(unix)]
    UnixDgram(UnixDatagram),
}

impl Conn {
    /// Connects to `address` with `socktype` (`None` on a unix socket:
    /// datagram, then stream, as CPython's `_connect_unixsocket`). UDP is
    /// not a connection and is refused here.
    pub(super) fn connect(
        address: &SysLogAddress,
        socktype: Option<SockType>,
        timeout: Duration,
    ) -> io::Result<Conn> {
        match address {
            SysLogAddress::Inet { host, port } => {
                if socktype != Some(SockType::Stream) {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        "UDP has no connection",
                    ));
                }
                let mut last = io::Error::new(io::ErrorKind::NotFound, "no address");
                // Resolved on every attempt: the name may point elsewhere
                // after the daemon moved.
                for addr in (host.as_str(), *port).to_socket_addrs()? {
                    match TcpStream::connect_timeout(&addr, timeout) {
                        Ok(stream) => {
                            stream.set_write_timeout(Some(timeout))?;
                            // Each record leaves at once, as Python's sendall.
                            stream.set_nodelay(true)?;
                            return Ok(Conn::Tcp(stream));
                        }
                        Err(err) => last = err,
                    }
                }
                Err(last)
            }
            #[cfg(unix)]
            SysLogAddress::Unix(path) => {
                let dgram = || -> io::Result<Conn> {
                    let socket = UnixDatagram::unbound()?;
                    socket.connect(path)?;
                    socket.set_write_timeout(Some(timeout))?;
                    Ok(Conn::UnixDgram(socket))
                };
                let stream = || -> io::Result<Conn> {
                    let socket = UnixStream::connect(path)?;
                    socket.set_write_timeout(Some(timeout))?;
                    Ok(Conn::UnixStream(socket))
                };
                match socktype {
                    Some(SockType::Datagram) => dgram(),
                    Some(SockType::Stream) => stream(),
                    None => dgram().or_else(|_| stream()),
                }
            }
            #[cfg(not(unix))]
            SysLogAddress::Unix(_) => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "unix sockets are not available on this platform",
            )),
        }
    }

    /// The socket type of this connection.
    pub(super) fn socktype(&self) -> SockType {
        match self {
            Conn::Tcp(_) => SockType::Stream,
            #[cfg(unix)]
            Conn::UnixStream(_) => SockType::Stream,
            #[cfg(unix)]
            Conn::UnixDgram(_) => SockType::Datagram,
        }
    }

    /// Whether the connection still looks usable. A syslog daemon never
    /// writes back, so a stream that is readable without blocking has been
    /// closed (end of file) or failed; anything it did send is discarded.
    pub(super) fn alive(&mut self) -> bool {
        match self {
            Conn::Tcp(stream) => stream_alive(stream, TcpStream::set_nonblocking),
            #[cfg(unix)]
            Conn::UnixStream(stream) => stream_alive(stream, UnixStream::set_nonblocking),
            #[cfg(unix)]
            Conn::UnixDgram(_) => true,
        }
    }

    /// Sends one packet, framed with `framing` on a stream.
    pub(super) fn send(&mut self, packet: &[u8], framing: Framing) -> io::Result<()> {
        match self {
            Conn::Tcp(stream) => send_framed(stream, packet, framing),
            #[cfg(unix)]
            Conn::UnixStream(stream) => send_framed(stream, packet, framing),
            #[cfg(unix)]
            Conn::UnixDgram(socket) => {
                let sent = socket.send(packet)?;
                if sent == packet.len() {
                    Ok(())
                } else {
                    Err(io::Error::other("datagram truncated"))
                }
            }
        }
    }
}

/// Writes `packet` framed with `framing` in one `write_all`.
fn send_framed(out: &mut impl Write, packet: &[u8], framing: Framing) -> io::Result<()> {
    if framing == Framing::None {
        return out.write_all(packet);
    }
    let mut framed = Vec::with_capacity(packet.len() + 8);
    framing.frame(packet, &mut framed);
    out.write_all(&framed)
}

/// See [`Conn::alive`]: a non-blocking read that must find nothing.
fn stream_alive<S: Read>(stream: &mut S, set_nonblocking: fn(&S, bool) -> io::Result<()>) -> bool {
    if set_nonblocking(stream, true).is_err() {
        return false;
    }
    let mut scratch = [0u8; 256];
    let alive = loop {
        match stream.read(&mut scratch) {
            Ok(0) => break false,
            Ok(_) => continue,
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => break true,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => break false,
        }
    };
    alive && set_nonblocking(stream, false).is_ok()
}

/// Whether `err` says a datagram is larger than the socket can send
/// (`EMSGSIZE`).
pub(super) fn too_long(err: &io::Error) -> bool {
    /// `EMSGSIZE` on Linux.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    const EMSGSIZE: i32 = 90;
    /// `EMSGSIZE` on macOS and the BSDs.
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    const EMSGSIZE: i32 = 40;
    err.raw_os_error() == Some(EMSGSIZE)
}
