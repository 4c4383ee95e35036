//! What a new user runs into: a second `init()` beside a live log, which
//! config `init()` chose, errors about `LOG_CFG` and relative paths.

use tracing::info;

use crate::{child, example};

type Test = fn();

pub const TESTS: &[(&str, Test)] = &[
    (
        "second_init_keeps_the_live_log",
        second_init_keeps_the_live_log,
    ),
    (
        "failed_init_leaves_the_log_bridge_alone",
        failed_init_leaves_the_log_bridge_alone,
    ),
    ("explain_opens_nothing", explain_opens_nothing),
    (
        "racing_inits_keep_the_live_log",
        racing_inits_keep_the_live_log,
    ),
    ("init_tells_which_config_it_loaded", init_tells_which_config),
    ("embedded_fallback_is_logged", embedded_fallback_is_logged),
    ("log_cfg_errors_name_log_cfg", log_cfg_errors_name_log_cfg),
    (
        "relative_path_failure_names_the_working_directory",
        relative_path_failure_names_the_working_directory,
    ),
    (
        "log_bridge_beside_tracing_subscriber_init",
        log_bridge_beside_tracing_subscriber_init,
    ),
];

/// The child cases of this file, or `None` for a name it does not know.
pub fn run_child(name: &str) -> Option<Result<(), String>> {
    let result = match name {
        "second_init" => child_second_init(),
        "racing_inits" => child_racing_inits(),
        "bridge_alone" => child_bridge_alone(),
        "source" => child_source(),
        "build_error" => child_build_error(),
        "bridge_beside_init" => child_bridge_beside_init(),
        _ => return None,
    };
    Some(result)
}

// ------------------------------------------------ a failed second init()

/// A `mode: w` file: building the config again would truncate it.
const TRUNCATING: &str = "version: 1
formatters: {f: {format: '%(levelname)s %(message)s'}}
handlers: {file: {class: logging.FileHandler, formatter: f, filename: live.log, mode: w}}
root: {level: INFO, handlers: [file]}
";

fn child_second_init() -> Result<(), String> {
    let guard = logconf::Config::from_path("config.yaml")
        .and_then(|c| c.install())
        .map_err(|e| e.to_string())?;
    info!("first line");
    log::info!("first line through log");
    // Every entry point fails, and opens nothing.
    let again = [
        logconf::init_from_path("config.yaml"),
        logconf::init(),
        logconf::init_debug(),
        logconf::Config::from_path("config.yaml").and_then(|c| c.install()),
    ];
    for result in again {
        match result {
            Ok(_) => return Err("a second init succeeded".into()),
            Err(e) if e.is_install() => println!("{e}"),
            Err(e) => return Err(format!("not an install error: {e}")),
        }
    }
    // Explaining a config opens nothing either.
    let config = logconf::Config::from_path("config.yaml").map_err(|e| e.to_string())?;
    let _ = config.explain("app");
    println!(
        "after: {:?}",
        std::fs::read_to_string("live.log").map_err(|e| e.to_string())?
    );
    info!("second line");
    log::info!("second line through log");
    drop(guard);
    Ok(())
}

fn second_init_keeps_the_live_log() {
    // LOG_CFG makes `init()` and `init_debug()` load the same truncating file.
    let run = child(
        "second_init",
        &[("config.yaml", TRUNCATING)],
        &[("LOG_CFG", "config.yaml")],
    );
    assert!(run.success(), "{}", run.stderr);
    let refused = "a global tracing subscriber is already installed; use `Logging::layer` to add logconf to it\n";
    assert_eq!(
        run.stdout,
        format!(
            "{refused}{refused}{refused}{refused}after: \"INFO first line\\nINFO first line through log\\n\"\n"
        )
    );
    // Byte for byte: nothing truncated, no NUL bytes where the file was cut,
    // and the `log` bridge still routes into the first config.
    let bytes = std::fs::read(run.dir.join("live.log")).expect("the live log");
    assert_eq!(
        bytes,
        b"INFO first line\nINFO first line through log\nINFO second line\nINFO second line through log\n"
    );
    assert_eq!(run.stderr, "");
}

fn child_racing_inits() -> Result<(), String> {
    const THREADS: usize = 24;
    let start = std::sync::Barrier::new(THREADS);
    let results: Vec<Result<Option<logconf::Guard>, String>> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..THREADS)
            .map(|i| {
                let start = &start;
                s.spawn(move || {
                    start.wait();
                    // Staggered, so that some threads check while the
                    // first one is building and installing.
                    std::thread::sleep(std::time::Duration::from_micros(40 * i as u64));
                    match logconf::init_from_path("config.yaml") {
                        Ok(guard) => {
                            // The winner logs at once, while the others fail.
                            for i in 0..300 {
                                info!("winner {i}");
                            }
                            Ok(Some(guard))
                        }
                        Err(e) if e.is_install() => Ok(None),
                        Err(e) => Err(e.to_string()),
                    }
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().unwrap_or_else(|_| Err("a thread panicked".into())))
            .collect()
    });
    let mut winners = 0;
    for result in results {
        if result?.is_some() {
            winners += 1;
        }
    }
    println!("winners: {winners}");
    Ok(())
}

fn racing_inits_keep_the_live_log() {
    // Several threads call `init()` at once: the ones that lose must not
    // open (and truncate) the file the winner is writing.
    for _ in 0..3 {
        let run = child("racing_inits", &[("config.yaml", TRUNCATING)], &[]);
        assert!(run.success(), "{}", run.stderr);
        assert_eq!(run.stdout, "winners: 1\n");
        let bytes = std::fs::read(run.dir.join("live.log")).expect("the live log");
        let expected: String = (0..300).map(|i| format!("INFO winner {i}\n")).collect();
        assert!(
            bytes == expected.as_bytes(),
            "{}",
            String::from_utf8_lossy(&bytes).escape_debug()
        );
    }
}

/// A `log` logger that only counts as installed.
struct Probe;

impl log::Log for Probe {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        false
    }
    fn log(&self, _: &log::Record<'_>) {}
    fn flush(&self) {}
}

fn child_bridge_alone() -> Result<(), String> {
    // Another global subscriber, without any `log` bridge.
    let other = tracing_subscriber::fmt()
        .with_writer(std::io::stdout)
        .without_time()
        .finish();
    tracing::subscriber::set_global_default(other).map_err(|e| e.to_string())?;
    match logconf::init_from_path("config.yaml") {
        Ok(_) => return Err("init succeeded beside another subscriber".into()),
        Err(e) => println!("install error: {}", e.is_install()),
    }
    // The `log` crate's logger is still free: logconf installed no bridge.
    println!("log logger free: {}", log::set_logger(&Probe).is_ok());
    Ok(())
}

fn failed_init_leaves_the_log_bridge_alone() {
    let run = child("bridge_alone", &[("config.yaml", TRUNCATING)], &[]);
    assert!(run.success(), "{}", run.stderr);
    assert_eq!(run.stdout, "install error: true\nlog logger free: true\n");
    assert!(!run.exists("live.log"), "nothing is opened");
}

fn explain_opens_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let live = dir.path().join("live.log");
    std::fs::write(&live, "written by the running program\n").expect("write");
    let yaml = format!(
        "version: 1\nhandlers:\n  live: {{class: logging.FileHandler, filename: '{}', mode: w}}\n  new: {{class: logging.handlers.RotatingFileHandler, filename: '{}', maxBytes: 10}}\nroot: {{handlers: [live, new]}}\n",
        live.display(),
        dir.path().join("sub/new.log").display()
    );
    let config = logconf::Config::from_yaml_str(&yaml).expect("valid");
    let text = config.explain("app").to_string();
    assert!(text.contains("handlers [live, new]"), "{text}");
    assert_eq!(
        std::fs::read_to_string(&live).expect("read"),
        "written by the running program\n"
    );
    assert!(!dir.path().join("sub").exists(), "nothing is created");
}

// ------------------------------------------------ which config was loaded

const TO_STDOUT: &str = "version: 1
formatters: {f: {format: '%(levelname)s:%(name)s:%(message)s'}}
handlers: {out: {class: logging.StreamHandler, formatter: f, stream: 'ext://sys.stdout'}}
loggers: {logconf: {level: DEBUG}}
root: {level: INFO, handlers: [out]}
";

fn child_source() -> Result<(), String> {
    let debug = std::env::var_os("DEBUG_PROFILE").is_some();
    let guard = if debug {
        logconf::init_debug()
    } else {
        logconf::init()
    };
    let guard = guard.map_err(|e| e.to_string())?;
    println!("source: {:?}", guard.source());
    Ok(())
}

/// The temporary directory as the child's `current_dir()` names it.
fn real(dir: &std::path::Path) -> String {
    std::fs::canonicalize(dir)
        .expect("canonical path")
        .display()
        .to_string()
}

fn init_tells_which_config() {
    // LOG_CFG.
    let run = child(
        "source",
        &[("custom.yaml", TO_STDOUT)],
        &[("LOG_CFG", "custom.yaml")],
    );
    assert!(run.success(), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "DEBUG:logconf:logging config: custom.yaml (named by LOG_CFG)\n\
         source: LogCfg(\"custom.yaml\")\n"
    );
    // A default file found in the working directory, by its absolute path.
    let run = child("source", &[("configs/logger_config.yaml", TO_STDOUT)], &[]);
    assert!(run.success(), "{}", run.stderr);
    let path = format!("{}/configs/logger_config.yaml", real(&run.dir));
    assert_eq!(
        run.stdout,
        format!(
            "DEBUG:logconf:logging config: {path} (the default profile's file, found in the working directory)\n\
             source: Found {{ path: {path:?}, profile: Default }}\n"
        )
    );
    // The debug profile's file, selected by LOG_PROFILE.
    let run = child(
        "source",
        &[("logger_config_debug.yaml", TO_STDOUT)],
        &[("LOG_PROFILE", "debug")],
    );
    assert!(run.success(), "{}", run.stderr);
    let path = format!("{}/logger_config_debug.yaml", real(&run.dir));
    assert!(
        run.stdout.ends_with(&format!(
            "source: Found {{ path: {path:?}, profile: Debug }}\n"
        )),
        "{}",
        run.stdout
    );
    // The embedded debug config: at DEBUG, the record is on stderr.
    let run = child("source", &[], &[("DEBUG_PROFILE", "1")]);
    assert!(run.success(), "{}", run.stderr);
    assert_eq!(run.stdout, "source: Embedded(Debug)\n");
    assert_eq!(
        run.stderr,
        format!(
            "DEBUG:logconf:logging config: the embedded debug config (LOG_CFG is not set, and none of `logger_config_debug.yaml`, `configs/logger_config_debug.yaml` is in the working directory) (working directory {})\n",
            real(&run.dir)
        )
    );
}

fn embedded_fallback_is_logged() {
    // `cd examples && cargo run --example deploy_vpc`: no config there, so
    // the embedded default is used, and the example says so.
    let run = example(&[], &[], &[]);
    assert!(run.success(), "{}", run.stderr);
    assert_eq!(
        run.stderr.lines().next(),
        Some(
            "INFO:deploy_vpc:logging config: the embedded default config (LOG_CFG is not set, and none of `logger_config.yaml`, `configs/logger_config.yaml` is in the working directory)"
        ),
        "{}",
        run.stderr
    );
}

fn log_cfg_errors_name_log_cfg() {
    let run = child("source", &[], &[("LOG_CFG", "missing.yaml")]);
    assert!(!run.success());
    assert_eq!(
        run.stderr,
        "child source: LOG_CFG names missing.yaml, which cannot be read: No such file or directory (os error 2)\n"
    );
    let run = example(&[], &[], &[("LOG_CFG", "missing.yaml")]);
    assert!(!run.success());
    assert_eq!(
        run.stderr,
        "deploy_vpc: LOG_CFG names missing.yaml, which cannot be read: No such file or directory (os error 2)\n"
    );
}

fn child_build_error() -> Result<(), String> {
    let config = logconf::Config::from_path("config.yaml").map_err(|e| e.to_string())?;
    match config.build() {
        Ok(_) => Err("built".into()),
        Err(e) => {
            println!("{e}");
            Ok(())
        }
    }
}

fn relative_path_failure_names_the_working_directory() {
    let config = "version: 1\nhandlers:\n  file: {class: logging.FileHandler, filename: blocked/app.log}\nroot: {handlers: [file]}\n";
    // A file where the folder should be.
    let run = child(
        "build_error",
        &[("config.yaml", config), ("blocked", "a file\n")],
        &[],
    );
    assert!(run.success(), "{}", run.stderr);
    let dir = real(&run.dir);
    assert_eq!(
        run.stdout,
        format!(
            "cannot open the outputs of logging config config.yaml: 1 problem\n  \
             config.yaml:3:3: handlers.file: cannot open the output of `logging.FileHandler`: \
             cannot create the directory {dir}/blocked: File exists (os error 17); \
             `blocked/app.log` is relative to the working directory, {dir}\n"
        )
    );
}

// ------------------------------------------------ the `log` bridge

fn child_bridge_beside_init() -> Result<(), String> {
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    let other = std::env::var_os("OTHER_LOGGER").is_some();
    if other {
        log::set_logger(&Probe).map_err(|e| e.to_string())?;
    }
    let built = logconf::Config::from_path("config.yaml")
        .and_then(|c| c.build())
        .map_err(|e| e.to_string())?;
    // tracing-subscriber's usual `init()`, which installs its own `log`
    // bridge unless a `log` logger is already there.
    let init = tracing_subscriber::registry()
        .with(built.layer())
        .try_init();
    println!("init: {}", init.is_ok());
    // The README's advice for `layer()`: harmless beside that bridge.
    match logconf::install_log_bridge() {
        Ok(()) => println!("bridge: ok"),
        Err(e) => println!("bridge: {e}"),
    }
    log::warn!(target: "old_dep", "through log");
    tracing::warn!(target: "app", "through tracing");
    Ok(())
}

fn log_bridge_beside_tracing_subscriber_init() {
    let config = "version: 1
formatters: {f: {format: '%(levelname)s %(name)s %(message)s'}}
handlers: {out: {class: logging.StreamHandler, formatter: f, stream: 'ext://sys.stdout'}}
root: {level: INFO, handlers: [out]}
";
    let run = child("bridge_beside_init", &[("config.yaml", config)], &[]);
    assert!(run.success(), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "init: true\nbridge: ok\nWARNING old_dep through log\nWARNING app through tracing\n"
    );
    // A `log` logger that is not a bridge to `tracing` is still refused,
    // and asking it wrote nothing.
    let run = child(
        "bridge_beside_init",
        &[("config.yaml", config)],
        &[("OTHER_LOGGER", "1")],
    );
    assert!(run.success(), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "init: false\nbridge: another `log` logger is already installed, so `log` records cannot be routed\nWARNING app through tracing\n"
    );
    assert_eq!(run.stderr, "");
}
