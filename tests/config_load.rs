//! Configs that must load: the seed config, JSON, PyYAML's YAML 1.1
//! booleans, numeric levels and the `""` logger.

use logconf::Config;

#[test]
fn seed_config_loads_unchanged() {
    Config::from_path("configs/seed_logger_config.yaml").expect("the seed config loads");
}

#[test]
fn seed_config_loads_from_a_string() {
    let text = std::fs::read_to_string("configs/seed_logger_config.yaml").expect("read the seed");
    Config::from_yaml_str(&text).expect("the seed config loads");
}

#[test]
fn json_config_loads() {
    let text = r#"{
        "version": 1,
        "disable_existing_loggers": false,
        "formatters": {"simple": {"format": "%(levelname)s %(message)s", "style": "%"}},
        "filters": {"only_app": {"name": "app"}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "simple",
                        "stream": "ext://sys.stdout", "filters": ["only_app"]},
            "file": {"class": "logging.handlers.RotatingFileHandler", "filename": "app.log",
                     "maxBytes": 1048576, "backupCount": 3, "encoding": "utf-8",
                     "permissions": "0600"}
        },
        "loggers": {"app": {"level": "DEBUG", "handlers": ["file"], "propagate": false}},
        "root": {"level": "INFO", "handlers": ["console"]}
    }"#;
    Config::from_json_str(text).expect("the JSON config loads");
}

#[test]
fn json_config_file_loads() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("logging.json");
    std::fs::write(&path, "{\"version\": 1, \"root\": {\"level\": \"INFO\"}}").expect("write");
    Config::from_path(&path).expect("the JSON file loads");
}

/// PyYAML's YAML 1.1 booleans: each word loads as the boolean it means,
/// seen in the logger's `propagate` (a logger that does not propagate stops
/// the chain before the root).
#[test]
fn yaml_1_1_booleans_are_booleans() {
    for (word, value) in [
        ("no", false),
        ("No", false),
        ("NO", false),
        ("off", false),
        ("Off", false),
        ("false", false),
        ("False", false),
        ("yes", true),
        ("on", true),
        ("ON", true),
        ("true", true),
        ("True", true),
    ] {
        let text = format!("version: 1\nloggers:\n  app:\n    propagate: {word}\n");
        let config = Config::from_yaml_str(&text).unwrap_or_else(|e| panic!("{word}: {e}"));
        let explained = config.explain("app").to_string();
        assert!(
            explained.contains(&format!(
                "logger `app` (config): level NOTSET, handlers [], propagate {value}\n"
            )),
            "propagate: {word} should be {value}:\n{explained}"
        );
        assert_eq!(
            explained.contains("\n  root: "),
            value,
            "propagate: {word} should be {value}:\n{explained}"
        );
    }
}

/// Numeric levels are Python's: 15 and 55 have no name, 0 is NOTSET (the
/// logger inherits), 20 is INFO.
#[test]
fn numeric_levels_load() {
    let text = "version: 1\nroot:\n  level: 15\nloggers:\n  app: {level: 0}\n  db: {level: 55}\n  web: {level: 20}\n";
    let config = Config::from_yaml_str(text).expect("numeric levels load");
    let app = config.explain("app").to_string();
    assert!(
        app.contains("logger `app` (config): level NOTSET,"),
        "{app}"
    );
    assert!(app.contains("  root: level Level 15,"), "{app}");
    assert!(app.contains("  effective level: Level 15\n"), "{app}");
    let db = config.explain("db").to_string();
    assert!(db.contains("logger `db` (config): level Level 55,"), "{db}");
    assert!(db.contains("  effective level: Level 55\n"), "{db}");
    let web = config.explain("web").to_string();
    assert!(web.contains("logger `web` (config): level INFO,"), "{web}");
    assert!(web.contains("  effective level: INFO\n"), "{web}");
}

#[test]
fn lowercase_levels_load() {
    let text =
        "version: 1\nroot: {level: info}\nloggers:\n  app: {level: Warn}\n  t: {level: trace}\n";
    Config::from_yaml_str(text).expect("level names in any case load");
}

#[test]
fn empty_name_logger_configures_the_root() {
    let text = "version: 1\nhandlers:\n  h: {class: logging.NullHandler}\nloggers:\n  \"\":\n    level: DEBUG\n    handlers: [h]\n";
    Config::from_yaml_str(text).expect("the \"\" logger loads");
    let both = format!("{text}root:\n  level: INFO\n");
    Config::from_yaml_str(&both).expect("the \"\" logger and root load together");
}

#[test]
fn minimal_configs_load() {
    Config::from_yaml_str("version: 1\n").expect("version alone loads");
    Config::from_yaml_str("version: 1\nformatters: {}\nhandlers: {}\nloggers: {}\n")
        .expect("empty sections load");
    Config::from_yaml_str("version: 1\nincremental: false\nlogconf: {quiet_dependencies: false}\n")
        .expect("incremental false and logconf options load");
}

#[test]
fn python_only_niceties_load() {
    // Duplicate keys: the last wins, as PyYAML does.
    let text = "version: 1\nroot: {level: DEBUG}\nroot: {level: INFO}\n";
    Config::from_yaml_str(text).expect("duplicate keys load");
    // Anchors and aliases.
    let text = "version: 1\nhandlers:\n  h: {class: logging.NullHandler}\nloggers:\n  a: &common {level: INFO, handlers: [h]}\n  b: *common\n";
    Config::from_yaml_str(text).expect("aliases load");
    // Unquoted octal permissions (YAML 1.1), `null` for optional keys.
    let text = "version: 1\nhandlers:\n  f:\n    class: logging.FileHandler\n    filename: a.log\n    permissions: 0640\n    encoding: null\n    formatter: ~\n";
    Config::from_yaml_str(text).expect("octal permissions and nulls load");
}

#[test]
fn a_logging_filter_factory_loads() {
    let text =
        "version: 1\nfilters:\n  f:\n    (): logging.Filter\n    name: app\nroot: {filters: [f]}\n";
    Config::from_yaml_str(text).expect("`(): logging.Filter` loads");
}

#[test]
fn error_display_lists_every_problem() {
    let err = Config::from_yaml_str("version: 2\nloggres: {}\n").expect_err("two problems");
    assert_eq!(
        err.to_string(),
        "invalid logging config <string>: 2 problems\n  \
         <string>:1:10: version: unsupported version `2`; the only dictConfig version is 1\n  \
         <string>:2:1: loggres: unknown key `loggres`; did you mean `loggers`?"
    );
}

/// Without the `otlp` feature, the OTLP example says which feature it needs.
#[cfg(not(feature = "otlp"))]
#[test]
fn otlp_class_without_its_feature_names_the_feature() {
    let err = Config::from_path("configs/otlp_logger_config.yaml").expect_err("needs `otlp`");
    let text = err.to_string();
    assert!(
        text.contains("handler class `logconf.OtlpHandler` is not supported yet")
            && text.contains("build logconf with its `otlp` cargo feature"),
        "{text}"
    );
}

#[test]
fn timed_compressed_example_keeps_seven_compressed_days() {
    use std::io::Read as _;
    use std::time::{Duration, UNIX_EPOCH};
    let dir = tempfile::tempdir().expect("temporary directory");
    let text = std::fs::read_to_string("configs/timed_compressed.yaml").expect("read the example");
    let log = dir.path().join("logs").join("app.log");
    let text = text.replace(
        "filename: logs/app.log",
        &format!("filename: '{}'", log.display()),
    );
    // 2026-01-05T12:00:00Z: no DST change in the ten days that follow.
    let clock = logconf::testing::ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_767_614_400));
    let built = Config::from_yaml_str(&text)
        .expect("the example loads")
        .build_with_clock(&clock)
        .expect("the example builds");
    tracing::subscriber::with_default(built.subscriber(), || {
        for day in 0..10 {
            tracing::info!(target: "app", "day {day}");
            clock.advance(Duration::from_secs(86_400));
        }
        tracing::info!(target: "app", "day 10");
    });
    drop(built);
    let mut names: Vec<String> = std::fs::read_dir(dir.path().join("logs"))
        .expect("list logs")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 8, "{names:?}");
    assert_eq!(names[0], "app.log");
    assert!(names[1..].iter().all(|n| n.ends_with(".gz")), "{names:?}");
    // The newest backup holds day 9, compressed.
    let mut newest = String::new();
    flate2::read::GzDecoder::new(
        std::fs::File::open(dir.path().join("logs").join(&names[7])).expect("open"),
    )
    .read_to_string(&mut newest)
    .expect("a complete gzip");
    assert!(newest.ends_with(" INFO app day 9\n"), "{newest}");
    let live = std::fs::read_to_string(&log).expect("read app.log");
    assert!(live.ends_with(" INFO app day 10\n"), "{live}");
}
