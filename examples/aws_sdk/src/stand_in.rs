//! A stand-in for AWS STS on a loopback port: a tiny HTTP/1.1 server in
//! `std` that answers `GetCallerIdentity` the way STS does.
//!
//! It knows one access key id ([`KNOWN_KEY_ID`]); a request signed with any
//! other gets STS's `403 InvalidClientTokenId`. The very first request gets
//! a `503`, which the SDK retries on its own.

use std::io::{self, BufRead, BufReader, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

/// The account every known caller belongs to.
pub(crate) const ACCOUNT: &str = "123456789012";
/// The one access key id the stand-in accepts.
pub(crate) const KNOWN_KEY_ID: &str = "AKIDEXAMPLE";
/// Requests larger than this are refused (STS bodies are a few dozen bytes).
const MAX_BODY: usize = 64 * 1024;

/// A running stand-in; its threads end with the process.
#[derive(Debug)]
pub(crate) struct StandIn {
    addr: SocketAddr,
    requests: Arc<AtomicUsize>,
}

impl StandIn {
    /// Listens on `127.0.0.1` at a port the system picks.
    pub(crate) fn start() -> io::Result<StandIn> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&requests);
        thread::Builder::new()
            .name("sts-stand-in".to_owned())
            .spawn(move || {
                for stream in listener.incoming().flatten() {
                    let counter = Arc::clone(&counter);
                    // A connection the SDK drops mid-request ends its thread;
                    // there is nobody to tell.
                    let _ = thread::Builder::new()
                        .name("sts-stand-in-conn".to_owned())
                        .spawn(move || serve(stream, &counter));
                }
            })?;
        Ok(StandIn { addr, requests })
    }

    /// The endpoint URL to hand to the SDK.
    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many requests have been answered so far.
    pub(crate) fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// What the stand-in reads of a request.
struct Request {
    authorization: String,
    body: String,
}

/// Answers requests on one keep-alive connection until the client closes it.
fn serve(stream: TcpStream, counter: &AtomicUsize) -> io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    while let Some(request) = read_request(&mut reader)? {
        let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
        let request_id = format!("c6104cbe-af31-11e0-8154-{n:012}");
        let (status, body) = answer(n, &request, &request_id);
        // One write per response: several small ones meet Nagle's
        // algorithm and the client's delayed ACK (40 ms a response).
        let response = format!(
            "HTTP/1.1 {status}\r\ncontent-type: text/xml\r\ncontent-length: {}\r\nx-amzn-requestid: {request_id}\r\n\r\n{body}",
            body.len()
        );
        writer.write_all(response.as_bytes())?;
    }
    Ok(())
}

/// Reads one request; `None` when the client closed the connection.
fn read_request(reader: &mut impl BufRead) -> io::Result<Option<Request>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut authorization = String::new();
    let mut length = 0usize;
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = value.parse().map_err(|_| {
                    io::Error::new(io::ErrorKind::InvalidData, "bad content-length")
                })?;
            } else if name.eq_ignore_ascii_case("authorization") {
                authorization = value.to_owned();
            }
        }
    }
    if length > MAX_BODY {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "body too large"));
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(Some(Request {
        authorization,
        body: String::from_utf8_lossy(&body).into_owned(),
    }))
}

/// The status line's tail and the XML body for request number `n`.
fn answer(n: usize, request: &Request, request_id: &str) -> (&'static str, String) {
    if !request.body.contains("Action=GetCallerIdentity") {
        return error(
            "400 Bad Request",
            "InvalidAction",
            "This stand-in answers GetCallerIdentity only",
            request_id,
        );
    }
    if n == 1 {
        return error(
            "503 Service Unavailable",
            "ServiceUnavailable",
            "Service is unable to handle request.",
            request_id,
        );
    }
    let known = format!("Credential={KNOWN_KEY_ID}/");
    if !request.authorization.contains(&known) {
        return error(
            "403 Forbidden",
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
            request_id,
        );
    }
    let body = format!(
        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n\
         \x20 <GetCallerIdentityResult>\n\
         \x20   <Arn>arn:aws:iam::{ACCOUNT}:user/deploy</Arn>\n\
         \x20   <UserId>AIDAEXAMPLEDEPLOYUSER</UserId>\n\
         \x20   <Account>{ACCOUNT}</Account>\n\
         \x20 </GetCallerIdentityResult>\n\
         \x20 <ResponseMetadata>\n\
         \x20   <RequestId>{request_id}</RequestId>\n\
         \x20 </ResponseMetadata>\n\
         </GetCallerIdentityResponse>\n"
    );
    ("200 OK", body)
}

/// An STS error response (the query protocol's `ErrorResponse`).
fn error(
    status: &'static str,
    code: &str,
    message: &str,
    request_id: &str,
) -> (&'static str, String) {
    let kind = if status.starts_with('5') {
        "Receiver"
    } else {
        "Sender"
    };
    let body = format!(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n\
         \x20 <Error>\n\
         \x20   <Type>{kind}</Type>\n\
         \x20   <Code>{code}</Code>\n\
         \x20   <Message>{message}</Message>\n\
         \x20 </Error>\n\
         \x20 <RequestId>{request_id}</RequestId>\n\
         </ErrorResponse>\n"
    );
    (status, body)
}
