//! The ` key=value` text of an event's fields is rendered only for records
//! that reach something printing `%(message)s` with it (a text formatter,
//! an application's filter, formatter or handler, lastResort): the bytes
//! every handler writes are the same whether the text was rendered or not.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::path::Path;

use logconf::{Config, FactoryArgs, Filter, LogRecord, Registry};

/// `yaml` with `DIR` replaced by `dir`, built with `registry`.
fn build(yaml: &str, dir: &Path, registry: &Registry) -> logconf::Logging {
    let yaml = yaml.replace("DIR", &dir.display().to_string());
    Config::from_yaml_str_with(&yaml, registry)
        .unwrap()
        .build()
        .unwrap()
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

const JSON: &str =
    "(): pythonjsonlogger.json.JsonFormatter, fmt: '%(levelname)s %(name)s %(message)s'";

#[test]
fn json_only_routes_print_the_bare_message_and_text_routes_the_fields() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = format!(
        "version: 1
formatters:
  j: {{{JSON}}}
  t: {{format: '%(levelname)s %(name)s %(message)s'}}
handlers:
  json: {{class: logging.FileHandler, formatter: j, filename: 'DIR/json.log'}}
  both_json: {{class: logging.FileHandler, formatter: j, filename: 'DIR/both.jsonl'}}
  both_text: {{class: logging.FileHandler, formatter: t, filename: 'DIR/both.log'}}
loggers:
  jsononly: {{level: INFO, handlers: [json], propagate: no}}
root: {{level: INFO, handlers: [both_json, both_text]}}
"
    );
    let logging = build(&yaml, dir.path(), &Registry::new());
    tracing::subscriber::with_default(logging.subscriber(), || {
        tracing::info!(target: "jsononly", user = "bob", n = 3, "login");
        tracing::info!(target: "mixed", user = "eve", n = 4, "logout");
        // No message: the text formatter prints the fields as the message.
        tracing::info!(target: "mixed", user = "ann");
        tracing::info!(target: "jsononly", user = "ann");
    });
    drop(logging);
    assert_eq!(
        read(dir.path(), "json.log"),
        "{\"levelname\": \"INFO\", \"name\": \"jsononly\", \"message\": \"login\", \"user\": \"bob\", \"n\": 3}\n\
         {\"levelname\": \"INFO\", \"name\": \"jsononly\", \"message\": \"\", \"user\": \"ann\"}\n"
    );
    assert_eq!(
        read(dir.path(), "both.jsonl"),
        "{\"levelname\": \"INFO\", \"name\": \"mixed\", \"message\": \"logout\", \"user\": \"eve\", \"n\": 4}\n\
         {\"levelname\": \"INFO\", \"name\": \"mixed\", \"message\": \"\", \"user\": \"ann\"}\n"
    );
    assert_eq!(
        read(dir.path(), "both.log"),
        "INFO mixed logout user=\"eve\" n=4\nINFO mixed user=\"ann\"\n"
    );
}

/// Drops records whose message (with the fields) mentions `secret`.
#[derive(Debug)]
struct NoSecrets;

impl Filter for NoSecrets {
    fn filter(&self, record: &LogRecord<'_>) -> bool {
        !record.message().contains("secret")
    }
}

#[test]
fn an_application_filter_sees_the_fields_on_a_json_only_route() {
    let dir = tempfile::tempdir().unwrap();
    let registry = Registry::new().filter("myapp.NoSecrets", |_: &mut FactoryArgs<'_>| {
        Ok(Box::new(NoSecrets))
    });
    let yaml = format!(
        "version: 1
filters:
  s: {{(): myapp.NoSecrets}}
formatters:
  j: {{{JSON}}}
handlers:
  json: {{class: logging.FileHandler, formatter: j, filename: 'DIR/json.log', filters: [s]}}
root: {{level: INFO, handlers: [json]}}
"
    );
    let logging = build(&yaml, dir.path(), &registry);
    tracing::subscriber::with_default(logging.subscriber(), || {
        tracing::info!(token = "secret", "kept out by its field");
        tracing::info!(token = "public", "written");
    });
    drop(logging);
    assert_eq!(
        read(dir.path(), "json.log"),
        "{\"levelname\": \"INFO\", \"name\": \"field_text\", \"message\": \"written\", \"token\": \"public\"}\n"
    );
}
