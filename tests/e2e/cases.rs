//! The cases: `TESTS` run in the parent; `run_child` is what a child does.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tracing::{Level, debug, error, info, instrument, warn};
use tracing_subscriber::layer::SubscriberExt as _;

use crate::{child, example, repo_file};

type Test = fn();

pub const TESTS: &[(&str, Test)] = &[
    ("example_default_profile", example_default_profile),
    ("example_debug_profile", example_debug_profile),
    ("example_log_profile_env", example_log_profile_env),
    ("example_log_cfg_wins", example_log_cfg_wins),
    (
        "example_log_cfg_unreadable_is_an_error",
        example_log_cfg_unreadable,
    ),
    ("example_embedded_default", example_embedded_default),
    ("seed_yaml_verbatim", seed_yaml_verbatim),
    ("quiet_preset_and_log_crate", quiet_preset_and_log_crate),
    ("quiet_preset_can_be_switched_off", quiet_preset_off),
    ("layer_beside_other_layers", layer_beside_other_layers),
    ("bad_config_installs_nothing", bad_config_installs_nothing),
    ("record_attributes", record_attributes),
    ("structured_fields", structured_fields),
    ("json_config", json_config),
    ("handler_level_and_file_split", handler_level_and_file_split),
    ("buffered_flushed_on_guard_drop", buffered_guard_drop),
    ("buffered_flushed_on_interval", buffered_interval),
    ("buffered_flushed_on_panic", buffered_panic),
    (
        "cfg_reference_is_not_a_folder",
        cfg_reference_is_not_a_folder,
    ),
    (
        "broken_cfg_reference_creates_nothing",
        broken_cfg_reference_creates_nothing,
    ),
];

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

// ---------------------------------------------------------------- example

fn configs() -> Vec<(&'static str, String)> {
    vec![
        (
            "configs/logger_config.yaml",
            repo_file("configs/logger_config.yaml"),
        ),
        (
            "configs/logger_config_debug.yaml",
            repo_file("configs/logger_config_debug.yaml"),
        ),
    ]
}

fn with_configs() -> Vec<(&'static str, String)> {
    configs()
}

fn as_refs<'a>(files: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    files.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

fn example_default_profile() {
    let files = with_configs();
    let run = example(&[], &as_refs(&files), &[]);
    assert!(run.success(), "stderr: {}", run.stderr);
    // The screen shows only ERROR and above, in the `fancy` format.
    let out = lines(&run.stdout);
    assert_eq!(out.len(), 1, "stdout: {}", run.stdout);
    assert!(
        out[0].contains("|ERROR|deploy_vpc.create_vpc:") && out[0].ends_with("|could not tag vpc-0a1b2c3d: UnauthorizedOperation: You are not authorized to perform this operation"),
        "stdout: {}",
        run.stdout
    );
    assert_eq!(run.stderr, "");
    // The log file tells the story: the app's INFO, the SDK's WARNING.
    let log = run.file("logs/deploy_vpc.log");
    assert!(log.contains("|INFO|"), "{log}");
    assert!(log.contains("|EC2 Session object created\n"), "{log}");
    assert!(
        log.contains("|VPC created: vpc-0a1b2c3d (10.0.0.0/16)\n"),
        "{log}"
    );
    assert!(log.contains("|WARNING|"), "{log}");
    assert!(log.contains("throttled; retrying after 120ms"), "{log}");
    assert!(!log.contains("|DEBUG|"), "{log}");
    assert!(!log.contains("beginning attempt"), "{log}");
    assert!(!log.contains("loaded base credentials"), "{log}");
    assert!(!log.contains("add_parsable_certificates"), "{log}");
    // Every line has the `debug` formatter's shape.
    for line in log.lines() {
        let fields: Vec<&str> = line.splitn(4, '|').collect();
        assert_eq!(fields.len(), 4, "{line}");
        assert_eq!(fields[0].len(), "2026-11-29 14:47:13,123".len(), "{line}");
        assert!(fields[2].contains("deploy_vpc.rs:"), "{line}");
    }
}

fn check_debug_run(run: &crate::Run) {
    assert!(run.success(), "stderr: {}", run.stderr);
    let log = run.file("logs/deploy_vpc.log");
    assert!(log.contains("|DEBUG|"), "{log}");
    assert!(
        log.contains("|removing igw-0e5f6a7b and vpc-0a1b2c3d\n"),
        "{log}"
    );
    assert!(log.contains("beginning attempt #1"), "{log}");
    assert!(log.contains("loaded base credentials"), "{log}");
    assert!(log.contains("signing request"), "{log}");
    // hyper_util and rustls stay quiet: the debug profile names only the AWS crates.
    assert!(!log.contains("reuse idle connection"), "{log}");
    assert!(!log.contains("add_parsable_certificates"), "{log}");
    // The screen: the app's INFO and up, the SDK's WARNING and up.
    assert!(
        run.stdout.contains("|INFO|deploy_vpc.create_vpc:"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("|VPC created: vpc-0a1b2c3d (10.0.0.0/16)\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("|WARNING|"), "{}", run.stdout);
    assert!(!run.stdout.contains("|DEBUG|"), "{}", run.stdout);
}

fn example_debug_profile() {
    let files = with_configs();
    check_debug_run(&example(&["--debug"], &as_refs(&files), &[]));
}

fn example_log_profile_env() {
    let files = with_configs();
    check_debug_run(&example(&[], &as_refs(&files), &[("LOG_PROFILE", "debug")]));
}

fn example_log_cfg_wins() {
    let custom = "version: 1\nformatters: {f: {format: 'CUSTOM %(levelname)s %(message)s'}}\nhandlers: {out: {class: logging.StreamHandler, formatter: f, stream: 'ext://sys.stdout'}}\nroot: {level: INFO, handlers: [out]}\n";
    let mut files = with_configs();
    files.push(("custom.yaml", custom.to_owned()));
    let run = example(
        &["--debug"],
        &as_refs(&files),
        &[("LOG_CFG", "custom.yaml")],
    );
    assert!(run.success(), "{}", run.stderr);
    assert!(
        run.stdout
            .contains("CUSTOM INFO EC2 Session object created\n"),
        "{}",
        run.stdout
    );
    assert!(!run.exists("logs/deploy_vpc.log"));
}

fn example_log_cfg_unreadable() {
    let files = with_configs();
    let run = example(&[], &as_refs(&files), &[("LOG_CFG", "missing.yaml")]);
    assert!(!run.success());
    assert!(
        run.stderr
            .starts_with("deploy_vpc: LOG_CFG names missing.yaml, which cannot be read: No such file or directory"),
        "{}",
        run.stderr
    );
    assert!(!run.exists("logs"));
}

fn example_embedded_default() {
    let run = example(&[], &[], &[]);
    assert!(run.success(), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    let err = lines(&run.stderr);
    assert!(
        err.contains(&"INFO:deploy_vpc:EC2 Session object created"),
        "{}",
        run.stderr
    );
    assert!(
        err.contains(&"ERROR:deploy_vpc:could not tag vpc-0a1b2c3d: UnauthorizedOperation: You are not authorized to perform this operation"),
        "{}",
        run.stderr
    );
    // The SDK's INFO credential line is held back by the quiet preset; its WARNING is not.
    assert!(
        !run.stderr.contains("loaded base credentials"),
        "{}",
        run.stderr
    );
    assert!(
        err.contains(&"WARNING:aws_smithy_runtime::client::retries::strategy::standard:throttled; retrying after 120ms"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------- children

pub fn run_child(name: &str) -> Result<(), String> {
    match name {
        "seed" => child_seed(),
        "quiet" => child_quiet(),
        "layers" => child_layers(),
        "bad" => child_bad(),
        "attributes" => child_attributes(),
        "fields" => child_fields(),
        "json" => child_json(),
        "split" => child_split(),
        "buffered" => child_buffered(),
        "refs" => child_refs(),
        _ => Err(format!("unknown child case {name}")),
    }
}

fn install(path: &str) -> Result<logconf::Guard, String> {
    logconf::init_from_path(path).map_err(|e| e.to_string())
}

fn child_seed() -> Result<(), String> {
    let token = std::env::var("TOKEN").map_err(|e| e.to_string())?;
    let _guard = install("seed.yaml")?;
    info!(target: "deployVpc", "{token} app info");
    debug!(target: "deployVpc", "{token} app debug");
    info!(target: "botocore::credentials", "{token} boto info");
    warn!(target: "botocore::credentials", "{token} boto warning");
    error!(target: "deployVpc", "{token} app error");
    debug!(target: "some_other_crate", "{token} root debug");
    Ok(())
}

fn seed_yaml_verbatim() {
    // The seed's file, byte for byte, loads and routes as the seed meant
    // (explained without opening its `/tmp/deployVpc.log`) ...
    let seed = repo_file("configs/seed_logger_config.yaml");
    let verbatim = logconf::Config::from_yaml_str(&seed).expect("the seed loads");
    let route = verbatim.explain("deployVpc").to_string();
    assert!(
        route.contains("handlers [logfile, screen], propagate false"),
        "{route}"
    );
    let route = verbatim.explain("some_other_crate").to_string();
    assert!(
        route.contains("root: level NOTSET, handlers [console, logfile]"),
        "{route}"
    );
    // ... and writes, with only its log file moved into the test's directory.
    assert_eq!(seed.matches("/tmp/deployVpc.log").count(), 1);
    let seed = seed.replace("/tmp/deployVpc.log", "deployVpc.log");
    let token = "seed-token";
    let run = child("seed", &[("seed.yaml", &seed)], &[("TOKEN", token)]);
    assert!(run.success(), "{}", run.stderr);
    let out = lines(&run.stdout);
    // screen (fancy, ERROR) for the app's error; console (simple, DEBUG) for the root's debug.
    assert_eq!(out.len(), 2, "{}", run.stdout);
    assert!(
        out[0].contains("|ERROR|") && out[0].ends_with(&format!("|{token} app error")),
        "{}",
        run.stdout
    );
    assert!(
        out[1].ends_with(&format!(" DEBUG cases {token} root debug")),
        "{}",
        run.stdout
    );
    let log = run.file("deployVpc.log");
    let mine: Vec<&str> = log.lines().collect();
    assert_eq!(mine.len(), 4, "{mine:#?}");
    assert!(mine[0].contains("|INFO|") && mine[0].ends_with(&format!("{token} app info")));
    assert!(mine[1].contains("|WARNING|") && mine[1].ends_with(&format!("{token} boto warning")));
    assert!(mine[2].contains("|ERROR|") && mine[2].ends_with(&format!("{token} app error")));
    assert!(mine[3].contains("|DEBUG|") && mine[3].ends_with(&format!("{token} root debug")));
}

const STDOUT_ROOT_DEBUG: &str = "version: 1
formatters: {f: {format: '%(levelname)s %(name)s %(message)s'}}
handlers: {out: {class: logging.StreamHandler, formatter: f, stream: 'ext://sys.stdout'}}
root: {level: DEBUG, handlers: [out]}
";

fn child_quiet() -> Result<(), String> {
    let _guard = install("config.yaml")?;
    debug!(target: "aws_sdk_ec2::client", "sdk debug");
    warn!(target: "aws_sdk_ec2::client", "sdk warning");
    debug!(target: "aws_smithy_runtime::client::orchestrator", "smithy debug");
    debug!(target: "awsome", "not an aws crate");
    debug!(target: "hyper_util::client", "hyper debug");
    log::debug!(target: "rustls::client::hs", "rustls debug via log");
    log::warn!(target: "rustls::client::hs", "rustls warning via log");
    log::debug!(target: "my_old_dep", "log debug");
    println!(
        "enabled sdk debug={} sdk warn={}",
        tracing::enabled!(target: "aws_sdk_ec2::client", Level::DEBUG),
        tracing::enabled!(target: "aws_sdk_ec2::client", Level::WARN)
    );
    Ok(())
}

fn quiet_preset_and_log_crate() {
    let run = child("quiet", &[("config.yaml", STDOUT_ROOT_DEBUG)], &[]);
    assert!(run.success(), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "WARNING aws_sdk_ec2::client sdk warning\n\
         DEBUG awsome not an aws crate\n\
         WARNING rustls::client::hs rustls warning via log\n\
         DEBUG my_old_dep log debug\n\
         enabled sdk debug=false sdk warn=true\n"
    );
    assert_eq!(run.stderr, "");
}

fn quiet_preset_off() {
    let config = format!("logconf: {{quiet_dependencies: false}}\n{STDOUT_ROOT_DEBUG}");
    let run = child("quiet", &[("config.yaml", &config)], &[]);
    assert!(run.success(), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "DEBUG logconf logging config: config.yaml\n\
         DEBUG aws_sdk_ec2::client sdk debug\n\
         WARNING aws_sdk_ec2::client sdk warning\n\
         DEBUG aws_smithy_runtime::client::orchestrator smithy debug\n\
         DEBUG awsome not an aws crate\n\
         DEBUG hyper_util::client hyper debug\n\
         DEBUG rustls::client::hs rustls debug via log\n\
         WARNING rustls::client::hs rustls warning via log\n\
         DEBUG my_old_dep log debug\n\
         enabled sdk debug=true sdk warn=true\n"
    );
}

/// A layer that counts the events it sees.
struct Count(Arc<AtomicUsize>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Count {
    fn on_event(&self, _: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

fn child_layers() -> Result<(), String> {
    let built = logconf::Config::from_path("config.yaml")
        .and_then(|c| c.build())
        .map_err(|e| e.to_string())?;
    let seen = Arc::new(AtomicUsize::new(0));
    let subscriber = tracing_subscriber::registry()
        .with(built.layer())
        .with(Count(Arc::clone(&seen)));
    tracing::subscriber::with_default(subscriber, || {
        debug!(target: "aws_sdk_ec2", "quieted for logconf, seen by the other layer");
        info!(target: "app", "both");
    });
    built.flush();
    println!("other layer saw {}", seen.load(Ordering::Relaxed));
    Ok(())
}

fn layer_beside_other_layers() {
    let run = child("layers", &[("config.yaml", STDOUT_ROOT_DEBUG)], &[]);
    assert!(run.success(), "{}", run.stderr);
    assert_eq!(run.stdout, "INFO app both\nother layer saw 2\n");
}

fn child_bad() -> Result<(), String> {
    match logconf::init_from_path("config.yaml") {
        Ok(_) => Err("a bad config was installed".to_owned()),
        Err(e) => {
            println!("{e}");
            println!("installed={}", tracing::dispatcher::has_been_set());
            error!("nobody hears this");
            Ok(())
        }
    }
}

fn bad_config_installs_nothing() {
    let bad = "version: 1\nhandlers:\n  out: {class: logging.StreamHandler, formatter: nope}\n  file: {class: logging.FileHandler, filename: made.log}\nroot: {level: LOUD, handlers: [out, fil]}\n";
    let run = child("bad", &[("config.yaml", bad)], &[]);
    assert!(run.success(), "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with("invalid logging config config.yaml: 3 problems\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("handlers.out.formatter"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("root.level"), "{}", run.stdout);
    assert!(
        run.stdout.contains("did you mean `file`?"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.ends_with("installed=false\n"), "{}", run.stdout);
    assert!(
        !run.exists("made.log"),
        "nothing is opened when the config is bad"
    );
    assert_eq!(run.stderr, "");
}

#[instrument]
fn instrumented_function() {
    warn!(target: "app::db", "inside");
}

fn child_attributes() -> Result<(), String> {
    let _guard = install("config.yaml")?;
    instrumented_function();
    warn!(target: "app::db", "outside");
    Ok(())
}

fn record_attributes() {
    let config = "version: 1
formatters: {f: {format: '%(levelname)s|%(levelno)d|%(name)s|%(module)s|%(filename)s|%(funcName)s|%(threadName)s|%(message)s'}}
handlers: {out: {class: logging.StreamHandler, formatter: f, stream: 'ext://sys.stdout'}}
root: {level: DEBUG, handlers: [out]}
";
    let run = child("attributes", &[("config.yaml", config)], &[]);
    assert!(run.success(), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "WARNING|30|app::db|cases|cases.rs|instrumented_function|main|inside\n\
         WARNING|30|app::db|cases|cases.rs|<module>|main|outside\n"
    );
}

fn child_fields() -> Result<(), String> {
    let _guard = install("config.yaml")?;
    info!(user = "bob", attempts = 3, ok = true, "login");
    info!("no fields");
    info!(user = "ann", attempts = 1, "");
    info!(attempts = 2, user = "cy", "");
    Ok(())
}

/// A field the format names is not repeated in `%(message)s`; the others
/// are appended. Per formatter: the same record through a format that
/// names no field keeps every ` key=value`.
fn structured_fields() {
    let config = "version: 1
formatters:
  named: {format: '%(message)s|%(user)s', defaults: {user: '-'}}
  plain: {format: '%(message)s'}
handlers:
  out: {class: logging.StreamHandler, formatter: named, stream: 'ext://sys.stdout'}
  file: {class: logging.FileHandler, formatter: plain, filename: all.log}
root: {level: DEBUG, handlers: [out, file]}
";
    let run = child("fields", &[("config.yaml", config)], &[]);
    assert!(run.success(), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "login attempts=3 ok=true|bob\nno fields|-\nattempts=1|ann\nattempts=2|cy\n"
    );
    assert_eq!(
        run.file("all.log"),
        "login user=\"bob\" attempts=3 ok=true\nno fields\nuser=\"ann\" attempts=1\nattempts=2 user=\"cy\"\n"
    );
}

fn child_json() -> Result<(), String> {
    let _guard = install("config.json")?;
    info!(target: "app", "from json");
    Ok(())
}

fn json_config() {
    let config = r#"{"version": 1,
 "formatters": {"f": {"format": "%(levelname)s:%(name)s:%(message)s"}},
 "handlers": {"out": {"class": "logging.StreamHandler", "formatter": "f", "stream": "ext://sys.stdout"}},
 "root": {"level": "INFO", "handlers": ["out"]}}"#;
    let run = child("json", &[("config.json", config)], &[]);
    assert!(run.success(), "{}", run.stderr);
    assert_eq!(run.stdout, "INFO:app:from json\n");
}

fn child_split() -> Result<(), String> {
    let _guard = install("config.yaml")?;
    debug!(target: "app", "debug");
    info!(target: "app", "info");
    error!(target: "app", "error");
    Ok(())
}

fn handler_level_and_file_split() {
    let config = "version: 1
formatters: {f: {format: '%(levelname)s %(message)s'}}
handlers:
  screen: {class: logging.StreamHandler, level: ERROR, formatter: f, stream: 'ext://sys.stdout'}
  file: {class: logging.FileHandler, formatter: f, filename: logs/nested/app.log}
loggers:
  app: {level: INFO, handlers: [file, screen], propagate: no}
root: {level: DEBUG}
";
    let run = child("split", &[("config.yaml", config)], &[]);
    assert!(run.success(), "{}", run.stderr);
    assert_eq!(run.stdout, "ERROR error\n");
    assert_eq!(run.file("logs/nested/app.log"), "INFO info\nERROR error\n");
    assert_eq!(run.stderr, "");
}

const BUFFERED: &str = "version: 1
formatters: {f: {format: '%(levelname)s %(message)s'}}
handlers:
  file:
    class: logging.FileHandler
    formatter: f
    filename: app.log
    buffer: {capacity: 1000000, flushInterval: 0.2}
root: {level: INFO, handlers: [file]}
";

fn child_buffered() -> Result<(), String> {
    let mode = std::env::var("MODE").map_err(|e| e.to_string())?;
    let guard = install("config.yaml")?;
    for i in 0..3 {
        info!("record {i}");
    }
    let in_file = || std::fs::read_to_string("app.log").unwrap_or_default();
    println!("before flush: {}", in_file().lines().count());
    match mode.as_str() {
        "drop" => drop(guard),
        "interval" => {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while in_file().lines().count() < 3 && std::time::Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            println!("after waiting: {}", in_file().lines().count());
            std::mem::forget(guard);
        }
        _ => panic!("the application panics"),
    }
    Ok(())
}

fn buffered_run(mode: &str) -> crate::Run {
    child("buffered", &[("config.yaml", BUFFERED)], &[("MODE", mode)])
}

fn buffered_guard_drop() {
    let run = buffered_run("drop");
    assert!(run.success(), "{}", run.stderr);
    assert_eq!(run.stdout, "before flush: 0\n");
    assert_eq!(
        run.file("app.log"),
        "INFO record 0\nINFO record 1\nINFO record 2\n"
    );
}

fn buffered_interval() {
    let run = buffered_run("interval");
    assert!(run.success(), "{}", run.stderr);
    assert_eq!(run.stdout, "before flush: 0\nafter waiting: 3\n");
}

fn buffered_panic() {
    let run = buffered_run("panic");
    assert!(!run.success());
    assert!(
        run.stderr.contains("the application panics"),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.file("app.log"),
        "INFO record 0\nINFO record 1\nINFO record 2\n"
    );
}

// ---------------------------------------------------------------- references

fn child_refs() -> Result<(), String> {
    let _guard = install("config.yaml")?;
    info!(target: "app", "through both handlers");
    Ok(())
}

/// `cfg://handlers.g.filename` names g's file: both handlers write there,
/// and no folder `cfg:` appears (it used to be taken as a relative path).
fn cfg_reference_is_not_a_folder() {
    let config = "version: 1
formatters: {f: {format: 'cfg://formats.line'}}
formats: {line: '%(levelname)s %(message)s'}
handlers:
  a: {class: logging.FileHandler, formatter: f, filename: \"cfg://handlers.g.filename\"}
  g: {class: logging.FileHandler, formatter: f, filename: logs/g.log}
  n: {class: logging.FileHandler, formatter: f, filename: ext://os.devnull}
root: {level: INFO, handlers: [a, g, n]}
";
    let run = child("refs", &[("config.yaml", config)], &[]);
    assert!(run.success(), "{}", run.stderr);
    assert_eq!(
        run.file("logs/g.log"),
        "INFO through both handlers\nINFO through both handlers\n"
    );
    assert!(!run.exists("cfg:"), "a folder `cfg:` was created");
    assert!(!run.exists("ext:"), "a folder `ext:` was created");
    let mut names: Vec<String> = std::fs::read_dir(&run.dir)
        .expect("list the folder")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    assert_eq!(names, ["config.yaml", "logs"]);
}

/// A reference that names nothing is a located error; nothing is created.
fn broken_cfg_reference_creates_nothing() {
    let config = "version: 1
handlers:
  a: {class: logging.FileHandler, filename: \"cfg://handlers.g.filename\"}
  b: {class: logging.FileHandler, filename: ext://os.getcwd}
root: {level: INFO, handlers: [a, b]}
";
    let run = child("bad", &[("config.yaml", config)], &[]);
    assert!(run.success(), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "invalid logging config config.yaml: 2 problems
  config.yaml:3:45: handlers.a.filename: cannot resolve `cfg://handlers.g.filename`: `handlers` has no key `g`; did you mean `a`?
  config.yaml:4:45: handlers.b.filename: unsupported external object `ext://os.getcwd`; logconf knows `ext://sys.stdout`, `ext://sys.stderr` and `ext://test` (a handler's `stream`) and `ext://os.devnull` (a handler's `filename`)
installed=false
"
    );
    assert!(!run.exists("cfg:"), "a folder `cfg:` was created");
    assert!(!run.exists("ext:"), "a folder `ext:` was created");
}
