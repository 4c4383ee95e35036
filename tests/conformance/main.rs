//! Differential conformance suite: every scenario's config and events run
//! through logconf must give the bytes CPython 3.13's logging gave (the
//! committed outputs under `tests/conformance/expected/`), or the
//! hand-checked `rust/` override of a scenario marked `difference`.
//!
//! Without `LOGCONF_CONFORMANCE_CHILD` this is the parent: each scenario is
//! a case that prepares an empty working directory, runs this executable
//! there as the child (`tests/support`: under a time limit), and compares
//! the child's stdout, stderr and files with the expected ones. The command
//! line is libtest's: `-- NAME` runs the scenarios whose name contains
//! NAME, `-- --list` lists them. With `LOGCONF_CONFORMANCE_CHILD=NAME` it is
//! the child: it loads `config.yaml`, emits the events of scenario NAME,
//! flushes and exits.
//!
//! The only normalisations: `::` becomes `.` in everything the child wrote
//! (logconf prints targets as written, `a::b`; CPython prints `a.b`), the
//! child's working directory becomes `.` (error reports name absolute
//! paths), and `.gz` files are compared decompressed (zlib and miniz_oxide
//! compress differently; the headers carry names and times).
//!
//! A scenario with a fake clock (`events::clock`) runs its child with the
//! scenario's `TZ`, its input files stamped with their modification times.

mod events;
mod shim;
#[path = "../support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::env;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use support::{Failed, Trial};

/// Names the scenario the child process runs.
const CHILD_ENV: &str = "LOGCONF_CONFORMANCE_CHILD";

fn main() -> ExitCode {
    support::main(CHILD_ENV, child, trials, None)
}

fn child(name: &str) -> ExitCode {
    match shim::run(events::clock(name), || events::emit(name)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("conformance child: no events for scenario `{name}` (regenerate events.rs)");
            ExitCode::from(2)
        }
        Err(err) => {
            eprintln!("conformance child: {err}");
            ExitCode::from(3)
        }
    }
}

fn suite_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("conformance")
}

/// One case per scenario: every `scenarios/NAME.yaml` and every
/// `expected/NAME/`. A scenario without expected outputs (or the reverse)
/// means the outputs were not regenerated, and fails.
fn trials() -> Vec<Trial> {
    let suite = suite_dir();
    let expected_root = suite.join("expected");
    let listed = list_dirs(&expected_root).and_then(|names| {
        let scenarios = list_scenarios(&suite.join("scenarios"))?;
        Ok((names, scenarios))
    });
    let (mut names, scenario_names) = match listed {
        Ok(listed) => listed,
        Err(err) => {
            let message = format!("cannot list the scenarios under {}: {err}", suite.display());
            return vec![Trial::test("scenarios", move || Err(message.into()))];
        }
    };
    for name in &scenario_names {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    names.sort();
    if names.is_empty() {
        let message = format!("no scenarios found under {}", expected_root.display());
        return vec![Trial::test("scenarios", move || Err(message.into()))];
    }
    names
        .into_iter()
        .map(|name| {
            let has_scenario = scenario_names.contains(&name);
            let dir = expected_root.join(&name);
            Trial::test(name.clone(), move || {
                let outcome = if !has_scenario {
                    Err(format!("  expected/{name} has no scenarios/{name}.yaml\n"))
                } else if !dir.is_dir() {
                    Err(format!(
                        "  scenarios/{name}.yaml has no expected/{name}/ (regenerate the expected outputs)\n"
                    ))
                } else {
                    run_scenario(&name, &dir)
                };
                outcome.map_err(Failed::from)
            })
        })
        .collect()
}

/// Subdirectories of `dir`, by name.
fn list_dirs(dir: &Path) -> io::Result<Vec<String>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            out.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    Ok(out)
}

/// `NAME` for every `NAME.yaml` in `dir`.
fn list_scenarios(dir: &Path) -> io::Result<Vec<String>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(".yaml") {
            out.push(stem.to_owned());
        }
    }
    Ok(out)
}

/// Every file under `root` (recursively), keyed by its `/`-separated relative
/// path. A missing `root` is an empty set.
fn read_tree(root: &Path) -> io::Result<BTreeMap<String, Vec<u8>>> {
    let mut out = BTreeMap::new();
    if root.is_dir() {
        collect(root, "", &mut out)?;
    }
    Ok(out)
}

fn collect(dir: &Path, prefix: &str, out: &mut BTreeMap<String, Vec<u8>>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let rel = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.file_type()?.is_dir() {
            collect(&entry.path(), &format!("{rel}/"), out)?;
        } else {
            out.insert(rel, fs::read(entry.path())?);
        }
    }
    Ok(())
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    fs::read(path).map_err(|e| format!("  cannot read {}: {e}\n", path.display()))
}

/// What one run is compared with.
struct Expected {
    /// `expected/NAME` or `expected/NAME/rust`, for messages.
    label: String,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    files: BTreeMap<String, Vec<u8>>,
}

fn load_expected(name: &str, dir: &Path) -> Result<Expected, String> {
    let rust = dir.join("rust");
    let (base, label) = if rust.is_dir() {
        (rust, format!("expected/{name}/rust"))
    } else {
        (dir.to_path_buf(), format!("expected/{name}"))
    };
    Ok(Expected {
        stdout: read(&base.join("stdout"))?,
        stderr: read(&base.join("stderr"))?,
        files: read_tree(&base.join("files"))
            .map_err(|e| format!("  cannot read {label}/files: {e}\n"))?,
        label,
    })
}

fn run_scenario(name: &str, dir: &Path) -> Result<(), String> {
    let expected = load_expected(name, dir)?;
    let config = read(&dir.join("config.yaml"))?;
    let inputs =
        read_tree(&dir.join("input")).map_err(|e| format!("  cannot read inputs: {e}\n"))?;

    let io_err = |what: &str, e: io::Error| format!("  {what}: {e}\n");
    let work = tempfile::tempdir().map_err(|e| io_err("temporary directory", e))?;
    for (rel, content) in &inputs {
        support::write_file(work.path(), rel, content)
            .map_err(|e| io_err("write input file", e))?;
    }
    fs::write(work.path().join("config.yaml"), &config)
        .map_err(|e| io_err("write config.yaml", e))?;
    let clock = events::clock(name);
    if let Some(clock) = &clock {
        for (rel, ns) in clock.mtimes {
            fs::File::options()
                .write(true)
                .open(work.path().join(rel))
                .and_then(|f| f.set_modified(shim::time_of(*ns)))
                .map_err(|e| io_err("stamp input file", e))?;
        }
    }

    let mut command = support::child_command(CHILD_ENV, name, work.path());
    if let Some(clock) = &clock {
        command.env("TZ", clock.tz);
    }
    let spawned = command.spawn().map_err(|e| io_err("spawn the child", e))?;
    let output =
        support::collect(spawned, support::CHILD_TIMEOUT).map_err(|e| format!("  {e}\n"))?;
    let status = output.status;

    let workdir = work.path().to_string_lossy().into_owned();
    let got_stdout = normalise(&output.stdout, &workdir);
    let got_stderr = normalise(&output.stderr, &workdir);
    if !status.success() {
        return Err(format!(
            "  the child failed ({status}); its stderr:\n{}",
            indent(&got_stderr)
        ));
    }
    let mut got_files =
        read_tree(work.path()).map_err(|e| format!("  cannot read the output files: {e}\n"))?;
    got_files.remove("config.yaml");

    let mut report = String::new();
    compare(
        &mut report,
        &expected.label,
        "stdout",
        &expected.stdout,
        &got_stdout,
    );
    compare(
        &mut report,
        &expected.label,
        "stderr",
        &expected.stderr,
        &got_stderr,
    );
    for rel in expected.files.keys() {
        if !got_files.contains_key(rel) {
            let _ = writeln!(report, "  files/{rel}: expected, but not written");
        }
    }
    for rel in got_files.keys() {
        if !expected.files.contains_key(rel) {
            let _ = writeln!(report, "  files/{rel}: written, but not expected");
        }
    }
    for (rel, want) in &expected.files {
        if let Some(got) = got_files.get(rel) {
            // A `.gz` that CPython wrote is compared decompressed; an
            // input named `.gz` that is no gzip, as it is.
            let (want, got) = match gunzip(want) {
                Ok(want) => match gunzip(got) {
                    Ok(got) => (want, got),
                    Err(e) => {
                        let _ =
                            writeln!(report, "  files/{rel}: written, but no complete gzip: {e}");
                        continue;
                    }
                },
                Err(_) => (want.clone(), got.clone()),
            };
            compare(
                &mut report,
                &expected.label,
                &format!("files/{rel}"),
                &want,
                &normalise(&got, &workdir),
            );
        }
    }
    if report.is_empty() {
        Ok(())
    } else {
        Err(report)
    }
}

/// The decompressed content of a gzip file.
fn gunzip(bytes: &[u8]) -> io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out)?;
    Ok(out)
}

/// `::` to `.`, and the child's working directory `workdir` to `.`: the
/// differences the comparison allows.
fn normalise(bytes: &[u8], workdir: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if !workdir.is_empty() && bytes[i..].starts_with(workdir.as_bytes()) {
            out.push(b'.');
            i += workdir.len();
        } else if bytes[i..].starts_with(b"::") {
            out.push(b'.');
            i += 2;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

fn indent(bytes: &[u8]) -> String {
    let mut out = String::new();
    for line in String::from_utf8_lossy(bytes).lines() {
        let _ = writeln!(out, "    | {line}");
    }
    out
}

/// Appends a unified-style report of the first difference between `want`
/// and `got` (nothing when they are equal).
fn compare(report: &mut String, label: &str, what: &str, want: &[u8], got: &[u8]) {
    if want == got {
        return;
    }
    let offset = want
        .iter()
        .zip(got)
        .position(|(a, b)| a != b)
        .unwrap_or(want.len().min(got.len()));
    let line = want[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = want[..offset]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let _ = writeln!(report, "  --- {label}/{what}");
    let _ = writeln!(report, "  +++ logconf {what}");
    let _ = writeln!(
        report,
        "  @@ first difference at byte {offset} (line {line}, column {}); expected {} bytes, got {} @@",
        offset - line_start + 1,
        want.len(),
        got.len()
    );
    let from = line_start.max(offset.saturating_sub(60));
    let _ = writeln!(report, "  -{}", snippet(want, from, offset));
    let _ = writeln!(report, "  +{}", snippet(got, from, offset));
}

/// `bytes[from..]` up to the end of the line after `offset` (at most 60 bytes
/// past it), escaped so control characters and invalid UTF-8 are visible.
fn snippet(bytes: &[u8], from: usize, offset: usize) -> String {
    let from = from.min(bytes.len());
    let limit = (offset + 60).min(bytes.len());
    let end = bytes[offset.min(limit)..limit]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(limit, |p| offset.min(limit) + p + 1);
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    out.push_str(&escape(&bytes[from..end]));
    if end == bytes.len() {
        out.push_str("<EOF>");
    } else if end == limit {
        out.push('…');
    }
    out
}

/// Valid UTF-8 stays readable; control characters, backslashes and invalid
/// bytes are escaped (`\n`, `\x1b`, `\\`, `\xff`).
fn escape(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                '\\' => out.push_str("\\\\"),
                c if c.is_control() && u32::from(c) < 0x100 => {
                    let _ = write!(out, "\\x{:02x}", u32::from(c));
                }
                c if c.is_control() => {
                    let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}
