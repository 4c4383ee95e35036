//! The export thread: builds the exporter, then takes batches from the
//! queue and exports them until the handler stops it.

use std::cell::Cell;
use std::collections::HashMap;
use std::io;
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Instant;

use opentelemetry::logs::{Logger as _, LoggerProvider as _};
use opentelemetry::{InstrumentationScope, KeyValue, Value};
use opentelemetry_otlp::{WithExportConfig as _, WithHttpConfig as _, WithTonicConfig as _};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::logs::{LogBatch, LogExporter as _, SdkLogRecord, SdkLoggerProvider};

use super::{Item, OtlpOptions, Protocol, Queue, note, report_error};
use crate::format::OwnedValue;
use crate::handler::report::Reporter;

thread_local! {
    /// Set on the export thread: whatever it logs never reaches the handler.
    static EXPORT_THREAD: Cell<bool> = const { Cell::new(false) };
}

/// Whether the current thread is an export thread.
pub(crate) fn on_export_thread() -> bool {
    EXPORT_THREAD.try_with(Cell::get).unwrap_or(false)
}

/// The path of the logs service under an HTTP endpoint.
const LOGS_PATH: &str = "/v1/logs";

/// The URL records are posted to: the endpoint with `/v1/logs` added,
/// unless it already ends with it (as `OTEL_EXPORTER_OTLP_ENDPOINT` is
/// read; the exporter itself would post to a bare `http://host:4318` and
/// lose every record without a word).
pub(crate) fn http_url(endpoint: &str) -> String {
    let trimmed = endpoint.trim_end_matches('/');
    if trimmed.ends_with(LOGS_PATH) {
        trimmed.to_owned()
    } else {
        format!("{trimmed}{LOGS_PATH}")
    }
}

/// Everything the thread exports with.
struct Exporter {
    exporter: opentelemetry_otlp::LogExporter,
    /// For gRPC: tonic's tasks run on this runtime, on this thread.
    runtime: Option<tokio::runtime::Runtime>,
    /// An empty record of the SDK, cloned for each record (the SDK makes
    /// them only through a logger).
    template: SdkLogRecord,
    /// The scope of every record; the exporter names it after the target.
    scope: InstrumentationScope,
}

impl Exporter {
    /// Builds the exporter for `options`; must run on the export thread (a
    /// gRPC exporter needs the runtime entered).
    fn build(options: &OtlpOptions) -> io::Result<Exporter> {
        let invalid =
            |e: &dyn std::fmt::Display| io::Error::new(io::ErrorKind::InvalidInput, e.to_string());
        let (exporter, runtime) = match options.protocol {
            Protocol::HttpProtobuf => {
                let mut builder = opentelemetry_otlp::LogExporter::builder()
                    .with_http()
                    .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
                    .with_timeout(options.timeout);
                if let Some(endpoint) = &options.endpoint {
                    builder = builder.with_endpoint(http_url(endpoint));
                }
                if !options.headers.is_empty() {
                    let headers: HashMap<String, String> =
                        options.headers.iter().cloned().collect();
                    builder = builder.with_headers(headers);
                }
                (builder.build().map_err(|e| invalid(&e))?, None)
            }
            Protocol::Grpc => {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                let mut metadata = tonic::metadata::MetadataMap::new();
                for (name, value) in &options.headers {
                    let key = tonic::metadata::MetadataKey::from_bytes(name.as_bytes())
                        .map_err(|e| invalid(&format!("header `{name}`: {e}")))?;
                    let value = tonic::metadata::MetadataValue::try_from(value.as_str())
                        .map_err(|e| invalid(&format!("header `{name}`: {e}")))?;
                    metadata.insert(key, value);
                }
                let exporter = {
                    let _entered = runtime.enter();
                    let mut builder = opentelemetry_otlp::LogExporter::builder()
                        .with_tonic()
                        .with_protocol(opentelemetry_otlp::Protocol::Grpc)
                        .with_timeout(options.timeout)
                        .with_metadata(metadata);
                    if let Some(endpoint) = &options.endpoint {
                        builder = builder.with_endpoint(endpoint.clone());
                    }
                    builder.build().map_err(|e| invalid(&e))?
                };
                (exporter, Some(runtime))
            }
        };
        let mut exporter = exporter;
        exporter.set_resource(&resource(&options.resource));
        let provider = SdkLoggerProvider::builder().build();
        let template = provider.logger("logconf").create_log_record();
        Ok(Exporter {
            exporter,
            runtime,
            template,
            scope: InstrumentationScope::builder("logconf").build(),
        })
    }

    /// Exports `items`; the error's text on failure.
    fn export(&self, items: Vec<Item>) -> Result<(), String> {
        let records: Vec<SdkLogRecord> = items
            .into_iter()
            .map(|item| {
                let mut record = self.template.clone();
                item.fill(&mut record);
                record
            })
            .collect();
        let pairs: Vec<(&SdkLogRecord, &InstrumentationScope)> =
            records.iter().map(|r| (r, &self.scope)).collect();
        let future = self.exporter.export(LogBatch::new(&pairs));
        let result = match &self.runtime {
            Some(runtime) => runtime.block_on(future),
            None => futures_executor::block_on(future),
        };
        result.map_err(|e| e.to_string())
    }
}

/// The resource: the SDK's (`OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`,
/// `telemetry.sdk.*`), then the config's attributes over it.
fn resource(attributes: &[(String, OwnedValue)]) -> Resource {
    let attributes = attributes.iter().map(|(key, value)| {
        let value = match value {
            OwnedValue::Str(s) | OwnedValue::Raw(s) => Value::from(s.clone()),
            OwnedValue::Int(i) => Value::I64(*i),
            OwnedValue::Float(f) => Value::F64(*f),
            OwnedValue::Bool(b) => Value::Bool(*b),
        };
        KeyValue::new(key.clone(), value)
    });
    Resource::builder().with_attributes(attributes).build()
}

/// Starts the export thread for `options` and returns once its exporter is
/// built (or failed to build: that error is returned).
pub(super) fn start(
    options: &OtlpOptions,
    queue: Arc<Queue>,
    reporter: Arc<Mutex<Reporter>>,
) -> io::Result<JoinHandle<()>> {
    let (ready_tx, ready_rx) = mpsc::channel::<io::Result<()>>();
    let options = options.clone();
    let thread_queue = Arc::clone(&queue);
    let thread = std::thread::Builder::new()
        .name("logconf-otlp".to_owned())
        .spawn(move || {
            let _ = EXPORT_THREAD.try_with(|flag| flag.set(true));
            let exporter = match Exporter::build(&options) {
                Ok(exporter) => {
                    let _ = ready_tx.send(Ok(()));
                    exporter
                }
                Err(err) => {
                    thread_queue.lock().gone = true;
                    let _ = ready_tx.send(Err(err));
                    return;
                }
            };
            // Marks the thread gone however it ends, a panic included, so
            // that flushes and the handler's drop stop waiting for it.
            let _gone = Gone(&thread_queue);
            run(&exporter, &options, &thread_queue, &reporter);
        })?;
    match ready_rx.recv() {
        Ok(Ok(())) => Ok(thread),
        Ok(Err(err)) => {
            let _ = thread.join();
            Err(err)
        }
        // The thread panicked while building.
        Err(_) => {
            queue.lock().gone = true;
            let _ = thread.join();
            Err(io::Error::other("the OTLP exporter could not be built"))
        }
    }
}

/// Marks the export thread gone when dropped.
struct Gone<'a>(&'a Queue);

impl Drop for Gone<'_> {
    fn drop(&mut self) {
        self.0.lock().gone = true;
        self.0.done.notify_all();
    }
}

/// The export loop: waits for a full batch, a flush, a stop or the
/// schedule, exports without holding the queue's lock, and marks flushes
/// done once the queue is empty.
fn run(exporter: &Exporter, options: &OtlpOptions, queue: &Queue, reporter: &Mutex<Reporter>) {
    let delay = options.batch.delay;
    let mut deadline = Instant::now() + delay;
    let mut failing = false;
    loop {
        let (items, flush_target, stopping) = {
            let mut state = queue.lock();
            loop {
                if state.abandon {
                    let left = state.items.len() as u64;
                    state.items.clear();
                    queue.lost.fetch_add(left, Ordering::Relaxed);
                    return;
                }
                let flushing = state.flush_asked > state.flush_done;
                if state.stop || flushing || state.items.len() >= queue.batch_size {
                    break;
                }
                let now = Instant::now();
                if now >= deadline {
                    break;
                }
                state = queue
                    .work
                    .wait_timeout(state, deadline - now)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            let n = state.items.len().min(queue.batch_size);
            let items: Vec<Item> = state.items.drain(..n).collect();
            (items, state.flush_asked, state.stop)
        };
        if !items.is_empty() {
            let count = items.len() as u64;
            queue.in_flight.store(count, Ordering::Relaxed);
            let result = exporter.export(items);
            queue.in_flight.store(0, Ordering::Relaxed);
            match result {
                Ok(()) => {
                    if failing {
                        failing = false;
                        note(reporter, "exports succeed again");
                    }
                }
                Err(err) => {
                    queue.lost.fetch_add(count, Ordering::Relaxed);
                    failing = true;
                    let err = io::Error::other(err);
                    report_error(reporter, &err, "cannot export to the collector");
                }
            }
        }
        let mut state = queue.lock();
        if state.items.is_empty() {
            if state.flush_done < flush_target {
                state.flush_done = flush_target;
                queue.done.notify_all();
            }
            if stopping || state.stop {
                return;
            }
        }
        drop(state);
        if Instant::now() >= deadline {
            deadline = Instant::now() + delay;
        }
    }
}
