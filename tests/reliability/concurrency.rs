//! Many threads, one rotating file: nothing lost, duplicated, torn or
//! reordered, and no file over `maxBytes` unless it holds one record that
//! is bigger on its own.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Barrier};
use std::time::Instant;

use crate::{Test, full_size};

pub(crate) const TESTS: &[(&str, Test)] = &[
    ("rotating_file_8_threads", || rotating_file_8_threads("")),
    ("rotating_file_8_threads_buffered", || {
        rotating_file_8_threads("    buffer: {capacity: 16384}\n")
    }),
    ("file_shared_by_4_processes", file_shared_by_processes),
];

const PROCESSES: usize = 4;

/// In the shared-file case, every 1000th record of process 0 is this size
/// plus 100 bytes: a write well over `PIPE_BUF`.
const SHARED_BIG: usize = 64 * 1024;

/// Children of this module, by name: `append` logs `RECORDS` records of
/// thread id `TID` (as `tid seq padding`) to the `FileHandler` of `log.yaml`.
pub(crate) fn child_case(name: &str) -> Option<std::process::ExitCode> {
    if name != "append" {
        return None;
    }
    let var = |k: &str| -> usize {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{k}"))
    };
    let (tid, n) = (var("TID"), var("RECORDS"));
    let _guard = logconf::init_from_path("log.yaml").unwrap_or_else(|e| panic!("init: {e}"));
    for seq in 0..n {
        let pad = padding(tid, seq, SHARED_BIG);
        tracing::info!("{tid} {seq} {pad}");
    }
    Some(std::process::ExitCode::SUCCESS)
}

/// Several processes appending to one file: every line whole (one
/// `O_APPEND` write per record), each process's records all there and in
/// order. (Several processes *rotating* one file race as in Python; that is
/// documented, not tested.)
fn file_shared_by_processes() -> Result<(), String> {
    let per_process: usize = if full_size() { 100_000 } else { 5_000 };
    let yaml = "version: 1
formatters:
  plain: {format: '%(message)s'}
handlers:
  file: {class: logging.FileHandler, filename: shared.log, formatter: plain}
root: {level: INFO, handlers: [file]}
";
    let tmp = crate::temp_with(&[("log.yaml", yaml)]);
    let children: Vec<_> = (0..PROCESSES)
        .map(|tid| {
            let mut cmd = crate::child_command("append", tmp.path());
            cmd.env("TID", tid.to_string())
                .env("RECORDS", per_process.to_string());
            cmd.spawn().expect("spawn child")
        })
        .collect();
    for c in children {
        let (_, stderr, status) = crate::wait_output(c);
        assert!(status.success(), "child failed ({status}):\n{stderr}");
        assert_eq!(stderr, "");
    }
    let text = std::fs::read_to_string(tmp.path().join("shared.log")).expect("read shared.log");
    assert!(text.ends_with('\n'));
    let mut next = [0usize; PROCESSES];
    for line in text.lines() {
        let (tid, seq) = parse(line, SHARED_BIG)
            .unwrap_or_else(|why| panic!("torn or foreign line ({why}): {line:.80}"));
        assert_eq!(seq, next[tid], "process {tid}: record {seq} out of order");
        next[tid] += 1;
    }
    assert_eq!(next, [per_process; PROCESSES], "records lost");
    Ok(())
}

const THREADS: usize = 8;

/// Every 1000th record of thread 0 is bigger than `maxBytes`.
fn is_big(tid: usize, seq: usize) -> bool {
    tid == 0 && seq % 1000 == 999
}

/// The padding of record `seq` of thread `tid`: a letter per thread, of a
/// length that varies with the record, so a torn or spliced line cannot
/// parse.
fn padding(tid: usize, seq: usize, max_bytes: usize) -> String {
    let len = if is_big(tid, seq) {
        max_bytes + 100
    } else {
        10 + (seq * 7 + tid * 13) % 50
    };
    let letter = char::from(b'a' + u8::try_from(tid).expect("few threads"));
    std::iter::repeat_n(letter, len).collect()
}

/// `extra`: more lines for the handler (indented by four spaces).
fn rotating_file_8_threads(extra: &str) -> Result<(), String> {
    let per_thread: usize = if full_size() { 100_000 } else { 5_000 };
    let max_bytes: usize = if full_size() { 256 * 1024 } else { 64 * 1024 };
    let backup_count = 1_000;
    let tmp = tempfile::tempdir().expect("temp dir");
    let base = tmp.path().join("stress.log");
    let yaml = format!(
        "version: 1
formatters:
  plain: {{format: '%(message)s'}}
handlers:
  rot:
    class: logging.handlers.RotatingFileHandler
    filename: '{}'
    maxBytes: {max_bytes}
    backupCount: {backup_count}
    formatter: plain
{extra}root: {{level: INFO, handlers: [rot]}}
",
        base.display()
    );
    let built = logconf::Config::from_yaml_str(&yaml)
        .and_then(|c| c.build())
        .unwrap_or_else(|e| panic!("config: {e}"));
    let dispatch = tracing::Dispatch::new(built.subscriber());

    let barrier = Arc::new(Barrier::new(THREADS + 1));
    let threads: Vec<_> = (0..THREADS)
        .map(|tid| {
            let dispatch = dispatch.clone();
            let barrier = Arc::clone(&barrier);
            // Paddings are built before the clock starts.
            let pads: Vec<String> = (0..per_thread)
                .map(|seq| padding(tid, seq, max_bytes))
                .collect();
            std::thread::spawn(move || {
                tracing::dispatcher::with_default(&dispatch, || {
                    barrier.wait();
                    for (seq, pad) in pads.iter().enumerate() {
                        tracing::info!("{tid} {seq} {pad}");
                    }
                });
            })
        })
        .collect();
    barrier.wait();
    let start = Instant::now();
    for t in threads {
        t.join().expect("logging thread panicked");
    }
    let elapsed = start.elapsed();
    built.flush();
    let total = THREADS * per_thread;
    println!(
        "     {total} records ({THREADS} threads x {per_thread}) in {elapsed:.2?}: {:.0} records/s",
        total as f64 / elapsed.as_secs_f64()
    );

    let files = files_in_order(tmp.path(), "stress.log", backup_count);
    let mut next = [0usize; THREADS];
    let mut bytes_total = 0usize;
    for (path, bytes) in &files {
        let name = path.display();
        bytes_total += bytes.len();
        let text = std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{name}: not UTF-8: {e}"));
        assert!(
            text.is_empty() || text.ends_with('\n'),
            "{name}: ends inside a record"
        );
        let lines: Vec<&str> = text.lines().collect();
        if bytes.len() > max_bytes {
            assert_eq!(
                lines.len(),
                1,
                "{name} is {} bytes (> maxBytes {max_bytes}) but holds {} records",
                bytes.len(),
                lines.len()
            );
        }
        for line in lines {
            let (tid, seq) = parse(line, max_bytes)
                .unwrap_or_else(|why| panic!("{name}: torn or foreign line ({why}): {line:.80}"));
            assert_eq!(
                seq, next[tid],
                "{name}: thread {tid} record {seq} where {} was expected (lost, duplicated or reordered)",
                next[tid]
            );
            next[tid] += 1;
        }
    }
    for (tid, n) in next.iter().enumerate() {
        assert_eq!(*n, per_thread, "thread {tid}: {n} of {per_thread} records");
    }
    println!(
        "     {} files, {bytes_total} bytes, maxBytes {max_bytes}",
        files.len()
    );
    Ok(())
}

/// Parses `tid seq padding`, checking the padding is exactly the expected.
fn parse(line: &str, max_bytes: usize) -> Result<(usize, usize), String> {
    let mut parts = line.split(' ');
    let (Some(tid), Some(seq), Some(pad), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("not three fields".into());
    };
    let tid: usize = tid.parse().map_err(|_| "thread id")?;
    let seq: usize = seq.parse().map_err(|_| "sequence number")?;
    if tid >= THREADS {
        return Err("thread id out of range".into());
    }
    if pad != padding(tid, seq, max_bytes) {
        return Err("padding".into());
    }
    Ok((tid, seq))
}

/// The base file and its backups, oldest first (highest backup number
/// first, the base file last), with their bytes. Fails if any other file is
/// there or a backup number is missing or beyond `backup_count`.
fn files_in_order(
    dir: &Path,
    base: &str,
    backup_count: usize,
) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut backups = BTreeMap::new();
    let mut has_base = false;
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let name = entry.expect("dir entry").file_name();
        let name = name.to_string_lossy();
        if name == base {
            has_base = true;
        } else if let Some(n) = name
            .strip_prefix(base)
            .and_then(|s| s.strip_prefix('.'))
            .and_then(|s| s.parse::<usize>().ok())
        {
            backups.insert(n, ());
        } else {
            panic!("unexpected file {name}");
        }
    }
    assert!(has_base, "the base file is missing");
    let highest = backups.keys().next_back().copied().unwrap_or(0);
    assert!(
        highest < backup_count,
        "backup {highest} reached backupCount {backup_count}: records may have been deleted"
    );
    assert_eq!(backups.len(), highest, "a backup number is missing");
    let mut out = Vec::new();
    for n in (1..=highest).rev() {
        let path = dir.join(format!("{base}.{n}"));
        let bytes = std::fs::read(&path).expect("read backup");
        out.push((path, bytes));
    }
    let path = dir.join(base);
    let bytes = std::fs::read(&path).expect("read base");
    out.push((path, bytes));
    out
}
