//! Heap allocations per record in steady state, counted by a
//! `#[global_allocator]` that counts only on the thread that asks it to.
//!
//! Each case builds a config writing `%`-style text to a file, warms up with
//! records of the same shape, then counts the allocations made while 1,000
//! more records are written.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Counts allocations (not frees) made on threads that turned counting on.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
/// The sizes of the first allocations counted, to say what allocates.
static SIZES: [AtomicUsize; 16] = [const { AtomicUsize::new(0) }; 16];

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

fn note(layout: Layout) {
    if COUNTING.try_with(Cell::get).unwrap_or(false) {
        let n = ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        if let Some(slot) = usize::try_from(n).ok().and_then(|n| SIZES.get(n)) {
            slot.store(layout.size(), Ordering::Relaxed);
        }
    }
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// bookkeeping touches only atomics and a const-initialized thread-local, so
// it never allocates itself.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout);
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout);
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(layout);
        // SAFETY: forwarded with the caller's pointer, layout and size.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's pointer and layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// One counted stretch at a time (the counters are global).
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

const WARM_UP: u64 = 200;
const RECORDS: u64 = 1_000;

/// Writes `WARM_UP` then `RECORDS` records through `emit` with `yaml` (its
/// `LOGFILE` replaced by a temp file), returning the allocations counted
/// during the second stretch and their first sizes; checks every record
/// reached the file.
fn count(yaml: &str, emit: fn(u64)) -> (u64, Vec<usize>) {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = tempfile::tempdir().expect("temp dir");
    let logfile = dir.path().join("alloc.log");
    let yaml = yaml.replace("LOGFILE", &logfile.display().to_string());
    let built = logconf::Config::from_yaml_str(&yaml)
        .expect("the test config loads")
        .build()
        .expect("the test config builds");

    let counted = tracing::subscriber::with_default(built.subscriber(), || {
        // Same-width numbers throughout, so every record has the same shape.
        for i in 0..WARM_UP {
            emit(10_000 + i);
        }
        ALLOCATIONS.store(0, Ordering::Relaxed);
        COUNTING.with(|c| c.set(true));
        for i in 0..RECORDS {
            emit(20_000 + i);
        }
        COUNTING.with(|c| c.set(false));
        ALLOCATIONS.load(Ordering::Relaxed)
    });
    built.flush();
    let sizes = SIZES
        .iter()
        .take(usize::try_from(counted).unwrap_or(usize::MAX))
        .map(|s| s.load(Ordering::Relaxed))
        .collect();
    assert_lines(&logfile, WARM_UP + RECORDS);
    (counted, sizes)
}

fn assert_lines(path: &Path, expected: u64) {
    let text = std::fs::read_to_string(path).expect("the log file");
    assert_eq!(
        text.lines().count() as u64,
        expected,
        "every record reaches the file; first lines: {:?}",
        text.lines().take(2).collect::<Vec<_>>()
    );
}

fn plain(i: u64) {
    tracing::info!(target: "bench_app::service", "request {} handled in {} ms", i, 42);
}

/// `plain`, 1.5 ms apart: 1,000 records span more than one second, so a
/// cached `asctime` must be renewed at least once while counting.
fn paced(i: u64) {
    std::thread::sleep(std::time::Duration::from_micros(1_500));
    plain(i);
}

fn with_fields(i: u64) {
    tracing::info!(
        target: "bench_app::service",
        user = "alice",
        attempt = 3,
        elapsed = ?std::time::Duration::from_millis(42),
        "request {} handled",
        i
    );
}

const FILE: &str = "version: 1
formatters:
  plain: {format: '%(levelname)s %(name)s %(message)s'}
handlers:
  file: {class: logging.FileHandler, formatter: plain, filename: LOGFILE}
root: {level: INFO, handlers: [file]}
";

const ROTATING: &str = "version: 1
formatters:
  plain: {format: '%(levelname)s %(name)s:%(lineno)d %(message)s'}
handlers:
  file:
    class: logging.handlers.RotatingFileHandler
    formatter: plain
    filename: LOGFILE
    maxBytes: 1073741824
    backupCount: 1
root: {level: INFO, handlers: [file]}
";

const ASCTIME: &str = "version: 1
formatters:
  plain: {format: '%(asctime)s %(levelname)s %(name)s %(message)s'}
handlers:
  file: {class: logging.FileHandler, formatter: plain, filename: LOGFILE}
root: {level: INFO, handlers: [file]}
";

#[test]
fn percent_text_to_a_file_allocates_nothing_per_record() {
    let (n, sizes) = count(FILE, plain);
    assert_eq!(n, 0, "allocations over {RECORDS} records; sizes {sizes:?}");
}

#[test]
fn structured_fields_allocate_nothing_per_record() {
    let (n, sizes) = count(FILE, with_fields);
    assert_eq!(n, 0, "allocations over {RECORDS} records; sizes {sizes:?}");
}

#[test]
fn rotating_file_allocates_nothing_per_record() {
    let (n, sizes) = count(ROTATING, plain);
    assert_eq!(n, 0, "allocations over {RECORDS} records; sizes {sizes:?}");
}

#[test]
fn asctime_allocates_nothing_per_record() {
    let (n, sizes) = count(ASCTIME, paced);
    assert_eq!(n, 0, "allocations over {RECORDS} records; sizes {sizes:?}");
}

#[test]
fn the_counter_sees_allocations() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    ALLOCATIONS.store(0, Ordering::Relaxed);
    COUNTING.with(|c| c.set(true));
    let text = std::hint::black_box(format!("{}", std::hint::black_box(12_345)));
    COUNTING.with(|c| c.set(false));
    drop(text);
    assert!(ALLOCATIONS.load(Ordering::Relaxed) >= 1);
}

thread_local! {
    /// The span `in_span` enters: made once per thread, under the counted
    /// subscriber.
    static SPAN: std::cell::OnceCell<tracing::Span> = const { std::cell::OnceCell::new() };
}

/// `with_fields` inside a span with two fields.
fn in_span(i: u64) {
    SPAN.with(|span| {
        let span =
            span.get_or_init(|| tracing::info_span!("request", id = 42_u64, path = "/orders"));
        let _entered = span.enter();
        with_fields(i);
    });
}

const JSON: &str = "version: 1
formatters:
  native: {class: logconf.JsonFormatter}
  python:
    (): pythonjsonlogger.json.JsonFormatter
    fmt: '%(asctime)s %(levelname)s %(name)s %(message)s %(id)s'
  ecs: {(): ecs_logging.StdlibFormatter}
handlers:
  file: {class: logging.FileHandler, formatter: FORMATTER, filename: LOGFILE}
root: {level: INFO, handlers: [file]}
";

#[test]
fn json_formatters_in_spans_allocate_nothing_per_record() {
    for formatter in ["native", "python", "ecs"] {
        // A thread each: the span (a thread-local) belongs to the
        // subscriber it was made under.
        let yaml = JSON.replace("FORMATTER", formatter);
        let (n, sizes) = std::thread::spawn(move || count(&yaml, in_span))
            .join()
            .expect("the counting thread");
        assert_eq!(
            n, 0,
            "{formatter}: allocations over {RECORDS} records; sizes {sizes:?}"
        );
    }
}
