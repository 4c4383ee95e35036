//! [`FactoryArgs`]: the keys of a config entry as a factory reads them,
//! with their places; and [`FactoryError`].

use std::fmt;

use crate::args::{self, Args};
use crate::format::Needs;
use crate::level::Level;
use crate::suggest::{did_you_mean, one_of};
use crate::tree::Value;

/// The keys of one config entry (a handler, formatter or filter), handed to
/// the factory registered for its class, each with its place in the file.
///
/// Every reader returns `None` when the key is absent (or `null`), and also
/// when its value has the wrong type or is out of range; then it records a
/// problem located at the value (line, column and key path), exactly like
/// logconf's own checks. A factory reads every key it knows and returns;
/// logconf reports every problem of every entry at once, and drops what the
/// factory built if any problem was recorded. Keys the factory never read
/// are reported as unknown keys (Python raises `TypeError` for an
/// unexpected keyword argument).
///
/// ```
/// use logconf::{FactoryArgs, Registry};
///
/// #[derive(Debug)]
/// struct Audit;
/// impl logconf::Handler for Audit {
///     fn emit(&self, _record: &[u8], _level: logconf::Level) {}
/// }
///
/// let registry = Registry::new().handler("myapp.audit.AuditHandler", |args: &mut FactoryArgs<'_>| {
///     let _tag = args.string("tag").unwrap_or("audit");
///     let _retries = args.integer("retries").unwrap_or(3);
///     Ok(Box::new(Audit))
/// });
/// let yaml = "version: 1\nhandlers:\n  a: {class: myapp.audit.AuditHandler, retries: many}\n";
/// let err = logconf::Config::from_yaml_str_with(yaml, &registry)?.build().unwrap_err();
/// assert_eq!(err.problems()[0].key_path(), "handlers.a.retries");
/// assert_eq!(err.problems()[0].message(), "expected an integer, found a string");
/// # Ok::<(), logconf::Error>(())
/// ```
#[derive(Debug)]
pub struct FactoryArgs<'a> {
    args: Args<'a, 'a>,
    class: &'a str,
    /// Keys a reader asked for.
    read: Vec<&'a str>,
    /// What the formatters made through these arguments need computed.
    needs: Needs,
}

impl<'a> FactoryArgs<'a> {
    pub(crate) fn new(args: Args<'a, 'a>, class: &'a str) -> FactoryArgs<'a> {
        FactoryArgs {
            args,
            class,
            read: Vec::new(),
            needs: Needs::NONE,
        }
    }

    fn note(&mut self, key: &'a str) {
        if !self.read.contains(&key) {
            self.read.push(key);
        }
    }

    /// The name the config reached the factory by (`myapp.audit.AuditHandler`).
    ///
    /// ```
    /// # use logconf::{FactoryArgs, Registry};
    /// # #[derive(Debug)] struct H;
    /// # impl logconf::Handler for H { fn emit(&self, _: &[u8], _: logconf::Level) {} }
    /// let registry = Registry::new().handler("app.H", |args: &mut FactoryArgs<'_>| {
    ///     assert_eq!(args.class(), "app.H");
    ///     Ok(Box::new(H))
    /// });
    /// let yaml = "version: 1\nhandlers: {h: {class: app.H}}\n";
    /// logconf::Config::from_yaml_str_with(yaml, &registry)?.build()?;
    /// # Ok::<(), logconf::Error>(())
    /// ```
    pub fn class(&self) -> &'a str {
        self.class
    }

    /// The key path of the entry (`handlers.audit`).
    ///
    /// ```
    /// # use logconf::{FactoryArgs, Registry};
    /// # #[derive(Debug)] struct H;
    /// # impl logconf::Handler for H { fn emit(&self, _: &[u8], _: logconf::Level) {} }
    /// let registry = Registry::new().handler("app.H", |args: &mut FactoryArgs<'_>| {
    ///     assert_eq!(args.path(), "handlers.h");
    ///     Ok(Box::new(H))
    /// });
    /// let yaml = "version: 1\nhandlers: {h: {class: app.H}}\n";
    /// logconf::Config::from_yaml_str_with(yaml, &registry)?.build()?;
    /// # Ok::<(), logconf::Error>(())
    /// ```
    pub fn path(&self) -> String {
        self.args.path().to_owned()
    }

    /// Whether `key` is present (and not `null`).
    ///
    /// ```
    /// # use logconf::{FactoryArgs, Registry};
    /// # #[derive(Debug)] struct H;
    /// # impl logconf::Handler for H { fn emit(&self, _: &[u8], _: logconf::Level) {} }
    /// let registry = Registry::new().handler("app.H", |args: &mut FactoryArgs<'_>| {
    ///     assert!(args.contains("host") && !args.contains("port"));
    ///     Ok(Box::new(H))
    /// });
    /// let yaml = "version: 1\nhandlers: {h: {class: app.H, host: db, port: null}}\n";
    /// logconf::Config::from_yaml_str_with(yaml, &registry)?.build()?;
    /// # Ok::<(), logconf::Error>(())
    /// ```
    pub fn contains(&mut self, key: &'a str) -> bool {
        self.note(key);
        self.args.get(key).is_some()
    }

    /// Every key of the entry, in the config's order (all count as read):
    /// for a factory that takes any keyword.
    ///
    /// ```
    /// # use logconf::{FactoryArgs, Registry};
    /// # #[derive(Debug)] struct H;
    /// # impl logconf::Handler for H { fn emit(&self, _: &[u8], _: logconf::Level) {} }
    /// let registry = Registry::new().handler("app.H", |args: &mut FactoryArgs<'_>| {
    ///     assert_eq!(args.keys(), ["a", "b"]);
    ///     Ok(Box::new(H))
    /// });
    /// let yaml = "version: 1\nhandlers: {h: {class: app.H, a: 1, b: 2}}\n";
    /// logconf::Config::from_yaml_str_with(yaml, &registry)?.build()?;
    /// # Ok::<(), logconf::Error>(())
    /// ```
    pub fn keys(&mut self) -> Vec<&'a str> {
        let keys: Vec<&'a str> = self.args.entries().into_iter().map(|(k, _)| k).collect();
        for &k in &keys {
            self.note(k);
        }
        keys
    }

    /// `key` as a string.
    ///
    /// ```
    /// # use logconf::{FactoryArgs, Registry};
    /// # #[derive(Debug)] struct H;
    /// # impl logconf::Handler for H { fn emit(&self, _: &[u8], _: logconf::Level) {} }
    /// let registry = Registry::new().handler("app.H", |args: &mut FactoryArgs<'_>| {
    ///     assert_eq!(args.string("host"), Some("db"));
    ///     Ok(Box::new(H))
    /// });
    /// let yaml = "version: 1\nhandlers: {h: {class: app.H, host: db}}\n";
    /// logconf::Config::from_yaml_str_with(yaml, &registry)?.build()?;
    /// # Ok::<(), logconf::Error>(())
    /// ```
    pub fn string(&mut self, key: &'a str) -> Option<&'a str> {
        self.note(key);
        self.args.string(key)
    }

    /// `key` as an integer (within `i64`).
    ///
    /// ```
    /// # use logconf::{FactoryArgs, Registry};
    /// # #[derive(Debug)] struct H;
    /// # impl logconf::Handler for H { fn emit(&self, _: &[u8], _: logconf::Level) {} }
    /// let registry = Registry::new().handler("app.H", |args: &mut FactoryArgs<'_>| {
    ///     assert_eq!(args.integer("port"), Some(5432));
    ///     Ok(Box::new(H))
    /// });
    /// let yaml = "version: 1\nhandlers: {h: {class: app.H, port: 5432}}\n";
    /// logconf::Config::from_yaml_str_with(yaml, &registry)?.build()?;
    /// # Ok::<(), logconf::Error>(())
    /// ```
    pub fn integer(&mut self, key: &'a str) -> Option<i64> {
        self.note(key);
        let e = self.args.get(key)?;
        let message = match &e.value.value {
            Value::Int(n) => match i64::try_from(*n) {
                Ok(n) => return Some(n),
                Err(_) => format!("`{n}` is out of range (at most {})", i64::MAX),
            },
            other => format!("expected an integer, found {}", other.kind()),
        };
        self.args.report(key, message, None);
        None
    }

    /// `key` as a number (an integer or a float).
    ///
    /// ```
    /// # use logconf::{FactoryArgs, Registry};
    /// # #[derive(Debug)] struct H;
    /// # impl logconf::Handler for H { fn emit(&self, _: &[u8], _: logconf::Level) {} }
    /// let registry = Registry::new().handler("app.H", |args: &mut FactoryArgs<'_>| {
    ///     assert_eq!(args.number("timeout"), Some(2.5));
    ///     Ok(Box::new(H))
    /// });
    /// let yaml = "version: 1\nhandlers: {h: {class: app.H, timeout: 2.5}}\n";
    /// logconf::Config::from_yaml_str_with(yaml, &registry)?.build()?;
    /// # Ok::<(), logconf::Error>(())
    /// ```
    pub fn number(&mut self, key: &'a str) -> Option<f64> {
        self.note(key);
        let e = self.args.get(key)?;
        match &e.value.value {
            Value::Int(n) => Some(*n as f64),
            Value::Float(f) => Some(*f),
            other => {
                let message = format!("expected a number, found {}", other.kind());
                self.args.report(key, message, None);
                None
            }
        }
    }

    /// `key` as a yes/no value, by logconf's one rule: YAML booleans, `0`
    /// and `1`, and `true/false/yes/no/on/off` in any case. Unlike the
    /// other readers, an explicit `null` is read (as false, like Python).
    ///
    /// ```
    /// # use logconf::{FactoryArgs, Registry};
    /// # #[derive(Debug)] struct H;
    /// # impl logconf::Handler for H { fn emit(&self, _: &[u8], _: logconf::Level) {} }
    /// let registry = Registry::new().handler("app.H", |args: &mut FactoryArgs<'_>| {
    ///     assert_eq!(args.bool("verbose"), Some(true));
    ///     Ok(Box::new(H))
    /// });
    /// let yaml = "version: 1\nhandlers: {h: {class: app.H, verbose: yes}}\n";
    /// logconf::Config::from_yaml_str_with(yaml, &registry)?.build()?;
    /// # Ok::<(), logconf::Error>(())
    /// ```
    pub fn bool(&mut self, key: &'a str) -> Option<bool> {
        self.note(key);
        let (_, node) = self.args.entries().into_iter().find(|(k, _)| *k == key)?;
        match crate::truthy::truthy(&node.value) {
            Ok(value) => Some(value),
            Err(bad) => {
                let path = self.args.key_path(key);
                self.args
                    .report_at_path(node.pos, &path, bad.message, bad.help);
                None
            }
        }
    }

    /// `key` as a level: a name in any case (`warning`) or a number.
    ///
    /// ```
    /// # use logconf::{FactoryArgs, Registry};
    /// # #[derive(Debug)] struct H;
    /// # impl logconf::Handler for H { fn emit(&self, _: &[u8], _: logconf::Level) {} }
    /// let registry = Registry::new().handler("app.H", |args: &mut FactoryArgs<'_>| {
    ///     assert_eq!(args.level("alert"), Some(logconf::Level::WARNING));
    ///     Ok(Box::new(H))
    /// });
    /// let yaml = "version: 1\nhandlers: {h: {class: app.H, alert: warning}}\n";
    /// logconf::Config::from_yaml_str_with(yaml, &registry)?.build()?;
    /// # Ok::<(), logconf::Error>(())
    /// ```
    pub fn level(&mut self, key: &'a str) -> Option<Level> {
        self.note(key);
        self.args.level(key)
    }

    /// `key` as a list of strings (a single string is a problem, with the
    /// list to write instead).
    ///
    /// ```
    /// # use logconf::{FactoryArgs, Registry};
    /// # #[derive(Debug)] struct H;
    /// # impl logconf::Handler for H { fn emit(&self, _: &[u8], _: logconf::Level) {} }
    /// let registry = Registry::new().handler("app.H", |args: &mut FactoryArgs<'_>| {
    ///     assert_eq!(args.strings("hosts"), Some(vec!["a", "b"]));
    ///     Ok(Box::new(H))
    /// });
    /// let yaml = "version: 1\nhandlers: {h: {class: app.H, hosts: [a, b]}}\n";
    /// logconf::Config::from_yaml_str_with(yaml, &registry)?.build()?;
    /// # Ok::<(), logconf::Error>(())
    /// ```
    pub fn strings(&mut self, key: &'a str) -> Option<Vec<&'a str>> {
        self.note(key);
        let e = self.args.get(key)?;
        let items = match &e.value.value {
            Value::Seq(items) => items,
            Value::Str(s) => {
                let help = format!("write `[{}]`", args::show(s));
                self.args.report(
                    key,
                    "expected a list of strings, found a string".into(),
                    Some(help),
                );
                return None;
            }
            other => {
                let message = format!("expected a list of strings, found {}", other.kind());
                self.args.report(key, message, None);
                return None;
            }
        };
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            match &item.value {
                Value::Str(s) => out.push(s.as_str()),
                other => {
                    ok = false;
                    let message = format!("expected a string, found {}", other.kind());
                    let path = args::index(&self.args.key_path(key), i);
                    self.args.report_at_path(item.pos, &path, message, None);
                }
            }
        }
        ok.then_some(out)
    }

    /// The mapping under `key`, as arguments of their own (its keys are
    /// located under `key`'s path). Keys of a nested mapping that the
    /// factory does not read are not reported.
    ///
    /// ```
    /// # use logconf::{FactoryArgs, Registry};
    /// # #[derive(Debug)] struct H;
    /// # impl logconf::Handler for H { fn emit(&self, _: &[u8], _: logconf::Level) {} }
    /// let registry = Registry::new().handler("app.H", |args: &mut FactoryArgs<'_>| {
    ///     if let Some(mut tls) = args.mapping("tls") {
    ///         assert_eq!(tls.string("ca"), Some("ca.pem"));
    ///     }
    ///     Ok(Box::new(H))
    /// });
    /// let yaml = "version: 1\nhandlers: {h: {class: app.H, tls: {ca: ca.pem}}}\n";
    /// logconf::Config::from_yaml_str_with(yaml, &registry)?.build()?;
    /// # Ok::<(), logconf::Error>(())
    /// ```
    pub fn mapping(&mut self, key: &'a str) -> Option<FactoryArgs<'_>> {
        self.note(key);
        let class = self.class;
        let nested = self.args.mapping(key)?;
        Some(FactoryArgs::new(nested, class))
    }

    /// Reports a problem with the value of `key` (or with the entry when
    /// `key` is absent) and returns the error to give back with `?`.
    ///
    /// ```
    /// # use logconf::{FactoryArgs, Registry};
    /// # #[derive(Debug)] struct H;
    /// # impl logconf::Handler for H { fn emit(&self, _: &[u8], _: logconf::Level) {} }
    /// let registry = Registry::new().handler("app.H", |args: &mut FactoryArgs<'_>| {
    ///     if args.integer("port").is_some_and(|p| p > 65535) {
    ///         return Err(args.error("port", "not a port number"));
    ///     }
    ///     Ok(Box::new(H))
    /// });
    /// let yaml = "version: 1\nhandlers: {h: {class: app.H, port: 80}}\n";
    /// logconf::Config::from_yaml_str_with(yaml, &registry)?.build()?;
    /// # Ok::<(), logconf::Error>(())
    /// ```
    pub fn error(&mut self, key: &str, message: impl fmt::Display) -> FactoryError {
        self.args.report(key, message.to_string(), None);
        FactoryError::reported()
    }

    /// Reports that `key` is required, at the entry, and returns the error
    /// to give back.
    ///
    /// ```
    /// # use logconf::{FactoryArgs, Registry};
    /// # #[derive(Debug)] struct H;
    /// # impl logconf::Handler for H { fn emit(&self, _: &[u8], _: logconf::Level) {} }
    /// let registry = Registry::new().handler("app.H", |args: &mut FactoryArgs<'_>| {
    ///     let _host = args.string("host").ok_or_else(|| args.missing("host"))?;
    ///     Ok(Box::new(H))
    /// });
    /// let yaml = "version: 1\nhandlers: {h: {class: app.H, host: db}}\n";
    /// logconf::Config::from_yaml_str_with(yaml, &registry)?.build()?;
    /// # Ok::<(), logconf::Error>(())
    /// ```
    pub fn missing(&mut self, key: &str) -> FactoryError {
        self.args.missing(key, None);
        FactoryError::reported()
    }

    /// Whether any problem was recorded through these arguments.
    ///
    /// ```
    /// # use logconf::{FactoryArgs, Registry};
    /// # #[derive(Debug)] struct H;
    /// # impl logconf::Handler for H { fn emit(&self, _: &[u8], _: logconf::Level) {} }
    /// let registry = Registry::new().handler("app.H", |args: &mut FactoryArgs<'_>| {
    ///     let _ = args.integer("port");
    ///     assert!(!args.failed());
    ///     Ok(Box::new(H))
    /// });
    /// let yaml = "version: 1\nhandlers: {h: {class: app.H, port: 80}}\n";
    /// logconf::Config::from_yaml_str_with(yaml, &registry)?.build()?;
    /// # Ok::<(), logconf::Error>(())
    /// ```
    pub fn failed(&self) -> bool {
        self.args.failed()
    }

    pub(crate) fn add_needs(&mut self, needs: Needs) {
        self.needs = self.needs.union(needs);
    }

    pub(crate) fn needs(&self) -> Needs {
        self.needs
    }

    pub(crate) fn inner(&mut self) -> &mut Args<'a, 'a> {
        &mut self.args
    }

    /// Reports `error` (unless it was reported already) at the entry.
    pub(crate) fn report_error(&mut self, error: FactoryError) {
        if let Some(message) = error.message {
            self.args
                .report("", format!("`{}`: {message}", self.class), None);
        }
    }

    /// Reports a panic of the factory at the entry.
    pub(crate) fn report_panic(&mut self, payload: &(dyn std::any::Any + Send)) {
        let what = panic_text(payload);
        self.args.report(
            "",
            format!("the factory of `{}` panicked: {what}", self.class),
            None,
        );
    }

    /// Reports every key no reader asked for (`skip` are keys logconf read).
    pub(crate) fn unknown_keys(&mut self, skip: &[&str]) {
        let read = self.read.clone();
        let what = format!(" for `{}`", self.class);
        for (key, _) in self.args.entries() {
            if read.contains(&key) || skip.contains(&key) {
                continue;
            }
            let help = did_you_mean(key, read.iter().copied()).unwrap_or_else(|| {
                if read.is_empty() {
                    format!("`{}` takes no keys", self.class)
                } else {
                    one_of(&read)
                }
            });
            self.args.report_key(
                key,
                format!("unknown key `{}`{what}", args::show(key)),
                help,
            );
        }
    }
}

/// The text of a panic's payload.
pub(crate) fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

/// Why a factory could not make its object.
///
/// Made by [`FactoryArgs::error`] and [`FactoryArgs::missing`] (the problem
/// is already recorded at its key), or by [`FactoryError::new`] and from an
/// `io::Error` (reported at the entry, naming the class).
///
/// ```
/// let err = logconf::FactoryError::new("the audit socket is not configured");
/// assert_eq!(err.to_string(), "the audit socket is not configured");
/// # Ok::<(), logconf::Error>(())
/// ```
#[derive(Debug)]
pub struct FactoryError {
    /// `None`: already recorded.
    message: Option<String>,
}

impl FactoryError {
    /// An error reported at the entry: ``handlers.audit: `myapp.Audit`: {message}``.
    pub fn new(message: impl fmt::Display) -> FactoryError {
        FactoryError {
            message: Some(message.to_string()),
        }
    }

    pub(crate) fn reported() -> FactoryError {
        FactoryError { message: None }
    }
}

impl From<std::io::Error> for FactoryError {
    fn from(err: std::io::Error) -> FactoryError {
        FactoryError::new(err)
    }
}

impl fmt::Display for FactoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            self.message
                .as_deref()
                .unwrap_or("a problem recorded in the config"),
        )
    }
}

impl std::error::Error for FactoryError {}
