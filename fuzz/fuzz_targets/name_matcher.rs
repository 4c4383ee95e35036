//! A YAML config whose logger name is the input up to the first newline;
//! the rest is a target: loading never panics, and a config that loads
//! answers `explain(target)`, built or not.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// `s` as a YAML double-quoted scalar, every character kept exactly.
fn yaml_dq(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c if u32::from(c) <= 0xFFFF => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push_str(&format!("\\U{:08X}", u32::from(c))),
        }
    }
    out.push('"');
    out
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (name, target) = text.split_once('\n').unwrap_or((&text, "a.b::c"));
    let yaml = format!(
        "version: 1
handlers:
  h: {{class: logging.NullHandler}}
loggers:
  {}: {{level: DEBUG, handlers: [h], propagate: false}}
  'aws_*': {{level: ERROR}}
root: {{level: INFO}}
",
        yaml_dq(name)
    );
    if let Ok(config) = logconf::Config::from_yaml_str(&yaml) {
        let _ = config.explain(target);
        let built = config.build().expect("a NullHandler builds");
        let _ = built.explain(target);
        tracing::subscriber::with_default(built.subscriber(), || {
            tracing::info!(target: "fixed::target", "{target}");
        });
    }
});
