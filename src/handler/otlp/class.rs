//! The `logconf.OtlpHandler` class entry: its keys, read into
//! [`OtlpOptions`].

use std::io;
use std::sync::Arc;

use super::{BatchOptions, OtlpHandler, OtlpOptions, Protocol};
use crate::args::Args;
use crate::format::OwnedValue;
use crate::handler::Handler;
use crate::handler::class::{BuildContext, HandlerClass, HandlerSettings};
use crate::tree::Value;

/// `logconf.OtlpHandler`.
pub(crate) const CLASS: HandlerClass = HandlerClass {
    name: "logconf.OtlpHandler",
    keys: &[
        "endpoint", "protocol", "headers", "resource", "batch", "timeout",
    ],
    // A record is a structured message, not a line.
    terminator: "",
    parse: |args| Some(Arc::new(parse(args)?)),
};

impl HandlerSettings for OtlpOptions {
    fn build(&self, ctx: &BuildContext<'_>) -> io::Result<Box<dyn Handler>> {
        let clock = Arc::clone(&ctx.clock);
        Ok(Box::new(OtlpHandler::new(self, ctx.reporter(), clock)?))
    }

    /// A reload with the same settings keeps the handler: its queue, its
    /// export thread and its connection.
    fn same_output(&self, other: &dyn HandlerSettings) -> bool {
        crate::handler::class::same_settings(self, other)
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The most records `maxQueueSize` and `maxExportBatchSize` accept.
const MAX_RECORDS: u64 = 1 << 24;

/// Reads a `logconf.OtlpHandler` entry's keys.
pub(crate) fn parse(args: &mut Args<'_, '_>) -> Option<OtlpOptions> {
    let mut options = OtlpOptions::default();
    if let Some(endpoint) = args.string("endpoint") {
        if endpoint.starts_with("http://") {
            options.endpoint = Some(endpoint.to_owned());
        } else if endpoint.starts_with("https://") {
            // Caught here: the exporter would fail at every export.
            args.report(
                "endpoint",
                "`https://` endpoints are not supported yet (the `otlp` feature builds no TLS)"
                    .into(),
                Some("send to a local collector or agent over `http://`".into()),
            );
        } else {
            args.report(
                "endpoint",
                format!(
                    "expected an `http://` URL, found `{}`",
                    crate::args::show(endpoint)
                ),
                Some("write the collector's address, like `http://127.0.0.1:4318`".into()),
            );
        }
    }
    if let Some(protocol) = args.choice(
        "protocol",
        "unsupported protocol",
        &[
            ("http/protobuf", Protocol::HttpProtobuf),
            ("grpc", Protocol::Grpc),
        ],
    ) {
        options.protocol = protocol;
    }
    if let Some(mut headers) = args.mapping("headers") {
        for (name, _) in headers.entries() {
            if let Some(value) = headers.string(name) {
                options.headers.push((name.to_owned(), value.to_owned()));
            }
        }
    }
    if let Some(mut resource) = args.mapping("resource") {
        for (name, node) in resource.entries() {
            let value = match &node.value {
                Value::Str(s) => OwnedValue::Str(s.clone()),
                Value::Bool(b) => OwnedValue::Bool(*b),
                Value::Int(i) => match i64::try_from(*i) {
                    Ok(i) => OwnedValue::Int(i),
                    Err(_) => OwnedValue::Float(*i as f64),
                },
                Value::Float(f) => OwnedValue::Float(*f),
                other => {
                    let message = format!(
                        "expected a string, number or boolean, found {}",
                        other.kind()
                    );
                    resource.report(name, message, None);
                    continue;
                }
            };
            options.resource.push((name.to_owned(), value));
        }
    }
    if let Some(mut batch) = args.mapping("batch") {
        options.batch = parse_batch(&mut batch);
    }
    if let Some(timeout) = args.seconds("timeout", 3600.0) {
        options.timeout = timeout;
    }
    (!args.failed()).then_some(options)
}

/// `batch:` (a mapping; `{}` for the defaults).
fn parse_batch(args: &mut Args<'_, '_>) -> BatchOptions {
    args.unknown_keys(
        &["maxQueueSize", "maxExportBatchSize", "scheduleDelay"],
        " in `batch`",
    );
    let mut out = BatchOptions::default();
    for (key, slot) in [
        ("maxQueueSize", &mut out.max_queue),
        ("maxExportBatchSize", &mut out.batch_size),
    ] {
        match args.count(key, MAX_RECORDS) {
            Some(0) => args.report(key, "must be at least 1".into(), None),
            Some(n) => *slot = usize::try_from(n).unwrap_or(usize::MAX),
            None => {}
        }
    }
    if args.get("maxExportBatchSize").is_none() {
        // Only the queue was given: batches are at most the queue.
        out.batch_size = out.batch_size.min(out.max_queue);
    } else if out.batch_size > out.max_queue {
        let message = format!(
            "a batch of {} records is larger than the queue ({})",
            out.batch_size, out.max_queue
        );
        args.report("maxExportBatchSize", message, None);
    }
    if let Some(delay) = args.seconds("scheduleDelay", 3600.0) {
        out.delay = delay;
    }
    out
}
