//! MemoryHandler and QueueHandler on their own: flush rules, the
//! background thread, a full queue (waiting or dropping), closing.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use super::Handler;
use super::class::{BuildContext, HandlerSettings};
use super::clock::SystemClock;
use super::forward::{ForwardKind, Forwarding, Parcel};
use super::memory::MemorySettings;
use super::queue::{Full, QueueSettings};
use super::report::{Captured, ErrorSink};
use crate::level::Level;

/// A handler that keeps what it is given, with the writing thread's name,
/// and can be held shut to stall its writer.
#[derive(Debug, Default)]
struct Sink {
    got: Mutex<Vec<(String, Level, String)>>,
    shut: Mutex<bool>,
    opened: Condvar,
    flushes: Mutex<usize>,
}

impl Sink {
    fn shut() -> Arc<Sink> {
        let sink = Arc::new(Sink::default());
        *sink.shut.lock().unwrap() = true;
        sink
    }

    fn open(&self) {
        *self.shut.lock().unwrap() = false;
        self.opened.notify_all();
    }

    fn texts(&self) -> Vec<String> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .map(|g| g.0.clone())
            .collect()
    }

    fn threads(&self) -> Vec<String> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .map(|g| g.2.clone())
            .collect()
    }
}

impl Handler for Sink {
    fn emit(&self, record: &[u8], level: Level) {
        let mut shut = self.shut.lock().unwrap();
        while *shut {
            shut = self.opened.wait(shut).unwrap();
        }
        drop(shut);
        let thread = std::thread::current().name().unwrap_or("").to_owned();
        let text = String::from_utf8_lossy(record).into_owned();
        self.got.lock().unwrap().push((text, level, thread));
    }

    fn flush(&self) {
        *self.flushes.lock().unwrap() += 1;
    }
}

fn build(
    settings: &dyn HandlerSettings,
    downstream: &[Arc<dyn Handler>],
    errors: &Captured,
) -> Box<dyn Handler> {
    settings
        .build(&BuildContext {
            name: "h",
            clock: Arc::new(SystemClock),
            errors: Arc::new(errors.clone()) as Arc<dyn ErrorSink>,
            downstream,
            terminator: "\n",
        })
        .unwrap()
}

fn memory(capacity: usize, flush_level: Level, flush_on_close: bool) -> MemorySettings {
    MemorySettings {
        capacity,
        flush_level,
        flush_on_close,
        forwarding: Forwarding {
            kind: ForwardKind::Hold,
            handlers: Vec::new(),
        },
    }
}

fn queue(maxsize: Option<usize>, full: Full) -> QueueSettings {
    QueueSettings {
        maxsize,
        full,
        forwarding: Forwarding {
            kind: ForwardKind::Fan {
                respect_level: false,
            },
            handlers: Vec::new(),
        },
    }
}

fn held(text: &str) -> Parcel {
    Parcel::Held(Some(Box::new(Parcel::Text(text.as_bytes().into()))))
}

fn fan(text: &str) -> Parcel {
    Parcel::Fan(vec![(0, Parcel::Text(text.as_bytes().into()))])
}

#[test]
fn memory_passes_records_on_at_capacity_and_flush_level() {
    let sink = Arc::new(Sink::default());
    let mem = build(
        &memory(3, Level::WARNING, true),
        &[sink.clone() as Arc<dyn Handler>],
        &Captured::default(),
    );
    mem.forward(held("1\n"), Level::INFO);
    mem.forward(held("2\n"), Level::DEBUG);
    assert!(sink.texts().is_empty(), "held below capacity");
    mem.forward(held("3\n"), Level::INFO);
    assert_eq!(sink.texts(), ["1\n", "2\n", "3\n"], "the third fills it");
    mem.forward(held("4\n"), Level::INFO);
    mem.forward(held("5\n"), Level::WARNING);
    assert_eq!(sink.texts().len(), 5, "a WARNING passes everything on");
    // A record the target's filters reject counts towards the capacity.
    mem.forward(Parcel::Held(None), Level::INFO);
    mem.forward(held("7\n"), Level::INFO);
    mem.flush();
    assert_eq!(sink.texts().len(), 5, "flushing does not release records");
    mem.forward(held("8\n"), Level::INFO);
    assert_eq!(sink.texts()[5..], ["7\n", "8\n"]);
    mem.forward(held("9\n"), Level::INFO);
    mem.close();
    assert_eq!(sink.texts()[7..], ["9\n"], "flushOnClose");
    assert_eq!(
        *sink.flushes.lock().unwrap(),
        1,
        "closing closes the target"
    );
}

#[test]
fn memory_without_flush_on_close_discards_at_close() {
    let sink = Arc::new(Sink::default());
    let mem = build(
        &memory(10, Level::ERROR, false),
        &[sink.clone() as Arc<dyn Handler>],
        &Captured::default(),
    );
    mem.forward(held("kept\n"), Level::ERROR);
    mem.forward(held("dropped\n"), Level::INFO);
    drop(mem);
    assert_eq!(sink.texts(), ["kept\n"]);
}

#[test]
fn memory_capacity_zero_passes_each_record_on() {
    let sink = Arc::new(Sink::default());
    let mem = build(
        &memory(0, Level::ERROR, false),
        &[sink.clone() as Arc<dyn Handler>],
        &Captured::default(),
    );
    mem.forward(held("a\n"), Level::DEBUG);
    assert_eq!(sink.texts(), ["a\n"]);
}

#[test]
fn memory_keeps_order_across_threads() {
    let sink = Arc::new(Sink::default());
    let mem: Arc<dyn Handler> = Arc::from(build(
        &memory(7, Level::ERROR, true),
        &[sink.clone() as Arc<dyn Handler>],
        &Captured::default(),
    ));
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let mem = Arc::clone(&mem);
            std::thread::spawn(move || {
                for i in 0..500 {
                    mem.forward(held(&format!("{t} {i}\n")), Level::INFO);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    mem.close();
    let texts = sink.texts();
    assert_eq!(texts.len(), 2000);
    for t in 0..4 {
        let mine: Vec<usize> = texts
            .iter()
            .filter_map(|s| s.strip_prefix(&format!("{t} ")))
            .map(|s| s.trim_end().parse().unwrap())
            .collect();
        assert_eq!(mine, (0..500).collect::<Vec<_>>(), "thread {t} in order");
    }
}

#[test]
fn queue_writes_on_its_thread_in_order_and_flush_waits() {
    let sink = Arc::new(Sink::default());
    let q = build(
        &queue(None, Full::Block),
        &[sink.clone() as Arc<dyn Handler>],
        &Captured::default(),
    );
    for i in 0..100 {
        q.forward(fan(&format!("{i}\n")), Level::INFO);
    }
    q.flush();
    let want: Vec<String> = (0..100).map(|i| format!("{i}\n")).collect();
    assert_eq!(sink.texts(), want, "flush waited for the queue");
    assert!(sink.threads().iter().all(|t| t == "logconf-queue"));
    assert_eq!(*sink.flushes.lock().unwrap(), 1, "then flushed the handler");
    q.close();
    q.forward(fan("after close\n"), Level::INFO);
    assert_eq!(sink.texts().last().unwrap(), "after close\n");
    assert_ne!(
        sink.threads().last().unwrap(),
        "logconf-queue",
        "written on the logging thread once closed"
    );
}

#[test]
fn a_full_queue_makes_the_caller_wait_and_loses_nothing() {
    let sink = Sink::shut();
    let q: Arc<dyn Handler> = Arc::from(build(
        &queue(Some(2), Full::Block),
        &[sink.clone() as Arc<dyn Handler>],
        &Captured::default(),
    ));
    let done = Arc::new(Mutex::new(0usize));
    let producer = {
        let (q, done) = (Arc::clone(&q), Arc::clone(&done));
        std::thread::spawn(move || {
            for i in 0..20 {
                q.forward(fan(&format!("{i}\n")), Level::INFO);
                *done.lock().unwrap() += 1;
            }
        })
    };
    std::thread::sleep(Duration::from_millis(200));
    // One record in the stalled handler, two queued, one send waiting.
    assert!(*done.lock().unwrap() <= 3, "the producer waits for room");
    sink.open();
    producer.join().unwrap();
    q.close();
    let want: Vec<String> = (0..20).map(|i| format!("{i}\n")).collect();
    assert_eq!(sink.texts(), want);
}

#[test]
fn a_full_queue_with_full_drop_counts_and_reports_drops() {
    let sink = Sink::shut();
    let errors = Captured::default();
    let q = build(
        &queue(Some(2), Full::Drop),
        &[sink.clone() as Arc<dyn Handler>],
        &errors,
    );
    let start = Instant::now();
    for i in 0..50 {
        q.forward(fan(&format!("{i}\n")), Level::INFO);
    }
    assert!(start.elapsed() < Duration::from_secs(1), "never waits");
    sink.open();
    q.close();
    let written = sink.texts().len();
    let dropped = 50 - written;
    assert!(dropped >= 47, "at most 3 fit: {written}");
    assert_eq!(
        errors.text(),
        format!("logconf: handler `h`: {dropped} records dropped: the queue was full\n")
    );
}

#[test]
fn closing_a_stalled_queue_gives_up_and_reports() {
    let sink = Sink::shut();
    let errors = Captured::default();
    let q = build(
        &queue(None, Full::Block),
        &[sink.clone() as Arc<dyn Handler>],
        &errors,
    );
    q.forward(fan("stuck\n"), Level::INFO);
    q.forward(fan("queued\n"), Level::INFO);
    let start = Instant::now();
    q.close();
    let took = start.elapsed();
    assert!(took >= super::queue::CLOSE_WAIT, "{took:?}");
    assert!(took < super::queue::CLOSE_WAIT * 2, "{took:?}");
    assert_eq!(
        errors.text(),
        "logconf: handler `h`: 2 queued records were not written within 5s of closing\n"
    );
    sink.open();
    drop(q);
}

/// A handler that panics on every record (no real handler does).
#[derive(Debug)]
struct Panicky;

impl Handler for Panicky {
    fn emit(&self, _record: &[u8], _level: Level) {
        panic!("a handler panicked");
    }

    fn flush(&self) {}
}

#[test]
fn a_panicking_handler_does_not_stop_the_queue() {
    let sink = Arc::new(Sink::default());
    let q = build(
        &queue(None, Full::Block),
        &[Arc::new(Panicky) as Arc<dyn Handler>, sink.clone()],
        &Captured::default(),
    );
    for i in 0..3 {
        let both = Parcel::Fan(vec![
            (0, Parcel::Text(b"boom\n"[..].into())),
            (1, Parcel::Text(format!("{i}\n").into_bytes().into())),
        ]);
        q.forward(both, Level::INFO);
    }
    q.close();
    assert_eq!(sink.texts(), ["0\n", "1\n", "2\n"]);
}
