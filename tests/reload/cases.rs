//! The cases: `TESTS` run in the parent; `run_child` is what a child does.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::{REPORT, Running, Test, child, poll_until};

pub const TESTS: &[(&str, Test)] = &[
    (
        "concurrent_flips_lose_and_duplicate_nothing",
        concurrent_flips,
    ),
    ("broken_edit_keeps_logging_reported_once", broken_edit),
    ("watch_turns_debug_on_and_off", watch_debug_on_off),
    ("watch_thread_ends_with_the_guard", watch_thread_ends),
    ("log_crate_records_follow_the_swap", log_bridge_follows),
    (
        "log_crate_levels_follow_reloads_on_every_thread",
        log_levels_follow_reloads,
    ),
    ("rust_log_sets_logger_levels", rust_log_levels),
    ("rust_log_span_directives_are_refused", rust_log_refused),
    ("env_substitution_in_values", env_substitution),
    ("env_unset_variable_is_located", env_unset_variable),
    ("sighup_reloads", sighup_reloads),
];

/// Runs child case `name`; its exit code is the result.
pub fn run_child(name: &str) -> ExitCode {
    let result = match name {
        "flips" => child_flips(),
        "broken" => child_broken(),
        "debug_on_off" => child_debug_on_off(),
        "thread_ends" => child_thread_ends(),
        "log_bridge" => child_log_bridge(),
        "log_levels" => child_log_levels(),
        "init_explain" => child_init_explain(),
        #[cfg(all(feature = "sighup", unix))]
        "sighup" => child_sighup(),
        other => Err(format!("unknown child case {other}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            println!("child error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Replaces `path`'s content at once (write aside, rename), as editors and
/// deploy tools do, so no reader sees half a file.
fn replace_file(path: &str, text: &str) -> Result<(), String> {
    let tmp = format!("{path}.tmp");
    std::fs::write(&tmp, text).map_err(|e| format!("write {tmp}: {e}"))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("rename {tmp}: {e}"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Concurrent flips.

/// Config A: INFO and up; `all.log` (kept across reloads: same settings,
/// `mode: w`, so a second open would truncate it) and `a.log`.
const FLIP_A: &str = "\
version: 1
formatters:
  plain: {format: '%(message)s'}
  a: {format: 'A %(levelname)s %(message)s'}
handlers:
  all: {class: logging.FileHandler, filename: all.log, mode: w, formatter: plain}
  a: {class: logging.FileHandler, filename: a.log, formatter: a}
root: {level: INFO, handlers: [all, a]}
";

/// Config B: DEBUG and up, another format, `all.log` and `b.log`.
const FLIP_B: &str = "\
version: 1
formatters:
  plain: {format: '%(message)s'}
  b: {format: 'B %(levelname)s %(message)s'}
handlers:
  all: {class: logging.FileHandler, filename: all.log, mode: w, formatter: plain}
  b: {class: logging.FileHandler, filename: b.log, formatter: b}
root: {level: DEBUG, handlers: [all, b]}
";

const FLIPS: u64 = 40;
const THREADS: u64 = 3;
/// The "thread" number of the main thread's markers.
const MARKER: u64 = 9;

/// Threads log INFO and DEBUG records with unique numbers while the main
/// thread flips the config between A and B by editing the file and
/// reloading.
fn child_flips() -> Result<(), String> {
    let guard = logconf::init_from_path("logging.yaml").map_err(|e| e.to_string())?;
    let seq = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let (seq, stop) = (Arc::clone(&seq), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut k = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let n = seq.fetch_add(1, Ordering::Relaxed);
                    if n % 2 == 0 {
                        tracing::info!(target: "app", "t{t} k{k} n{n}");
                    } else {
                        tracing::debug!(target: "app", "t{t} k{k} n{n}");
                    }
                    k += 1;
                }
            })
        })
        .collect();
    for flip in 0..FLIPS {
        // Let each generation see records from every thread.
        let from = seq.load(Ordering::Relaxed);
        if !poll_until(Duration::from_secs(20), || {
            seq.load(Ordering::Relaxed) >= from + 300
        }) {
            return Err("the threads stopped logging".into());
        }
        let text = if flip % 2 == 0 { FLIP_B } else { FLIP_A };
        replace_file("logging.yaml", text)?;
        guard.reload().map_err(|e| format!("flip {flip}: {e}"))?;
        // Once `reload` returns, the new config is the current one: this
        // marker (thread "9") must land in its file.
        // Two numbers reserved; the even one (an INFO number) is used, the
        // odd one (a DEBUG number) never logged.
        let reserved = seq.fetch_add(2, Ordering::Relaxed);
        let n = reserved + reserved % 2;
        tracing::info!(target: "app", "t{MARKER} k{flip} n{n}");
    }
    let from = seq.load(Ordering::Relaxed);
    poll_until(Duration::from_secs(20), || {
        seq.load(Ordering::Relaxed) >= from + 300
    });
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().map_err(|_| "a logging thread panicked")?;
    }
    drop(guard);
    println!("total {}", seq.load(Ordering::Relaxed));
    Ok(())
}

/// One parsed record line: (config letter or ' ', level, thread, k, n).
fn parse_line(line: &str, prefixed: bool) -> (char, String, u64, u64, u64) {
    let mut words = line.split(' ');
    let (config, level) = if prefixed {
        let c = words.next().and_then(|w| w.chars().next()).unwrap_or('?');
        (c, words.next().unwrap_or("?").to_owned())
    } else {
        (' ', String::new())
    };
    let mut num = |p: char| -> u64 {
        words
            .next()
            .and_then(|w| w.strip_prefix(p))
            .and_then(|w| w.parse().ok())
            .unwrap_or_else(|| {
                let cut: String = line.chars().rev().take(60).collect();
                let cut: String = cut.chars().rev().collect();
                panic!("bad line ending {cut:?} ({} bytes)", line.len())
            })
    };
    let (t, k, n) = (num('t'), num('k'), num('n'));
    (config, level, t, k, n)
}

fn concurrent_flips() -> Result<(), String> {
    let run = child("flips", &[("logging.yaml", FLIP_A)], &[]);
    run.assert_success();
    let total: u64 = run
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("total "))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no total in {:?}", run.stdout));
    assert!(total >= FLIPS * 300, "only {total} records");
    // Where each record landed: a.log or b.log, and all.log.
    let mut landed: BTreeMap<u64, Vec<char>> = BTreeMap::new();
    let mut debug_in_b = BTreeSet::new();
    // Per thread, which config wrote each of its records, in its order.
    let mut by_thread: BTreeMap<u64, BTreeMap<u64, char>> = BTreeMap::new();
    for (file, letter) in [("a.log", 'A'), ("b.log", 'B')] {
        let mut last_k: BTreeMap<u64, u64> = BTreeMap::new();
        for line in run.file(file).lines() {
            let (c, level, t, k, n) = parse_line(line, true);
            assert_eq!(c, letter, "{file}: {line}");
            // The record's level matches its number, and the format its file.
            let want = if n % 2 == 0 { "INFO" } else { "DEBUG" };
            assert_eq!(level, want, "{file}: {line}");
            assert!(
                !(letter == 'A' && level == "DEBUG"),
                "A writes no DEBUG: {line}"
            );
            if level == "DEBUG" {
                debug_in_b.insert(n);
            }
            // Each thread's records are in its order.
            if let Some(prev) = last_k.insert(t, k) {
                assert!(prev < k, "{file}: thread {t} out of order at {line}");
            }
            landed.entry(n).or_default().push(letter);
            by_thread.entry(t).or_default().insert(k, letter);
        }
    }
    // A thread never goes back to a config once it has seen the next: its
    // records switch files at most once per flip.
    for (t, records) in &by_thread {
        let switches = records
            .values()
            .zip(records.values().skip(1))
            .filter(|(a, b)| a != b)
            .count() as u64;
        assert!(switches <= FLIPS, "thread {t} switched {switches} times");
    }
    // The marker logged right after each reload is in the new config's file.
    let markers = by_thread.get(&MARKER).cloned().unwrap_or_default();
    assert_eq!(markers.len() as u64, FLIPS, "markers: {markers:?}");
    for (flip, letter) in markers {
        let want = if flip % 2 == 0 { 'B' } else { 'A' };
        assert_eq!(letter, want, "marker after flip {flip}");
    }
    let mut in_all = BTreeMap::new();
    for line in run.file("all.log").lines() {
        let (_, _, _, _, n) = parse_line(line, false);
        *in_all.entry(n).or_insert(0u32) += 1;
    }
    let mut info = 0;
    for n in 0..total {
        let files = landed.get(&n).map_or(&[][..], Vec::as_slice);
        if n % 2 == 0 {
            // Every INFO record: exactly once in a.log or b.log, and once
            // in all.log.
            assert_eq!(files.len(), 1, "INFO record n{n} landed in {files:?}");
            assert_eq!(in_all.get(&n), Some(&1), "INFO record n{n} in all.log");
            info += 1;
        } else {
            // A DEBUG record: at most once, and in all.log exactly when in b.log.
            assert!(files.len() <= 1, "DEBUG record n{n} landed in {files:?}");
            let want = (!files.is_empty()).then_some(&1);
            assert_eq!(in_all.get(&n), want, "DEBUG record n{n} in all.log");
        }
    }
    assert_eq!(in_all.keys().filter(|&&n| n >= total).count(), 0);
    // DEBUG callsites were disabled for good under A first: seeing them in
    // b.log shows each swap rebuilt the interest cache.
    assert!(
        debug_in_b.len() > 100,
        "only {} DEBUG records in b.log",
        debug_in_b.len()
    );
    let a = run.file("a.log").lines().count();
    let b = run.file("b.log").lines().count();
    assert!(a > 0 && b > 0, "a.log {a} lines, b.log {b} lines");
    assert_eq!(run.stderr, "");
    println!(
        "     {total} records, {info} INFO each once, {} DEBUG in B, {FLIPS} flips",
        debug_in_b.len()
    );
    Ok(())
}

// ---------------------------------------------------------------------------
// A broken edit.

const WATCHED: &str = "\
version: 1
logconf: {watch: 0.05}
formatters:
  a: {format: 'A %(message)s'}
handlers:
  a: {class: logging.FileHandler, filename: a.log, formatter: a}
root: {level: INFO, handlers: [a]}
";

/// Line 6 names a formatter that does not exist.
const BROKEN: &str = "\
version: 1
logconf: {watch: 0.05}
formatters:
  b: {format: 'B %(message)s'}
handlers:
  b: {class: logging.FileHandler, filename: b.log, formatter: bb}
root: {level: INFO, handlers: [b]}
";

fn child_broken() -> Result<(), String> {
    let _guard = logconf::init_from_path("logging.yaml").map_err(|e| e.to_string())?;
    tracing::info!(target: "app", "before");
    replace_file("logging.yaml", BROKEN)?;
    // The parent says when it has seen the report (and waited long enough
    // for the watch to have repeated it, were it to).
    if !poll_until(Duration::from_secs(30), || Path::new("go").exists()) {
        return Err("no go from the parent".into());
    }
    tracing::info!(target: "app", "after");
    Ok(())
}

fn broken_edit() -> Result<(), String> {
    let running = Running::start("broken", &[("logging.yaml", WATCHED)], &[]);
    let seen = poll_until(Duration::from_secs(20), || {
        running.stderr_now().contains(REPORT)
    });
    assert!(seen, "no report: {}", running.stderr_now());
    // Twenty more watch periods: a watch that retried the same bad file
    // would report again.
    std::thread::sleep(Duration::from_millis(1000));
    std::fs::write(running.dir().join("go"), "").map_err(|e| e.to_string())?;
    let run = running.finish();
    run.assert_success();
    assert_eq!(run.stderr.matches(REPORT).count(), 1, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "--- Logging error ---\n\
         logconf: cannot reload the logging config; the running config is kept: \
         invalid logging config logging.yaml: 1 problem\n  \
         logging.yaml:6:63: handlers.b.formatter: unknown formatter `bb`; did you mean `b`?\n"
    );
    assert_eq!(run.file("a.log"), "A before\nA after\n");
    assert!(!run.dir.join("b.log").exists());
    Ok(())
}

// ---------------------------------------------------------------------------
// DEBUG on and off through the file alone.

const PERIOD_MS: u64 = 500;

fn levels_config(app_level: &str) -> String {
    format!(
        "version: 1\nlogconf: {{watch: {}}}\nhandlers:\n  out: {{class: logging.FileHandler, filename: out.log}}\nloggers:\n  app: {{level: {app_level}}}\nroot: {{level: INFO, handlers: [out]}}\n",
        PERIOD_MS as f64 / 1000.0
    )
}

/// Emits DEBUG probes until one reaches `out.log` (`want_written`) or one
/// does not (`!want_written`); returns how long that took after `start`.
fn probe_until(want_written: bool, start: Instant, i: &mut u64) -> Result<Duration, String> {
    let deadline = start + Duration::from_secs(10);
    loop {
        *i += 1;
        let probe = format!("probe {i}");
        tracing::debug!(target: "app::db", "{probe}");
        // Unbuffered: once `debug!` returns, a written record is in the file.
        let written = read("out.log").lines().any(|l| l == probe);
        if written == want_written {
            return Ok(start.elapsed());
        }
        if Instant::now() > deadline {
            return Err(format!("probe still written={written} after 10 s"));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn child_debug_on_off() -> Result<(), String> {
    let _guard = logconf::init_from_path("logging.yaml").map_err(|e| e.to_string())?;
    let mut i = 0;
    // DEBUG is off: the probe's callsite is disabled for good.
    let off = probe_until(false, Instant::now(), &mut i)?;
    if off > Duration::from_millis(100) {
        return Err("a probe was written before DEBUG was on".into());
    }
    replace_file("logging.yaml", &levels_config("DEBUG"))?;
    let on = probe_until(true, Instant::now(), &mut i)?;
    replace_file("logging.yaml", &levels_config("INFO"))?;
    let back = probe_until(false, Instant::now(), &mut i)?;
    tracing::info!(target: "app::db", "done");
    println!("on {} ms, off {} ms", on.as_millis(), back.as_millis());
    Ok(())
}

fn watch_debug_on_off() -> Result<(), String> {
    let run = child(
        "debug_on_off",
        &[("logging.yaml", &levels_config("INFO"))],
        &[],
    );
    run.assert_success();
    let times: Vec<u64> = run
        .stdout
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok())
        .collect();
    assert_eq!(times.len(), 2, "{}", run.stdout);
    for t in &times {
        assert!(
            *t < 2 * PERIOD_MS,
            "took {t} ms, watch period {PERIOD_MS} ms"
        );
    }
    let text = run.file("out.log");
    assert!(text.ends_with("done\n"), "{text}");
    assert!(text.lines().filter(|l| l.starts_with("probe ")).count() >= 1);
    assert_eq!(run.stderr, "");
    println!("     {} (period {PERIOD_MS} ms)", run.stdout.trim());
    Ok(())
}

// ---------------------------------------------------------------------------
// The watch thread ends with the guard.

/// How many threads of this process are named `logconf-watch`.
fn watch_threads() -> usize {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return usize::MAX;
    };
    tasks
        .filter_map(Result::ok)
        .filter(|t| {
            std::fs::read_to_string(t.path().join("comm"))
                .is_ok_and(|c| c.trim() == "logconf-watch")
        })
        .count()
}

fn child_thread_ends() -> Result<(), String> {
    let guard = logconf::init_from_path("logging.yaml").map_err(|e| e.to_string())?;
    // A thread takes its name once it runs.
    if !poll_until(Duration::from_secs(10), || watch_threads() == 1) {
        return Err(format!("{} watch threads", watch_threads()));
    }
    // A reload to a config without `watch:` ends the thread.
    std::fs::write("logging.yaml", "version: 1\n").map_err(|e| e.to_string())?;
    guard.reload().map_err(|e| e.to_string())?;
    if !poll_until(Duration::from_secs(10), || watch_threads() == 0) {
        return Err("the watch went on after `watch:` was removed".into());
    }
    // Back on, then the guard is dropped: the thread ends.
    std::fs::write("logging.yaml", "version: 1\nlogconf: {watch: 3600}\n")
        .map_err(|e| e.to_string())?;
    guard.reload().map_err(|e| e.to_string())?;
    if !poll_until(Duration::from_secs(10), || watch_threads() == 1) {
        return Err(format!("{} watch threads after reload", watch_threads()));
    }
    drop(guard);
    if !poll_until(Duration::from_secs(10), || watch_threads() == 0) {
        return Err("the watch thread outlived the guard".into());
    }
    println!("ended");
    Ok(())
}

fn watch_thread_ends() -> Result<(), String> {
    if !Path::new("/proc/self/task").exists() {
        return Err("needs /proc to count threads".into());
    }
    let run = child(
        "thread_ends",
        &[("logging.yaml", "version: 1\nlogconf: {watch: 3600}\n")],
        &[],
    );
    run.assert_success();
    assert_eq!(run.stdout, "ended\n");
    Ok(())
}

// ---------------------------------------------------------------------------
// The `log` bridge.

fn bridge_config(file: &str, level: &str) -> String {
    format!(
        "version: 1\nhandlers:\n  h: {{class: logging.FileHandler, filename: {file}}}\nroot: {{level: {level}, handlers: [h]}}\n"
    )
}

fn child_log_bridge() -> Result<(), String> {
    let guard = logconf::init_from_path("logging.yaml").map_err(|e| e.to_string())?;
    log::info!(target: "app", "one");
    log::debug!(target: "app", "hidden");
    std::fs::write("logging.yaml", bridge_config("b.log", "DEBUG")).map_err(|e| e.to_string())?;
    guard.reload().map_err(|e| e.to_string())?;
    log::info!(target: "app", "two");
    log::debug!(target: "app", "three");
    Ok(())
}

fn log_bridge_follows() -> Result<(), String> {
    let run = child(
        "log_bridge",
        &[("logging.yaml", &bridge_config("a.log", "INFO"))],
        &[],
    );
    run.assert_success();
    assert_eq!(run.file("a.log"), "one\n");
    assert_eq!(run.file("b.log"), "two\nthree\n");
    Ok(())
}

/// `app` at `app`, the root at `root`, one file; with `quiet: false`, no
/// quiet preset (its loggers hold WARNING).
fn levels_bridge_config(app: &str, root: &str, quiet: bool) -> String {
    format!(
        "version: 1\nlogconf: {{quiet_dependencies: {quiet}}}\nformatters: {{f: {{format: '%(levelname)s %(name)s %(message)s'}}}}\nhandlers:\n  out: {{class: logging.FileHandler, filename: out.log, formatter: f}}\nloggers:\n  app: {{level: {app}}}\nroot: {{level: {root}, handlers: [out]}}\n"
    )
}

/// Logs from `app::db` at DEBUG, INFO and WARNING on this thread and on a
/// second one (each keeps its own answers by target), reloading between
/// steps; prints the `log` crate's max level at each step.
fn child_log_levels() -> Result<(), String> {
    let guard = logconf::init_from_path("logging.yaml").map_err(|e| e.to_string())?;
    let (to_worker, steps) = std::sync::mpsc::channel::<String>();
    let (done, from_worker) = std::sync::mpsc::channel::<()>();
    let worker = std::thread::spawn(move || {
        for step in steps {
            log::debug!(target: "app::db", "worker debug {step}");
            log::info!(target: "app::db", "worker info {step}");
            log::warn!(target: "app::db", "worker warning {step}");
            if done.send(()).is_err() {
                return;
            }
        }
    });
    let step = |name: &str| -> Result<(), String> {
        println!("{name}: max level {}", log::max_level());
        log::debug!(target: "app::db", "main debug {name}");
        log::info!(target: "app::db", "main info {name}");
        log::warn!(target: "app::db", "main warning {name}");
        to_worker.send(name.to_owned()).map_err(|e| e.to_string())?;
        from_worker.recv().map_err(|e| e.to_string())
    };
    step("info")?;
    for (name, app, root, quiet) in [
        ("debug", "DEBUG", "WARNING", true),
        ("warning", "WARNING", "ERROR", true),
        ("error", "ERROR", "ERROR", false),
    ] {
        replace_file("logging.yaml", &levels_bridge_config(app, root, quiet))?;
        guard.reload().map_err(|e| e.to_string())?;
        step(name)?;
    }
    drop(to_worker);
    worker.join().map_err(|_| "the worker panicked")?;
    Ok(())
}

fn log_levels_follow_reloads() -> Result<(), String> {
    let run = child(
        "log_levels",
        &[(
            "logging.yaml",
            &levels_bridge_config("INFO", "WARNING", true),
        )],
        &[],
    );
    run.assert_success();
    assert_eq!(
        run.stdout,
        "info: max level INFO\ndebug: max level DEBUG\nwarning: max level WARN\nerror: max level ERROR\n"
    );
    let mut want = String::new();
    for who in ["main", "worker"] {
        want += &format!("INFO app::db {who} info info\nWARNING app::db {who} warning info\n");
    }
    for who in ["main", "worker"] {
        want += &format!(
            "DEBUG app::db {who} debug debug\nINFO app::db {who} info debug\nWARNING app::db {who} warning debug\n"
        );
    }
    for who in ["main", "worker"] {
        want += &format!("WARNING app::db {who} warning warning\n");
    }
    assert_eq!(run.file("out.log"), want);
    assert_eq!(run.stderr, "");
    Ok(())
}

// ---------------------------------------------------------------------------
// RUST_LOG and `${VAR}` through `init`.

/// Installs with `init()` (which reads `LOG_CFG`), logs DEBUG records from
/// three targets, prints `explain` of `app::db` and any error.
fn child_init_explain() -> Result<(), String> {
    let guard = match logconf::init() {
        Ok(guard) => guard,
        Err(err) => {
            println!("init error: {err}");
            return Ok(());
        }
    };
    for target in ["app::db", "application", "other"] {
        match target {
            "app::db" => tracing::debug!(target: "app::db", "debug from app::db"),
            "application" => tracing::debug!(target: "application", "debug from application"),
            _ => tracing::warn!(target: "other", "warning from other"),
        }
    }
    drop(guard);
    Ok(())
}

const ROOT_WARNING: &str = "\
version: 1
handlers:
  out: {class: logging.StreamHandler, stream: 'ext://sys.stdout'}
root: {level: WARNING, handlers: [out]}
";

fn rust_log_levels() -> Result<(), String> {
    let env = [("LOG_CFG", "logging.yaml"), ("RUST_LOG", "warn,app=debug")];
    let run = child("init_explain", &[("logging.yaml", ROOT_WARNING)], &env);
    run.assert_success();
    // `app=debug` reaches `app::db`, never `application`.
    assert_eq!(run.stdout, "debug from app::db\nwarning from other\n");
    // Opted out: the file's levels only.
    let opted_out =
        ROOT_WARNING.replace("version: 1\n", "version: 1\nlogconf: {rust_log: false}\n");
    let run = child("init_explain", &[("logging.yaml", &opted_out)], &env);
    run.assert_success();
    assert_eq!(run.stdout, "warning from other\n");
    // `explain` names the directive (checked through the public API).
    let config = logconf::Config::from_yaml_str(ROOT_WARNING)
        .and_then(|c| c.with_rust_log("off,app=debug"))
        .map_err(|e| e.to_string())?;
    let text = config.explain("app::db").to_string();
    assert_eq!(
        text,
        "target `app::db`\n  \
         logger `app` (RUST_LOG `app=debug`): level DEBUG, handlers [], propagate true\n  \
         root (level from RUST_LOG `off`, was WARNING): level OFF, handlers [out]\n  \
         effective level: DEBUG\n  \
         -> handler `out` (level NOTSET, formatter the default `%(message)s`)\n  \
         lowest level written: DEBUG\n"
    );
    Ok(())
}

fn rust_log_refused() -> Result<(), String> {
    let env = [
        ("LOG_CFG", "logging.yaml"),
        ("RUST_LOG", "info,app[req{user}]=debug"),
    ];
    let run = child("init_explain", &[("logging.yaml", ROOT_WARNING)], &env);
    run.assert_success();
    assert_eq!(
        run.stdout,
        "init error: invalid logging config RUST_LOG: 1 problem\n  \
         RUST_LOG:1:6: app[req{user}]=debug: span and field directives are not supported: \
         logconf routes records by target only; write `target=level`, or configure the target in the file\n"
    );
    Ok(())
}

const WITH_ENV: &str = "\
version: 1
logconf: {env: true}
formatters:
  f: {format: '${PREFIX:-[app]} %(message)s'}
  d: {format: '$levelname ${message}', style: $}
handlers:
  file:
    class: logging.handlers.RotatingFileHandler
    filename: ${LOG_DIR:-fallback}/app.log
    maxBytes: ${MAX_BYTES:-10485760}
    backupCount: ${BACKUPS:-3}
    delay: ${DELAY:-no}
    formatter: f
  screen: {class: logging.StreamHandler, stream: 'ext://sys.stdout', formatter: d}
root:
  level: ${LEVEL:-INFO}
  handlers: [file, screen]
";

fn env_substitution() -> Result<(), String> {
    // Defaults: `fallback/app.log`, INFO, maxBytes 10 MiB.
    let run = child(
        "init_explain",
        &[("logging.yaml", WITH_ENV)],
        &[("LOG_CFG", "logging.yaml")],
    );
    run.assert_success();
    assert_eq!(run.file("fallback/app.log"), "[app] warning from other\n");
    // The `$`-style format is left to the formatter.
    assert_eq!(run.stdout, "WARNING warning from other\n");
    // Set: another folder, DEBUG, a tiny maxBytes (numbers coerced).
    let env = [
        ("LOG_CFG", "logging.yaml"),
        ("LOG_DIR", "logs"),
        ("LEVEL", "DEBUG"),
        ("MAX_BYTES", "30"),
        ("PREFIX", "$$ ${NOT_A_REFERENCE}"),
    ];
    let run = child("init_explain", &[("logging.yaml", WITH_ENV)], &env);
    run.assert_success();
    // A variable's value is text: never substituted again, never YAML.
    let prefix = "$$ ${NOT_A_REFERENCE}";
    assert_eq!(
        run.file("logs/app.log"),
        format!("{prefix} warning from other\n")
    );
    assert_eq!(
        run.file("logs/app.log.1"),
        format!("{prefix} debug from application\n")
    );
    assert_eq!(
        run.file("logs/app.log.2"),
        format!("{prefix} debug from app::db\n")
    );
    assert!(!run.dir.join("fallback").exists());
    Ok(())
}

fn env_unset_variable() -> Result<(), String> {
    let text = WITH_ENV.replace("${LOG_DIR:-fallback}", "${LOG_DIR:?the log folder}");
    let run = child(
        "init_explain",
        &[("logging.yaml", &text)],
        &[("LOG_CFG", "logging.yaml")],
    );
    run.assert_success();
    assert_eq!(
        run.stdout,
        "init error: invalid logging config logging.yaml: 1 problem\n  \
         logging.yaml:9:15: handlers.file.filename: environment variable `LOG_DIR` is not set: the log folder\n"
    );
    Ok(())
}

// ---------------------------------------------------------------------------
// SIGHUP.

#[cfg(all(feature = "sighup", unix))]
fn child_sighup() -> Result<(), String> {
    let logging = logconf::Config::from_path("logging.yaml")
        .and_then(|c| c.build())
        .map_err(|e| e.to_string())?;
    let _guard = logging.clone().install().map_err(|e| e.to_string())?;
    tracing::warn!(target: "app", "one");
    std::fs::write(
        "logging.yaml",
        format!(
            "{}logconf: {{reload_on_sighup: true}}\n",
            bridge_config("b.log", "INFO")
        ),
    )
    .map_err(|e| e.to_string())?;
    signal_hook::low_level::raise(signal_hook::consts::SIGHUP).map_err(|e| e.to_string())?;
    if !poll_until(Duration::from_secs(10), || {
        logging.explain("app").to_string().contains("level INFO")
    }) {
        return Err("SIGHUP did not reload".into());
    }
    tracing::warn!(target: "app", "two");
    Ok(())
}

fn sighup_reloads() -> Result<(), String> {
    if !cfg!(all(feature = "sighup", unix)) {
        return Err("built without the `sighup` feature".into());
    }
    let config = format!(
        "{}logconf: {{reload_on_sighup: true}}\n",
        bridge_config("a.log", "WARNING")
    );
    let run = child("sighup", &[("logging.yaml", &config)], &[]);
    run.assert_success();
    assert_eq!(run.file("a.log"), "one\n");
    assert_eq!(run.file("b.log"), "two\n");
    Ok(())
}
