//! The `logging.handlers.SysLogHandler` class entry: its keys, read into
//! [`SysLogOptions`].

use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use super::{Facility, Framing, Rfc5424, SockType, SysLogAddress, SysLogHandler, SysLogOptions};
use crate::args::Args;
use crate::handler::Handler;
use crate::handler::class::{BuildContext, HandlerClass, HandlerSettings};
use crate::tree::Value;

/// `logging.handlers.SysLogHandler`.
pub(crate) const CLASS: HandlerClass = HandlerClass {
    name: "logging.handlers.SysLogHandler",
    keys: &[
        "address",
        "facility",
        "socktype",
        ".ident",
        ".append_nul",
        "framing",
        "rfc5424",
        "timeout",
        "backlog",
    ],
    // A syslog packet is the message alone: the daemon frames it.
    terminator: "",
    parse: |args| Some(Arc::new(parse(args)?)),
};

impl HandlerSettings for SysLogOptions {
    fn build(&self, ctx: &BuildContext<'_>) -> io::Result<Box<dyn Handler>> {
        let handler = SysLogHandler::new(self, ctx.reporter(), Arc::clone(&ctx.clock))?;
        Ok(Box::new(handler))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// Reads a `SysLogHandler` entry's keys.
fn parse(args: &mut Args<'_, '_>) -> Option<SysLogOptions> {
    let mut options = SysLogOptions::default();
    if let Some(e) = args.get("address") {
        let address = match &e.value.value {
            Value::Str(path) => Ok(SysLogAddress::Unix(PathBuf::from(path))),
            Value::Seq(items) => match items.as_slice() {
                [host, port] => match (&host.value, &port.value) {
                    (Value::Str(host), Value::Int(port)) => {
                        SysLogAddress::inet(host, i64::try_from(*port).unwrap_or(i64::MAX))
                    }
                    _ => Err("expected `[host, port]`: a host name and a port number".to_owned()),
                },
                _ => Err("expected `[host, port]` or a unix socket path".to_owned()),
            },
            other => Err(format!(
                "expected `[host, port]` or a unix socket path, found {}",
                other.kind()
            )),
        };
        match address {
            Ok(address) => options.address = address,
            Err(message) => args.report("address", message, None),
        }
    }
    if let Some(e) = args.get("socktype") {
        let socktype = match &e.value.value {
            Value::Str(s) => SockType::parse(s),
            Value::Int(n) => SockType::from_number(i64::try_from(*n).unwrap_or(i64::MAX)),
            other => Err(format!("expected a socket type, found {}", other.kind())),
        };
        match socktype {
            Ok(socktype) => options.socktype = Some(socktype),
            Err(message) => args.report("socktype", message, None),
        }
    }
    if let Some(e) = args.get("facility") {
        let facility = match &e.value.value {
            Value::Str(s) => Facility::parse(s),
            Value::Int(n) => Facility::from_number(i64::try_from(*n).unwrap_or(i64::MAX)),
            other => Err(format!(
                "expected a facility name or number, found {}",
                other.kind()
            )),
        };
        match facility {
            Ok(facility) => options.facility = facility,
            Err(message) => args.report("facility", message, None),
        }
    }
    // Unknown attributes are reported with every class's (attributes.rs).
    if let Some(mut attributes) = args.mapping(".") {
        if let Some(ident) = attributes.string("ident") {
            options.ident = ident.to_owned();
        }
        options.append_nul = attributes.truthy("append_nul", true);
    }
    if let Some(framing) = args.string("framing") {
        match Framing::parse(framing) {
            Ok(framing) => options.framing = framing,
            Err(message) => args.report("framing", message, None),
        }
    }
    if let Some(e) = args.get("rfc5424") {
        match &e.value.value {
            Value::Map(_) => {
                if let Some(mut header) = args.mapping("rfc5424") {
                    header.unknown_keys(
                        &["hostname", "app_name", "procid", "msgid"],
                        " in `rfc5424`",
                    );
                    options.rfc5424 = Some(Rfc5424 {
                        hostname: header.string("hostname").map(str::to_owned),
                        app_name: header.string("app_name").map(str::to_owned),
                        procid: header.string("procid").map(str::to_owned),
                        msgid: header.string("msgid").map(str::to_owned),
                    });
                }
            }
            _ => {
                if args.truthy("rfc5424", false) {
                    options.rfc5424 = Some(Rfc5424::default());
                }
            }
        }
    }
    if let Some(timeout) = args.seconds("timeout", 3600.0) {
        options.timeout = timeout;
    }
    if let Some(backlog) = args.count("backlog", 1 << 30) {
        options.backlog = usize::try_from(backlog).unwrap_or(usize::MAX);
    }
    (!args.failed()).then_some(options)
}
