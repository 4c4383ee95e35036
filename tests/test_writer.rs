//! `stream: ext://test` writes through the test harness's output capture:
//! a passing test prints nothing, and `--show-output` (or a failure) shows
//! the records under the test's name. Checked on the real output of this
//! test binary, run again as a child for one inner test.

use std::process::Command;

/// Set in the child: the inner test logs only then, to this stream.
const STREAM_ENV: &str = "LOGCONF_TEST_WRITER_STREAM";

#[test]
fn inner_logs_to_the_configured_stream() {
    let Ok(stream) = std::env::var(STREAM_ENV) else {
        return;
    };
    // `builder`: a standard stream, redirected by `Config::with_test_writer`.
    let builder = stream == "builder";
    let stream = if builder { "ext://sys.stderr" } else { &stream };
    let yaml = format!(
        "version: 1\nformatters: {{f: {{format: '%(levelname)s %(message)s'}}}}\nhandlers: {{out: {{class: logging.StreamHandler, formatter: f, stream: '{stream}'}}}}\nroot: {{level: INFO, handlers: [out]}}\nloggers: {{bare: {{handlers: [], propagate: no}}}}\n"
    );
    let config = logconf::Config::from_yaml_str(&yaml).expect("a valid config");
    let config = if builder {
        config.with_test_writer()
    } else {
        config
    };
    let logging = config.build().expect("a valid config");
    if builder {
        // No handler on the chain: Python's lastResort, captured too.
        tracing::subscriber::with_default(logging.subscriber(), || {
            tracing::warn!(target: "bare", "lastResort, captured");
        });
    }
    tracing::subscriber::with_default(logging.subscriber(), || {
        tracing::info!("a record from the inner test");
    });
    // A thread the test spawns is captured too, as its `print!` is.
    std::thread::scope(|s| {
        s.spawn(|| {
            tracing::subscriber::with_default(logging.subscriber(), || {
                tracing::warn!("a record from a spawned thread");
            });
        });
    });
}

/// Runs the inner test alone with `stream`, `--show-output`, and returns
/// its stdout.
fn run_inner(stream: &str) -> String {
    let exe = std::env::current_exe().expect("the test binary");
    let out = Command::new(exe)
        .args([
            "--exact",
            "inner_logs_to_the_configured_stream",
            "--show-output",
            "--test-threads=1",
        ])
        .env(STREAM_ENV, stream)
        .output()
        .expect("run the test binary");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn ext_test_is_captured_by_the_test_harness() {
    let out = run_inner("ext://test");
    let captured = "---- inner_logs_to_the_configured_stream stdout ----\n\
                    INFO a record from the inner test\n\
                    WARNING a record from a spawned thread\n";
    assert!(out.contains(captured), "{out}");
    // Only there: nothing went around the capture.
    assert_eq!(out.matches("a record from").count(), 2, "{out}");
}

#[test]
fn sys_stdout_goes_around_the_capture() {
    // The contrast: a standard stream is written to the file descriptor,
    // so the harness cannot capture it.
    let out = run_inner("ext://sys.stdout");
    assert!(
        !out.contains("---- inner_logs_to_the_configured_stream stdout ----\nINFO"),
        "{out}"
    );
    assert!(out.contains("INFO a record from the inner test\n"), "{out}");
}

#[test]
fn with_test_writer_redirects_streams_and_last_resort() {
    let out = run_inner("builder");
    let captured = "---- inner_logs_to_the_configured_stream stdout ----\n\
                    lastResort, captured\n\
                    INFO a record from the inner test\n\
                    WARNING a record from a spawned thread\n";
    assert!(out.contains(captured), "{out}");
}
