//! The quiet preset: noisy dependencies held at WARNING unless the config
//! names them.
//!
//! The list comes from the targets a real AWS SDK for Rust call emits (every
//! `aws_*` crate, the HTTP/TLS stack under it) plus the usual HTTP clients.
//! At INFO the SDK prints credential-chain chatter (including the access key
//! id); at DEBUG and TRACE it prints thousands of records per call. A config
//! that names one of these (or a more specific name under it) decides for
//! itself; `logconf: {quiet_dependencies: false}` turns the whole list off.
//!
//! logconf's own target is on the list too: the DEBUG record saying which
//! config was installed appears when the config asks for it
//! (`loggers: {logconf: {level: DEBUG}}`), so a DEBUG root writes the bytes
//! Python would.

/// Logger names quieted to WARNING by default. Globs match within one segment.
pub(crate) const QUIET_DEPENDENCIES: &[&str] = &[
    "aws_config",
    "aws_credential_types",
    "aws_runtime",
    "aws_sdk_*",
    "aws_sigv4",
    "aws_sigv4a",
    "aws_smithy_*",
    "aws_types",
    "aws_endpoint",
    "aws_http",
    "h2",
    "hyper",
    "hyper_rustls",
    "hyper_tls",
    "hyper_util",
    "reqwest",
    "rustls",
    "rustls_native_certs",
    "tokio_rustls",
    "tower",
    "tower_http",
    "want",
    "mio",
    "logconf",
    // The OpenTelemetry exporter's stack (h2, hyper*, tower and reqwest
    // are above): it logs at INFO/DEBUG on every export.
    "opentelemetry*",
    "tonic",
];
