//! Records of the `log` crate under an installed config: the per-thread
//! answers by target must give the bytes the config writes, whatever the
//! target's name shares with another (a prefix, a hash), whether it is a
//! literal or made at run time, and defer to any other dispatcher; the
//! `log` crate's max level follows the config.

use tracing_subscriber::layer::SubscriberExt as _;

use crate::child;

type Test = fn();

pub const TESTS: &[(&str, Test)] = &[
    (
        "log_targets_sharing_a_prefix_or_a_hash",
        log_targets_sharing_a_prefix_or_a_hash,
    ),
    ("log_targets_made_at_run_time", log_targets_made_at_run_time),
    (
        "log_records_reach_a_scoped_subscriber",
        log_records_reach_a_scoped_subscriber,
    ),
    (
        "log_bridge_under_a_composite_subscriber",
        log_bridge_under_a_composite_subscriber,
    ),
];

/// The child cases of this file, or `None` for a name it does not know.
pub fn run_child(name: &str) -> Option<Result<(), String>> {
    let result = match name {
        "log_names" => child_log_names(),
        "log_run_time" => child_log_run_time(),
        "log_scoped" => child_log_scoped(),
        "log_composite" => child_log_composite(),
        _ => return None,
    };
    Some(result)
}

fn install() -> Result<logconf::Guard, String> {
    logconf::init_from_path("config.yaml").map_err(|e| e.to_string())
}

// ------------------------------------------------ names alike

/// Forty bytes each, equal but for byte 9, outside the first, middle and
/// last eight bytes that pick a target's place in the per-thread table:
/// they share a place and only their content tells them apart.
const LIB1: &str = "noisy_lib1::inner::deep_module::leaf_xyz";
const LIB2: &str = "noisy_lib2::inner::deep_module::leaf_xyz";
const LIB3: &str = "noisy_lib3::inner::deep_module::leaf_xyz";

const NAMES: &str = "version: 1
formatters: {f: {format: '%(levelname)s %(name)s %(message)s'}}
handlers: {out: {class: logging.StreamHandler, formatter: f, stream: 'ext://sys.stdout'}}
loggers:
  app: {level: DEBUG}
  noisy_lib1: {level: DEBUG}
  noisy_lib2: {level: ERROR}
  noisy_lib3: {level: WARNING}
root: {level: INFO, handlers: [out]}
";

fn child_log_names() -> Result<(), String> {
    let _guard = install()?;
    println!("max level {}", log::max_level());
    // Three rounds: the first computes each answer, the others find it.
    for round in 0..3 {
        for target in ["app", "app::db", "application", "app_x", "ap", "awsome"] {
            log::debug!(target: target, "debug {round}");
            log::info!(target: target, "info {round}");
        }
        log::debug!(target: "aws_sdk_ec2::client", "debug {round}");
        log::warn!(target: "aws_sdk_ec2::client", "warning {round}");
        // Names of one place, the quietest first: each is found, or
        // evicts another, by its content.
        for target in [LIB2, LIB1, LIB3, LIB1, LIB3, LIB2] {
            log::debug!(target: target, "debug {round}");
            log::warn!(target: target, "warning {round}");
            log::error!(target: target, "error {round}");
        }
    }
    println!(
        "enabled app::db debug={} application debug={} sdk debug={} sdk warn={}",
        log::log_enabled!(target: "app::db", log::Level::Debug),
        log::log_enabled!(target: "application", log::Level::Debug),
        log::log_enabled!(target: "aws_sdk_ec2::client", log::Level::Debug),
        log::log_enabled!(target: "aws_sdk_ec2::client", log::Level::Warn),
    );
    Ok(())
}

fn log_targets_sharing_a_prefix_or_a_hash() {
    let run = child("log_names", &[("config.yaml", NAMES)], &[]);
    assert!(run.success(), "{}", run.stderr);
    let mut want = String::from("max level DEBUG\n");
    for round in 0..3 {
        want += &format!(
            "DEBUG app debug {round}\nINFO app info {round}\n\
             DEBUG app::db debug {round}\nINFO app::db info {round}\n\
             INFO application info {round}\nINFO app_x info {round}\n\
             INFO ap info {round}\nINFO awsome info {round}\n\
             WARNING aws_sdk_ec2::client warning {round}\n"
        );
        for target in [LIB2, LIB1, LIB3, LIB1, LIB3, LIB2] {
            match &target[..10] {
                "noisy_lib1" => {
                    want += &format!(
                        "DEBUG {target} debug {round}\nWARNING {target} warning {round}\n"
                    );
                }
                "noisy_lib3" => want += &format!("WARNING {target} warning {round}\n"),
                _ => {}
            }
            want += &format!("ERROR {target} error {round}\n");
        }
    }
    want += "enabled app::db debug=true application debug=false sdk debug=false sdk warn=true\n";
    assert_eq!(run.stdout, want);
    assert_eq!(run.stderr, "");
}

// ------------------------------------------------ targets made at run time

const RUN_TIME: &str = "version: 1
formatters: {f: {format: '%(levelname)s %(name)s %(message)s'}}
handlers: {out: {class: logging.FileHandler, formatter: f, filename: out.log}}
loggers:
  loud01: {level: DEBUG}
  quiet1: {level: ERROR}
root: {level: INFO, handlers: [out]}
";

fn child_log_run_time() -> Result<(), String> {
    let _guard = install()?;
    // Fresh strings of one length, freed at once: the allocator hands the
    // same address back for the other name. The quiet name comes first: an
    // answer kept by address would then drop the loud one's records.
    for i in 0..6 {
        let target = format!("{}::x", if i % 2 == 0 { "quiet1" } else { "loud01" });
        log::debug!(target: &target, "debug {i}");
        log::warn!(target: &target, "warning {i}");
        drop(target);
    }
    // One buffer rewritten in place: same address, same length, another
    // name each time.
    let mut buf = String::from("quiet1::y");
    for i in 0..4 {
        let name = if i % 2 == 0 { "quiet1::y" } else { "loud01::y" };
        buf.replace_range(.., name);
        log::debug!(target: buf.as_str(), "in place {i}");
    }
    Ok(())
}

fn log_targets_made_at_run_time() {
    let run = child("log_run_time", &[("config.yaml", RUN_TIME)], &[]);
    assert!(run.success(), "{}", run.stderr);
    assert_eq!(
        run.file("out.log"),
        "DEBUG loud01::x debug 1\nWARNING loud01::x warning 1\n\
         DEBUG loud01::x debug 3\nWARNING loud01::x warning 3\n\
         DEBUG loud01::x debug 5\nWARNING loud01::x warning 5\n\
         DEBUG loud01::y in place 1\nDEBUG loud01::y in place 3\n"
    );
    assert_eq!(run.stderr, "");
}

// ------------------------------------------------ other dispatchers

const LIB_ERRORS: &str = "version: 1
formatters: {f: {format: '%(levelname)s %(name)s %(message)s'}}
handlers: {out: {class: logging.FileHandler, formatter: f, filename: out.log}}
loggers:
  lib: {level: ERROR}
root: {level: WARNING, handlers: [out]}
";

/// A `tracing-subscriber` fmt subscriber writing plain lines to stdout.
fn plain_fmt() -> impl tracing::Subscriber + Send + Sync {
    tracing_subscriber::fmt()
        .with_writer(std::io::stdout)
        .with_ansi(false)
        .without_time()
        .finish()
}

fn child_log_scoped() -> Result<(), String> {
    let _guard = install()?;
    println!("max level {}", log::max_level());
    log::warn!(target: "lib", "dropped before");
    // The config drops `lib`'s warnings; a subscriber of this thread's own
    // takes them, whatever the global config said for this target before.
    tracing::subscriber::with_default(plain_fmt(), || {
        log::warn!(target: "lib", "to the scoped subscriber");
    });
    log::warn!(target: "lib", "dropped after");
    log::error!(target: "lib", "written");
    Ok(())
}

fn log_records_reach_a_scoped_subscriber() {
    let run = child("log_scoped", &[("config.yaml", LIB_ERRORS)], &[]);
    assert!(run.success(), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "max level WARN\n WARN lib: to the scoped subscriber\n"
    );
    assert_eq!(run.file("out.log"), "ERROR lib written\n");
    assert_eq!(run.stderr, "");
}

fn child_log_composite() -> Result<(), String> {
    let logging = logconf::Config::from_path("config.yaml")
        .and_then(|c| c.build())
        .map_err(|e| e.to_string())?;
    let _guard = logging.guard();
    logconf::install_log_bridge().map_err(|e| e.to_string())?;
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stdout)
        .with_ansi(false)
        .without_time();
    let subscriber = tracing_subscriber::registry()
        .with(logging.layer())
        .with(fmt);
    tracing::subscriber::set_global_default(subscriber).map_err(|e| e.to_string())?;
    // Not logconf's own subscriber: the `log` crate's max level stays open
    // and every record reaches the dispatcher.
    println!("max level {}", log::max_level());
    log::debug!(target: "lib", "debug to fmt only");
    log::warn!(target: "lib", "warning to fmt only");
    log::error!(target: "lib", "error to both");
    Ok(())
}

fn log_bridge_under_a_composite_subscriber() {
    let run = child("log_composite", &[("config.yaml", LIB_ERRORS)], &[]);
    assert!(run.success(), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "max level TRACE\nDEBUG lib: debug to fmt only\n WARN lib: warning to fmt only\nERROR lib: error to both\n"
    );
    assert_eq!(run.file("out.log"), "ERROR lib error to both\n");
    assert_eq!(run.stderr, "");
}
