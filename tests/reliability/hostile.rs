//! Hostile config text that could crash or exhaust a process rather than
//! panic: deep nesting (stack overflow), alias bombs (memory and time),
//! very long input. Each runs in a child under a memory limit (`ulimit -v`)
//! and a time limit, and must end with a clean error (or a config).

use std::process::{Command, ExitCode};
use std::time::Instant;

use crate::{Test, child_command, run_in, temp_with};

pub(crate) const TESTS: &[(&str, Test)] = &[
    ("hostile_deep_yaml_flow_nesting", || {
        hostile("deep_yaml_flow")
    }),
    ("hostile_deep_yaml_block_nesting", || {
        hostile("deep_yaml_block")
    }),
    ("hostile_deep_json_nesting", || hostile("deep_json")),
    ("hostile_yaml_alias_bomb", || hostile("alias_bomb")),
    ("hostile_long_input", || hostile("long_input")),
    ("hostile_many_keys_in_one_mapping", many_keys),
    (
        "hostile_distinct_log_targets_memory_bounded",
        distinct_targets,
    ),
    ("hostile_endless_config_file", endless_file),
];

/// `Config::from_path("/dev/zero")` (say `LOG_CFG=/dev/zero`) must stop
/// reading at the 4 MiB limit and report the config as too large. It reads
/// the whole file first (`src/lib.rs`, `Config::from_path`:
/// `std::fs::read`), so it allocates until memory runs out: under the
/// child's 2 GiB `ulimit -v` it fails with "out of memory"; without a limit
/// it runs the machine out of memory.
fn endless_file() -> Result<(), String> {
    if !std::path::Path::new("/dev/zero").exists() {
        return Err("no /dev/zero on this system".into());
    }
    let run = run_limited("hostile_path");
    run.assert_success();
    println!("     {}", run.stdout.trim_end());
    assert!(run.stdout.contains("too large"), "{}", run.stdout);
    Ok(())
}

/// Records of the `log` crate with this many distinct targets.
const DISTINCT_TARGETS: usize = 200_000;

/// `log` records with a target made at run time (a request id in it) must
/// not grow memory without bound. Every distinct target's route was cached
/// forever (`src/subscriber/mod.rs`, `Shared::route_for_target`; 1,000,000
/// distinct targets cost 240 MB of RSS in release); main bounds the cache
/// at 4,096 names since c42a577.
fn distinct_targets() -> Result<(), String> {
    let yaml = "version: 1
handlers:
  h: {class: logging.FileHandler, filename: /dev/null}
root: {level: INFO, handlers: [h]}
";
    let run = crate::child("targets", &[("log.yaml", yaml)], &[]);
    run.assert_success();
    let kb: u64 = run
        .stdout
        .trim()
        .strip_prefix("rss_growth_kb=")
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("stdout: {}", run.stdout));
    println!("     RSS grew by {kb} kB over {DISTINCT_TARGETS} distinct targets");
    assert!(
        kb < 32 * 1024,
        "RSS grew by {kb} kB: memory grows with the number of distinct targets"
    );
    Ok(())
}

/// This process's resident set size in kB (Linux).
fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Child: logs `DISTINCT_TARGETS` `log` records, each with its own target,
/// and prints how much the RSS grew.
fn child_targets() {
    let _guard = logconf::init_from_path("log.yaml").unwrap_or_else(|e| panic!("init: {e}"));
    // Warm up: the first records allocate buffers that stay.
    for i in 0..1_000 {
        log::info!(target: "warm.up", "record {i}");
    }
    let before = rss_kb();
    for i in 0..DISTINCT_TARGETS {
        let target = format!("app.request.{i}");
        log::info!(target: &target, "record {i}");
    }
    println!("rss_growth_kb={}", rss_kb().saturating_sub(before));
}

/// A config whose `loggers:` mapping has 100,000 keys (1.3 MB, under the
/// 4 MiB limit) loads, in linear time. Loading was quadratic in the keys
/// of one mapping (a linear duplicate scan per key in
/// `src/config/node.rs`, `visit_map`; 100,000 keys took 25 s in release),
/// fixed on main by c42a577 (0.5 s).
fn many_keys() -> Result<(), String> {
    let run = run_limited("hostile:many_keys");
    run.assert_success();
    println!("     {}", run.stdout.trim_end());
    assert!(run.stdout.starts_with("loaded"), "{}", run.stdout);
    Ok(())
}

const DEPTH: usize = 200_000;

/// The text of hostile case `name`, and whether it is JSON.
fn text(name: &str) -> (String, bool) {
    match name {
        "deep_yaml_flow" => (
            format!(
                "version: 1\nroot: {}{}\n",
                "[".repeat(DEPTH),
                "]".repeat(DEPTH)
            ),
            false,
        ),
        "deep_yaml_block" => {
            let mut s = String::from("version: 1\nfilters:\n");
            for depth in 1..2_500 {
                s.push_str(&" ".repeat(depth));
                s.push_str("- \n");
            }
            (s, false)
        }
        "deep_json" => (
            format!(
                "{{\"version\": 1, \"root\": {}{}}}",
                "[".repeat(DEPTH),
                "]".repeat(DEPTH)
            ),
            true,
        ),
        "alias_bomb" => {
            // Nine levels of nine aliases: 9^9 (387 million) leaves if expanded.
            let mut s =
                String::from("version: 1\nx0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
            for i in 1..10 {
                let p = i - 1;
                s.push_str(&format!(
                    "x{i}: &x{i} [*x{p}, *x{p}, *x{p}, *x{p}, *x{p}, *x{p}, *x{p}, *x{p}, *x{p}]\n"
                ));
            }
            s.push_str("root: {level: INFO, handlers: *x9}\n");
            (s, false)
        }
        "long_input" => {
            let mut s = String::from("version: 1\nformatters:\n");
            for i in 0..2_000 {
                s.push_str(&format!(
                    "  f{i}: {{format: '%(message)s {}'}}\n",
                    "x".repeat(i % 64)
                ));
            }
            s.push_str(&format!("root: {{level: '{}'}}\n", "A".repeat(1 << 20)));
            (s, false)
        }
        "many_keys" => {
            let mut s = String::from("version: 1\nloggers:\n");
            for i in 0..100_000 {
                s.push_str(&format!("  k{i}: {{}}\n"));
            }
            (s, false)
        }
        _ => panic!("unknown hostile case {name}"),
    }
}

/// Children of this module, by name (`hostile:<case>`).
pub(crate) fn child_case(name: &str) -> Option<ExitCode> {
    if name == "hostile_path" {
        match logconf::Config::from_path("/dev/zero") {
            Ok(_) => println!("loaded"),
            Err(e) => println!("{}", e.to_string().replace('\n', " | ")),
        }
        return Some(ExitCode::SUCCESS);
    }
    if name == "targets" {
        child_targets();
        return Some(ExitCode::SUCCESS);
    }
    let case = name.strip_prefix("hostile:")?;
    let (text, json) = text(case);
    let start = Instant::now();
    let result = if json {
        logconf::Config::from_json_str(&text)
    } else {
        logconf::Config::from_yaml_str(&text)
    };
    let outcome = match &result {
        Ok(_) => "loaded".to_owned(),
        Err(e) => {
            assert!(!e.problems().is_empty(), "an error without problems: {e}");
            let first = &e.problems()[0];
            format!(
                "{} problem(s), first: {}",
                e.problems().len(),
                first.message()
            )
        }
    };
    println!("{outcome} in {:.2?}", start.elapsed());
    Some(ExitCode::SUCCESS)
}

fn hostile(case: &str) -> Result<(), String> {
    let run = run_limited(&format!("hostile:{case}"));
    run.assert_success();
    println!("     {}", run.stdout.trim_end());
    Ok(())
}

/// Runs child `name` with at most 2 GiB of address space: a blow-up fails
/// fast instead of swapping a shared machine. A hang is caught by the
/// child timeout; there is no other time bound.
fn run_limited(name: &str) -> crate::Run {
    let tmp = temp_with(&[]);
    let inner = child_command(name, tmp.path());
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("ulimit -v 2097152 && exec \"$0\"")
        .arg(inner.get_program())
        .current_dir(tmp.path())
        .env("LOGCONF_RELIAB_CHILD", name)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    run_in(cmd, tmp)
}
