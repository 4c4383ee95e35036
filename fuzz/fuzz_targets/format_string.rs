//! A YAML config whose formatter `format` is the input (the first byte picks
//! the style): loading never panics; a format that loads renders a record
//! (to `/dev/null`) without panicking.
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
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let style = ["'%'", "'{'", "'$'"][usize::from(first % 3)];
    let validate = first & 4 == 0;
    let format = String::from_utf8_lossy(rest);
    let yaml = format!(
        "version: 1
formatters:
  f: {{format: {}, style: {style}, validate: {validate}, datefmt: '%Y %j %Z'}}
handlers:
  h: {{class: logging.FileHandler, filename: /dev/null, formatter: f}}
root: {{level: DEBUG, handlers: [h]}}
",
        yaml_dq(&format)
    );
    if let Ok(config) = logconf::Config::from_yaml_str(&yaml) {
        let built = config.build().expect("a /dev/null handler builds");
        tracing::subscriber::with_default(built.subscriber(), || {
            tracing::info!(answer = 42, text = "a\x1bb", "message {}", format.len());
        });
    }
});
