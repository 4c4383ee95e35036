//! Memory after a huge record: the per-thread buffers (and a buffered
//! handler's buffer) give back what a 16 MiB record made them grow, while
//! the threads live on, as in a thread pool. Counted by a global allocator
//! (what logconf holds), with the resident set printed beside it (what the
//! allocator gives back to the system is the allocator's choice).

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::sync::{Arc, Barrier};

/// Bytes currently allocated by the whole process.
static LIVE: AtomicIsize = AtomicIsize::new(0);

/// The system allocator, counting live bytes.
struct Counting;

// SAFETY: every call is forwarded to `System` with the same arguments.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded as is.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(new as isize - layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded as is.
        unsafe { System.realloc(ptr, layout, new) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Resident memory in MiB (`/proc/self/statm`), where there is one.
fn resident_mib() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096 / (1024 * 1024))
}

#[test]
fn huge_records_do_not_stay_allocated() {
    const THREADS: usize = 8;
    const HUGE: usize = 16 * 1024 * 1024;
    let dir = tempfile::tempdir().unwrap();
    let yaml = format!(
        "version: 1\nformatters: {{f: {{format: '%(levelname)s %(message)s'}}}}\nhandlers:\n  file: {{class: logging.FileHandler, filename: {}, formatter: f}}\n  buffered: {{class: logging.FileHandler, filename: {}, formatter: f, buffer: {{}}}}\nroot: {{level: INFO, handlers: [file, buffered]}}\n",
        dir.path().join("plain.log").display(),
        dir.path().join("buffered.log").display(),
    );
    let logging = logconf::Config::from_yaml_str(&yaml)
        .unwrap()
        .build()
        .unwrap();
    let dispatch = tracing::Dispatch::new(logging.subscriber());
    let logged = Arc::new(Barrier::new(THREADS + 1));
    let measured = Arc::new(Barrier::new(THREADS + 1));
    let threads: Vec<_> = (0..THREADS)
        .map(|i| {
            let dispatch = dispatch.clone();
            let (logged, measured) = (Arc::clone(&logged), Arc::clone(&measured));
            std::thread::spawn(move || {
                tracing::dispatcher::with_default(&dispatch, || {
                    // Every thread's buffers warm, at their ordinary size.
                    tracing::info!(thread = i, "ordinary record");
                    logged.wait();
                    measured.wait();
                    {
                        let huge = "x".repeat(HUGE);
                        tracing::info!(thread = i, "{huge}");
                    }
                    tracing::info!(thread = i, "ordinary again");
                    logged.wait();
                    measured.wait();
                });
            })
        })
        .collect();
    logged.wait();
    let (live_before, rss_before) = (LIVE.load(Ordering::SeqCst), resident_mib());
    measured.wait();
    logged.wait();
    let (live_after, rss_after) = (LIVE.load(Ordering::SeqCst), resident_mib());
    measured.wait();
    for t in threads {
        t.join().unwrap();
    }
    logging.flush();
    // Every record was written, the huge ones whole.
    for name in ["plain.log", "buffered.log"] {
        let len = std::fs::metadata(dir.path().join(name)).unwrap().len();
        assert!(len > (THREADS * HUGE) as u64, "{name}: {len}");
    }
    let grown = live_after - live_before;
    println!("live heap grew by {grown} bytes; resident {rss_before:?} -> {rss_after:?} MiB");
    // Kept buffers would be several 16 MiB copies per thread (over 256 MiB);
    // what may stay is ordinary-sized buffers, at most 64 KiB each.
    assert!(
        grown < 1024 * 1024,
        "logconf still holds {} KiB after one {} MiB record on each of {THREADS} threads",
        grown / 1024,
        HUGE / (1024 * 1024)
    );
}
