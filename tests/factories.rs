//! Custom factories: Python configs that name third-party classes load once
//! the application registers Rust factories for them, and write what the
//! factories make of the records. Stream output is read from a child
//! process (this test binary run again on one test), byte for byte.

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use logconf::{
    Config, FactoryArgs, FieldValue, Filter, Format, Handler, Level, LogRecord, Registry,
    TextFormat,
};

/// The environment variable naming the test a child runs.
const CHILD: &str = "LOGCONF_FACTORIES_CHILD";

/// Whether this process is the child run of `test`.
fn is_child(test: &str) -> bool {
    std::env::var(CHILD).is_ok_and(|t| t == test)
}

/// Runs `test` in a child process: its stdout (without libtest's banner)
/// and stderr.
fn child(test: &str) -> (String, String) {
    let out = Command::new(std::env::current_exe().expect("current exe"))
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(CHILD, test)
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .output()
        .expect("run the child");
    assert!(out.status.success(), "child failed: {out:?}");
    let stdout = String::from_utf8(out.stdout).expect("utf-8 stdout");
    let banner = format!("running 1 test\ntest {test} ... ");
    let stdout = match stdout.split_once(&banner) {
        Some((_, rest)) => rest.to_owned(),
        None => stdout,
    };
    (stdout, String::from_utf8(out.stderr).expect("utf-8 stderr"))
}

// ---------------------------------------------------------------------------
// Django's DEFAULT_LOGGING, as a YAML file.

const DJANGO: &str = r#"version: 1
disable_existing_loggers: false
filters:
  require_debug_false:
    (): django.utils.log.RequireDebugFalse
  require_debug_true:
    (): django.utils.log.RequireDebugTrue
formatters:
  django.server:
    (): django.utils.log.ServerFormatter
    format: "[{server_time}] {message}"
    style: "{"
handlers:
  console:
    level: INFO
    filters: [require_debug_true]
    class: logging.StreamHandler
  django.server:
    level: INFO
    class: logging.StreamHandler
    formatter: django.server
  mail_admins:
    level: ERROR
    filters: [require_debug_false]
    class: django.utils.log.AdminEmailHandler
    include_html: true
loggers:
  django:
    handlers: [console, mail_admins]
    level: INFO
  django.server:
    handlers: [django.server]
    level: INFO
    propagate: false
"#;

/// `settings.DEBUG`.
static DEBUG: AtomicBool = AtomicBool::new(false);

#[derive(Debug)]
struct RequireDebug(bool);

impl Filter for RequireDebug {
    fn filter(&self, _record: &LogRecord<'_>) -> bool {
        DEBUG.load(Ordering::SeqCst) == self.0
    }
}

#[derive(Debug)]
struct ServerFormatter(TextFormat);

impl Format for ServerFormatter {
    fn format(&self, record: &LogRecord<'_>, out: &mut Vec<u8>) {
        let time = FieldValue::Str("04/Dec/2026 14:00:00");
        self.0.format_with(record, &[("server_time", time)], out);
    }
}

/// The mails `mail_admins` sent: (html?, level, body).
type Outbox = Arc<Mutex<Vec<(bool, Level, String)>>>;

#[derive(Debug)]
struct AdminEmail {
    include_html: bool,
    outbox: Outbox,
}

impl Handler for AdminEmail {
    fn emit(&self, record: &[u8], level: Level) {
        let body = String::from_utf8_lossy(record).into_owned();
        if let Ok(mut outbox) = self.outbox.lock() {
            outbox.push((self.include_html, level, body));
        }
    }
}

fn django(outbox: &Outbox) -> Registry {
    let outbox = Arc::clone(outbox);
    Registry::new()
        .filter(
            "django.utils.log.RequireDebugFalse",
            |_: &mut FactoryArgs<'_>| Ok(Box::new(RequireDebug(false))),
        )
        .filter(
            "django.utils.log.RequireDebugTrue",
            |_: &mut FactoryArgs<'_>| Ok(Box::new(RequireDebug(true))),
        )
        .formatter(
            "django.utils.log.ServerFormatter",
            |args: &mut FactoryArgs<'_>| {
                Ok(Box::new(ServerFormatter(TextFormat::from_args(
                    args,
                    "format",
                    &["server_time"],
                )?)))
            },
        )
        .handler(
            "django.utils.log.AdminEmailHandler",
            move |args: &mut FactoryArgs<'_>| {
                let include_html = args.bool("include_html").unwrap_or(false);
                let _backend = args.string("email_backend");
                let _reporter = args.string("reporter_class");
                Ok(Box::new(AdminEmail {
                    include_html,
                    outbox: Arc::clone(&outbox),
                }))
            },
        )
}

#[test]
fn django_default_logging() {
    const TEST: &str = "django_default_logging";
    if is_child(TEST) {
        let outbox = Outbox::default();
        let logging = Config::from_yaml_str_with(DJANGO, &django(&outbox))
            .and_then(|c| c.build())
            .expect("django config");
        tracing::subscriber::with_default(logging.subscriber(), || {
            DEBUG.store(true, Ordering::SeqCst);
            tracing::info!(target: "django.request", "debug page served");
            tracing::error!(target: "django.request", "debug error");
            DEBUG.store(false, Ordering::SeqCst);
            tracing::info!(target: "django.request", "not on the console");
            tracing::error!(target: "django.request", "Internal Server Error: /");
            tracing::info!(target: "django.server", "\"GET / HTTP/1.1\" 200 2");
        });
        logging.flush();
        let outbox = outbox.lock().expect("outbox");
        for (html, level, body) in outbox.iter() {
            eprint!("mail html={html} level={level}: {body}");
        }
        std::process::exit(0);
    }
    let (stdout, stderr) = child(TEST);
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        "debug page served\n\
         debug error\n\
         [04/Dec/2026 14:00:00] \"GET / HTTP/1.1\" 200 2\n\
         mail html=true level=ERROR: Internal Server Error: /\n"
    );
}

#[test]
fn django_config_without_factories_names_the_registration() {
    let err = Config::from_yaml_str(DJANGO).expect_err("must fail");
    let text = err.to_string();
    assert_eq!(err.problems().len(), 4, "{text}");
    assert_eq!(
        err.problems()[0].to_string(),
        "5:9: filters.require_debug_false.(): unknown filter factory \
         `django.utils.log.RequireDebugFalse`; to use a Rust filter of your own, register it: \
         `logconf::Registry::new().filter(\"django.utils.log.RequireDebugFalse\", |args| ...)` \
         and load with `Config::from_path_with(path, &registry)`"
    );
    assert_eq!(
        err.problems()[3].key_path(),
        "handlers.mail_admins.class",
        "{text}"
    );
}

#[test]
fn factory_problems_are_located_and_all_reported() {
    let outbox = Outbox::default();
    let yaml = DJANGO
        .replace(
            "include_html: true",
            "include_html: maybe\n    subject_prefix: x",
        )
        .replace("style: \"{\"", "style: \"{\"\n    datefmt: 5");
    let err = Config::from_yaml_str_with(&yaml, &django(&outbox)).expect_err("must fail");
    // The formatter factory runs at load time.
    assert_eq!(
        err.to_string(),
        "invalid logging config <string>: 1 problem\n  \
         <string>:13:14: formatters.\"django.server\".datefmt: expected a string, found an integer"
    );
    let yaml = DJANGO.replace(
        "include_html: true",
        "include_html: maybe\n    subject_prefix: x",
    );
    let logging = Config::from_yaml_str_with(&yaml, &django(&outbox)).expect("loads");
    // The handler factory runs when the config is built.
    let err = logging.build().expect_err("must fail");
    assert!(err.is_config());
    assert_eq!(
        err.to_string(),
        "invalid logging config <string>: 2 problems\n  \
         <string>:26:19: handlers.mail_admins.include_html: expected a boolean, found the string `maybe`; \
         write `true` or `false` (also `yes`/`no`, `on`/`off`, `1`/`0`)\n  \
         <string>:27:5: handlers.mail_admins.subject_prefix: unknown key `subject_prefix` for \
         `django.utils.log.AdminEmailHandler`; expected one of `include_html`, `email_backend` or `reporter_class`"
    );
}

#[test]
fn a_panicking_factory_is_a_located_problem() {
    let registry = Registry::new().handler("myapp.Broken", |_: &mut FactoryArgs<'_>| {
        panic!("no audit socket")
    });
    let yaml = "version: 1\nhandlers:\n  audit:\n    class: myapp.Broken\n";
    let err = Config::from_yaml_str_with(yaml, &registry)
        .expect("loads")
        .build()
        .expect_err("must fail");
    assert_eq!(
        err.to_string(),
        "invalid logging config <string>: 1 problem\n  \
         <string>:3:3: handlers.audit: the factory of `myapp.Broken` panicked: no audit socket"
    );
}

#[derive(Debug)]
struct Panics;

impl Filter for Panics {
    fn filter(&self, record: &LogRecord<'_>) -> bool {
        assert!(
            record.level() < Level::ERROR,
            "refusing {}",
            record.message()
        );
        true
    }
}

#[test]
fn a_panicking_filter_drops_the_record_not_the_program() {
    const TEST: &str = "a_panicking_filter_drops_the_record_not_the_program";
    if is_child(TEST) {
        std::panic::set_hook(Box::new(|_| {}));
        let registry = Registry::new().filter("myapp.Panics", |_: &mut FactoryArgs<'_>| {
            Ok(Box::new(Panics))
        });
        let yaml = "version: 1\nfilters:\n  p: {(): myapp.Panics}\nhandlers:\n  out: {class: logging.StreamHandler, stream: ext://sys.stdout, filters: [p]}\nroot: {level: INFO, handlers: [out]}\n";
        let logging = Config::from_yaml_str_with(yaml, &registry)
            .and_then(|c| c.build())
            .expect("config");
        tracing::subscriber::with_default(logging.subscriber(), || {
            tracing::info!("one");
            tracing::error!("two");
            tracing::error!("three");
            tracing::warn!("four");
        });
        std::process::exit(0);
    }
    let (stdout, stderr) = child(TEST);
    assert_eq!(stdout, "one\nfour\n");
    assert_eq!(
        stderr,
        "--- Logging error ---\nlogconf: filter `myapp.Panics` (refusing two) panicked; \
         further panics there are not reported\n"
    );
}

// ---------------------------------------------------------------------------
// uvicorn's LOGGING_CONFIG (uvicorn/config.py), as a YAML file.

const UVICORN: &str = r#"version: 1
disable_existing_loggers: false
formatters:
  default:
    (): uvicorn.logging.DefaultFormatter
    fmt: "%(levelprefix)s %(message)s"
    use_colors: null
  access:
    (): uvicorn.logging.AccessFormatter
    fmt: '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s'
handlers:
  default:
    formatter: default
    class: logging.StreamHandler
    stream: ext://sys.stderr
  access:
    formatter: access
    class: logging.StreamHandler
    stream: ext://sys.stdout
loggers:
  uvicorn: {handlers: [default], level: INFO, propagate: false}
  uvicorn.error: {level: INFO}
  uvicorn.access: {handlers: [access], level: INFO, propagate: false}
"#;

/// uvicorn's `ColourizedFormatter`: `%(levelprefix)s` is the level name,
/// a colon and padding to 9 columns, colored when `use_colors` says so
/// (`null`: when stderr is a terminal).
#[derive(Debug)]
struct Colourized {
    text: TextFormat,
    use_colors: bool,
    access: bool,
}

impl Colourized {
    fn level_color(level: Level) -> &'static str {
        match level {
            Level::TRACE => "\x1b[34m",
            Level::DEBUG => "\x1b[36m",
            Level::INFO => "\x1b[32m",
            Level::WARNING => "\x1b[33m",
            Level::ERROR => "\x1b[31m",
            _ => "\x1b[91m",
        }
    }
}

impl Format for Colourized {
    fn format(&self, record: &LogRecord<'_>, out: &mut Vec<u8>) {
        let name = record.level().name();
        let padding = " ".repeat(8usize.saturating_sub(name.len()));
        let prefix = if self.use_colors {
            format!(
                "{}{name}\x1b[0m:{padding}",
                Colourized::level_color(record.level())
            )
        } else {
            format!("{name}:{padding}")
        };
        // The prefix is the formatter's own text (color codes): written raw.
        if !self.access {
            self.text
                .format_with(record, &[("levelprefix", FieldValue::Raw(&prefix))], out);
            return;
        }
        let text = |name: &str| match record.field(name) {
            Some(FieldValue::Str(s)) => s.to_owned(),
            Some(FieldValue::U64(n)) => n.to_string(),
            Some(FieldValue::I64(n)) => n.to_string(),
            _ => String::new(),
        };
        let request_line = format!(
            "{} {} HTTP/{}",
            text("method"),
            text("path"),
            text("http_version")
        );
        let code = text("status_code");
        let phrase = match code.as_str() {
            "200" => "OK",
            "404" => "Not Found",
            _ => "",
        };
        let status = format!("{code} {phrase}");
        self.text.format_with(
            record,
            &[
                ("levelprefix", FieldValue::Raw(&prefix)),
                ("request_line", FieldValue::Str(&request_line)),
                ("status_code", FieldValue::Str(&status)),
            ],
            out,
        );
    }
}

fn uvicorn() -> Registry {
    fn make(
        args: &mut FactoryArgs<'_>,
        access: bool,
    ) -> Result<Box<dyn Format>, logconf::FactoryError> {
        use std::io::IsTerminal as _;
        let names: &[&str] = if access {
            &["levelprefix", "client_addr", "request_line", "status_code"]
        } else {
            &["levelprefix"]
        };
        let text = TextFormat::from_args(args, "fmt", names)?;
        // `null` (uvicorn's default): colors when stderr is a terminal.
        let use_colors = if args.contains("use_colors") {
            args.bool("use_colors").unwrap_or(false)
        } else {
            std::io::stderr().is_terminal()
        };
        Ok(Box::new(Colourized {
            text,
            use_colors,
            access,
        }))
    }
    Registry::new()
        .formatter(
            "uvicorn.logging.DefaultFormatter",
            |args: &mut FactoryArgs<'_>| make(args, false),
        )
        .formatter(
            "uvicorn.logging.AccessFormatter",
            |args: &mut FactoryArgs<'_>| make(args, true),
        )
}

#[test]
fn uvicorn_logging_config() {
    const TEST: &str = "uvicorn_logging_config";
    if is_child(TEST) {
        let logging = Config::from_yaml_str_with(UVICORN, &uvicorn())
            .and_then(|c| c.build())
            .expect("uvicorn config");
        tracing::subscriber::with_default(logging.subscriber(), || {
            tracing::info!(target: "uvicorn.error", "Started server process [42]");
            tracing::debug!(target: "uvicorn.error", "not at INFO");
            tracing::warn!(target: "uvicorn.error", "Application startup took long");
            tracing::info!(
                target: "uvicorn.access",
                client_addr = "127.0.0.1:51234",
                method = "GET",
                path = "/items?id=5",
                http_version = "1.1",
                status_code = 200u64,
            );
            tracing::info!(
                target: "uvicorn.access",
                client_addr = "127.0.0.1:51235",
                method = "POST",
                path = "/missing",
                http_version = "1.1",
                status_code = 404u64,
            );
        });
        std::process::exit(0);
    }
    let (stdout, stderr) = child(TEST);
    assert_eq!(
        stderr,
        "INFO:     Started server process [42]\n\
         WARNING:  Application startup took long\n"
    );
    assert_eq!(
        stdout,
        "INFO:     127.0.0.1:51234 - \"GET /items?id=5 HTTP/1.1\" 200 OK\n\
         INFO:     127.0.0.1:51235 - \"POST /missing HTTP/1.1\" 404 Not Found\n"
    );
}

#[derive(Debug)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Handler for Capture {
    fn emit(&self, record: &[u8], _level: Level) {
        if let Ok(mut buf) = self.0.lock() {
            buf.extend_from_slice(record);
        }
    }
}

#[test]
fn uvicorn_colors_when_asked() {
    let yaml = UVICORN
        .replace("use_colors: null", "use_colors: true")
        .replace(
            "class: logging.StreamHandler\n    stream: ext://sys.stderr",
            "class: test.Capture",
        );
    let buf = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&buf);
    let registry = uvicorn().handler("test.Capture", move |_: &mut FactoryArgs<'_>| {
        Ok(Box::new(Capture(Arc::clone(&sink))))
    });
    let logging = Config::from_yaml_str_with(&yaml, &registry)
        .and_then(|c| c.build())
        .expect("config");
    tracing::subscriber::with_default(logging.subscriber(), || {
        tracing::info!(target: "uvicorn.error", "Started");
        tracing::error!(target: "uvicorn.error", "Failed");
    });
    assert_eq!(
        String::from_utf8_lossy(&buf.lock().expect("buffer")),
        "\x1b[32mINFO\x1b[0m:     Started\n\x1b[31mERROR\x1b[0m:    Failed\n"
    );
}

// ---------------------------------------------------------------------------
// INI files reach factories too: `kwargs` are the factory's keys.

#[derive(Debug)]
struct Tagged {
    tag: String,
    sink: Arc<Mutex<Vec<u8>>>,
}

impl Handler for Tagged {
    fn emit(&self, record: &[u8], _level: Level) {
        if let Ok(mut buf) = self.sink.lock() {
            buf.extend_from_slice(self.tag.as_bytes());
            buf.extend_from_slice(b" ");
            buf.extend_from_slice(record);
        }
    }
}

fn tagged(sink: &Arc<Mutex<Vec<u8>>>) -> Registry {
    let sink = Arc::clone(sink);
    Registry::new().handler(
        "myapp.audit.AuditHandler",
        move |args: &mut FactoryArgs<'_>| {
            let tag = args.string("tag").ok_or_else(|| args.missing("tag"))?;
            let retries = args.integer("retries").unwrap_or(3);
            if retries > 10 {
                return Err(args.error("retries", "at most 10 retries"));
            }
            Ok(Box::new(Tagged {
                tag: tag.to_owned(),
                sink: Arc::clone(&sink),
            }))
        },
    )
}

const AUDIT_INI: &str = "[loggers]
keys=root

[handlers]
keys=audit

[formatters]
keys=f

[logger_root]
level=INFO
handlers=audit

[handler_audit]
class=myapp.audit.AuditHandler
formatter=f
kwargs={'tag': 'billing', 'retries': 2}

[formatter_f]
format=%(levelname)s %(name)s: %(message)s
";

#[test]
fn ini_files_reach_registered_factories() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let sink = Arc::new(Mutex::new(Vec::new()));
    // By extension, and by content for a name that says nothing.
    for name in ["logging.conf", "logging.txt"] {
        let path = dir.path().join(name);
        std::fs::write(&path, AUDIT_INI).expect("write the config");
        let logging = Config::from_path_with(&path, &tagged(&sink))
            .and_then(|c| c.build())
            .expect("config");
        tracing::subscriber::with_default(logging.subscriber(), || {
            tracing::info!(target: "app::billing", "refund");
            tracing::debug!(target: "app::billing", "below INFO");
        });
    }
    assert_eq!(
        String::from_utf8_lossy(&sink.lock().expect("sink")),
        "billing INFO app::billing: refund\nbilling INFO app::billing: refund\n"
    );
    let bad = AUDIT_INI.replace("'retries': 2", "'retries': 20, 'colour': 'red'");
    let err = Config::from_ini_str_with(&bad, &tagged(&sink))
        .expect("loads")
        .build()
        .expect_err("must fail");
    assert_eq!(
        err.to_string(),
        "invalid logging config <string>: 1 problem\n  \
         <string>:17:38: handlers.audit.retries: at most 10 retries"
    );
    let bad = AUDIT_INI.replace("'retries': 2", "'retries': 2, 'colour': 'red'");
    let err = Config::from_ini_str_with(&bad, &tagged(&sink))
        .expect("loads")
        .build()
        .expect_err("must fail");
    assert_eq!(
        err.to_string(),
        "invalid logging config <string>: 1 problem\n  \
         <string>:17:41: handlers.audit.colour: unknown key `colour` for \
         `myapp.audit.AuditHandler`; expected one of `tag` or `retries`"
    );
}

#[derive(Debug)]
struct NoSecrets;

impl Filter for NoSecrets {
    fn filter(&self, record: &LogRecord<'_>) -> bool {
        !record.message().contains("secret")
            && record
                .field("user")
                .is_none_or(|u| u != FieldValue::Str("root"))
    }
}

#[test]
fn a_logger_filter_sees_its_own_records_a_handler_filter_all_it_receives() {
    let buf = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&buf);
    let registry = Registry::new()
        .filter("myapp.NoSecrets", |_: &mut FactoryArgs<'_>| {
            Ok(Box::new(NoSecrets))
        })
        .handler("test.Capture", move |_: &mut FactoryArgs<'_>| {
            Ok(Box::new(Capture(Arc::clone(&sink))))
        });
    let yaml = "version: 1
filters:
  no_secrets: {(): myapp.NoSecrets}
formatters:
  f: {format: '%(name)s %(message)s'}
handlers:
  cap: {class: test.Capture, formatter: f}
  strict: {class: test.Capture, formatter: f, level: ERROR, filters: [no_secrets]}
loggers:
  app: {level: INFO, handlers: [cap], filters: [no_secrets]}
  audit: {level: INFO, handlers: [strict], propagate: false}
";
    let logging = Config::from_yaml_str_with(yaml, &registry)
        .and_then(|c| c.build())
        .expect("config");
    tracing::subscriber::with_default(logging.subscriber(), || {
        tracing::info!(target: "app", "a secret");
        tracing::info!(target: "app", user = "root", "as root");
        tracing::info!(target: "app", "plain");
        // A child's records pass through `app` without its logger filter.
        tracing::info!(target: "app::db", "a secret from a child");
        tracing::error!(target: "audit", "a secret");
        tracing::error!(target: "audit", "denied");
        tracing::warn!(target: "audit", "below the handler level");
    });
    assert_eq!(
        String::from_utf8_lossy(&buf.lock().expect("buffer")),
        "app plain\napp::db a secret from a child\naudit denied\n"
    );
}

#[test]
fn builtin_classes_by_factory_and_attributes_on_factories() {
    // `()` calls the class, so `logging.Formatter` takes `fmt` there.
    let buf = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&buf);
    let registry = Registry::new().handler("test.Capture", move |_: &mut FactoryArgs<'_>| {
        Ok(Box::new(Capture(Arc::clone(&sink))))
    });
    let yaml = "version: 1
formatters:
  f: {(): logging.Formatter, fmt: '%(levelname)s|%(message)s'}
handlers:
  cap: {class: test.Capture, formatter: f}
root: {level: INFO, handlers: [cap]}
";
    let logging = Config::from_yaml_str_with(yaml, &registry)
        .and_then(|c| c.build())
        .expect("config");
    tracing::subscriber::with_default(logging.subscriber(), || tracing::info!("hi"));
    assert_eq!(
        String::from_utf8_lossy(&buf.lock().expect("buffer")),
        "INFO|hi\n"
    );

    let yaml = "version: 1
handlers:
  cap:
    class: test.Capture
    .: {terminator: ''}
";
    let err = Config::from_yaml_str_with(yaml, &registry).expect_err("must fail");
    assert_eq!(
        err.to_string(),
        "invalid logging config <string>: 1 problem\n  \
         <string>:5:5: handlers.cap.\".\": setting attributes with `.` on an object made by a \
         factory is not supported; give the values as keys of the entry: the factory reads them"
    );
}
