//! A handler's `.` attributes (Python sets each on the built handler):
//! `terminator` on the classes that write lines (they claim it with
//! `.terminator` in their keys) and `name` on every handler. A class may
//! claim other attributes the same way (`.ident` on `SysLogHandler`) and
//! read them in its parse step; any other attribute is an error naming the
//! supported ones.

use crate::args::{Args, show};
use crate::handler::class::HandlerClass;
use crate::suggest::did_you_mean;
use crate::tree::Value;

/// Attributes every handler accepts. Python sets `name` and then
/// dictConfig sets it again to the handler's key, so it has no effect.
const COMMON: &[&str] = &["name"];

/// Checks the `.` attributes of a handler of `class`; returns the
/// `terminator` it sets, if any.
pub(super) fn attributes(args: &mut Args<'_, '_>, class: &HandlerClass) -> Option<String> {
    let mut supported: Vec<&str> = class
        .keys
        .iter()
        .filter_map(|k| k.strip_prefix('.'))
        .collect();
    // A class claiming attributes of its own reads `.` in its parse step,
    // which has reported a `.` that is not a mapping.
    let own = supported.iter().any(|a| *a != "terminator");
    if own && !matches!(args.get(".").map(|e| &e.value.value), Some(Value::Map(_))) {
        return None;
    }
    let mut attrs = args.mapping(".")?;
    supported.extend(COMMON);
    for (key, _) in attrs.entries() {
        if supported.contains(&key) {
            continue;
        }
        let listed: Vec<String> = supported.iter().map(|a| format!("`{a}`")).collect();
        let help = did_you_mean(key, supported.iter().copied())
            .unwrap_or_else(|| format!("`{}` supports {}", class.name, listed.join(", ")));
        let pos = attrs.get(key).map_or_else(|| attrs.pos(), |e| e.key_pos);
        attrs.report_at(
            pos,
            key,
            format!("unknown attribute `{}` for `{}`", show(key), class.name),
            Some(help),
        );
    }
    if let Some(e) = attrs.get("name")
        && !matches!(e.value.value, Value::Str(_))
    {
        let message = format!("expected a string, found {}", e.value.value.kind());
        attrs.report("name", message, None);
    }
    if supported.contains(&"terminator") {
        attrs.string("terminator").map(str::to_owned)
    } else {
        None
    }
}
