//! tracing-subscriber 0.3's `fmt().json()` shape (`logconf.JsonFormatter`).
//!
//! Members in tracing-subscriber's order: `timestamp`, `level`, `fields`
//! (or the fields themselves with `flatten_event`), `target`, `filename`,
//! `line_number`, `span`, `spans`, `threadName`, `threadId`; then logconf's
//! `static_fields`. Compact, raw UTF-8, floats as `serde_json` writes them.

use std::io::Write as _;

use super::write::{Dialect, Floats, Utc, split_ns, write_digits, write_str};
use super::{JsonError, StaticValue};
use crate::format::value::write_level_name;
use crate::format::{FieldValue, Fields, Needs, Record};
use crate::level::Level;

/// The options of `logconf.JsonFormatter`, named after
/// tracing-subscriber's builder methods.
///
/// | field | default |
/// |---|---|
/// | `flatten_event` | `false` |
/// | `with_timestamp` | `true` |
/// | `with_level` | `true` |
/// | `with_target` | `true` |
/// | `with_file` | `false` |
/// | `with_line_number` | `false` |
/// | `with_current_span` | `true` |
/// | `with_span_list` | `true` |
/// | `with_thread_names` | `false` |
/// | `with_thread_ids` | `false` |
/// | `rename_fields` | empty |
/// | `exclude_fields` | empty |
/// | `static_fields` | empty |
/// | `ensure_ascii` | `false` |
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct NativeOptions {
    /// `flatten_event:`: event fields at the top level.
    pub(crate) flatten_event: bool,
    /// `with_timestamp:`.
    pub(crate) with_timestamp: bool,
    /// `with_level:`.
    pub(crate) with_level: bool,
    /// `with_target:`.
    pub(crate) with_target: bool,
    /// `with_file:`.
    pub(crate) with_file: bool,
    /// `with_line_number:`.
    pub(crate) with_line_number: bool,
    /// `with_current_span:`: `span`, the innermost span's fields and name.
    pub(crate) with_current_span: bool,
    /// `with_span_list:`: `spans`, every span's, outermost first.
    pub(crate) with_span_list: bool,
    /// `with_thread_names:`.
    pub(crate) with_thread_names: bool,
    /// `with_thread_ids:`.
    pub(crate) with_thread_ids: bool,
    /// `rename_fields:`: output key for a top-level key or an event field.
    pub(crate) rename_fields: Vec<(String, String)>,
    /// `exclude_fields:`: top-level keys or event fields left out.
    pub(crate) exclude_fields: Vec<String>,
    /// `static_fields:`: constant members, written last.
    pub(crate) static_fields: Vec<(String, StaticValue)>,
    /// `ensure_ascii:`.
    pub(crate) ensure_ascii: bool,
}

impl Default for NativeOptions {
    fn default() -> Self {
        NativeOptions {
            flatten_event: false,
            with_timestamp: true,
            with_level: true,
            with_target: true,
            with_file: false,
            with_line_number: false,
            with_current_span: true,
            with_span_list: true,
            with_thread_names: false,
            with_thread_ids: false,
            rename_fields: Vec::new(),
            exclude_fields: Vec::new(),
            static_fields: Vec::new(),
            ensure_ascii: false,
        }
    }
}

/// A top-level member, in tracing-subscriber's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Member {
    Timestamp,
    Level,
    Fields,
    Target,
    Filename,
    LineNumber,
    Span,
    Spans,
    ThreadName,
    ThreadId,
}

/// The compiled formatter.
#[derive(Debug)]
pub(super) struct Native {
    dialect: Dialect,
    /// The members written, each with its (renamed) key.
    members: Vec<(Member, String)>,
    flatten: bool,
    rename: Vec<(String, String)>,
    exclude: Vec<String>,
    /// `static_fields`, each member already written as `"key":value`.
    statics: Vec<u8>,
    needs: Needs,
}

impl Native {
    /// Compiles the options.
    pub(super) fn new(o: NativeOptions) -> Result<Native, JsonError> {
        let dialect = Dialect {
            ascii: o.ensure_ascii,
            spaced: false,
            floats: Floats::Serde,
        };
        if let Some((from, _)) = o.rename_fields.iter().find(|(_, to)| to.is_empty()) {
            return Err(JsonError::new("rename_fields", "an empty key name")
                .entry(from.clone())
                .help("give the member a non-empty name, or list it under `exclude_fields`"));
        }
        let renamed = |name: &str| -> String {
            o.rename_fields
                .iter()
                .find(|(from, _)| from == name)
                .map_or(name, |(_, to)| to.as_str())
                .to_owned()
        };
        let wanted = [
            (Member::Timestamp, "timestamp", o.with_timestamp),
            (Member::Level, "level", o.with_level),
            (Member::Fields, "fields", true),
            (Member::Target, "target", o.with_target),
            (Member::Filename, "filename", o.with_file),
            (Member::LineNumber, "line_number", o.with_line_number),
            (Member::Span, "span", o.with_current_span),
            (Member::Spans, "spans", o.with_span_list),
            (Member::ThreadName, "threadName", o.with_thread_names),
            (Member::ThreadId, "threadId", o.with_thread_ids),
        ];
        let mut members = Vec::new();
        let mut needs = Needs::NONE;
        for (member, key, on) in wanted {
            if !on || o.exclude_fields.iter().any(|x| x == key) {
                continue;
            }
            needs = needs.union(match member {
                Member::Timestamp => Needs::TIME,
                Member::ThreadName | Member::ThreadId => Needs::THREAD,
                Member::Span | Member::Spans => Needs::SPAN_FIELDS,
                _ => Needs::NONE,
            });
            members.push((member, renamed(key)));
        }
        // With `fields` excluded the event fields are not written at all.
        let flatten = o.flatten_event;
        let mut statics = Vec::new();
        for (k, v) in &o.static_fields {
            if o.exclude_fields.contains(k) {
                continue;
            }
            statics.push(b',');
            dialect.key(&mut statics, &renamed(k));
            dialect.value(&mut statics, v, false);
        }
        Ok(Native {
            dialect,
            members,
            flatten,
            rename: o.rename_fields,
            exclude: o.exclude_fields,
            statics,
            needs,
        })
    }

    /// What the formatter needs computed.
    pub(super) fn needs(&self) -> Needs {
        self.needs
    }

    /// The key an event field is written under, or `None` if excluded.
    fn field_key<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        if self.exclude.iter().any(|x| x == name) {
            return None;
        }
        Some(
            self.rename
                .iter()
                .find(|(from, _)| from == name)
                .map_or(name, |(_, to)| to.as_str()),
        )
    }

    /// Writes `message` and the event fields as members; `first` says no
    /// member precedes. Returns whether still none does.
    fn write_fields(&self, out: &mut Vec<u8>, r: &Record<'_>, mut first: bool) -> bool {
        let d = self.dialect;
        let mut member = |out: &mut Vec<u8>, key: &str| {
            if !first {
                out.push(b',');
            }
            first = false;
            d.key(out, key);
        };
        if !r.event_message.is_empty()
            && let Some(key) = self.field_key("message")
        {
            member(out, key);
            write_str(out, r.event_message, d.ascii);
        }
        for i in 0..r.fields.len() {
            let Some((name, v)) = r.fields.at(i) else {
                continue;
            };
            let Some(key) = self.field_key(name) else {
                continue;
            };
            member(out, key);
            d.field(out, v);
        }
        first
    }

    /// Writes span `i` of `fields` as tracing-subscriber does: its fields
    /// sorted by name (a name recorded twice keeps its last value; `r#` is
    /// cut from raw identifiers), then `name`. The fields are picked in
    /// order by repeated search, so nothing is allocated.
    fn write_span(&self, out: &mut Vec<u8>, fields: &Fields, i: usize) {
        let d = self.dialect;
        let Some((name, range)) = fields.span(i) else {
            return;
        };
        let key = |n: &'static str| n.strip_prefix("r#").unwrap_or(n);
        out.push(b'{');
        let mut last: Option<&str> = None;
        loop {
            let mut best: Option<(&str, FieldValue<'_>)> = None;
            for j in range.clone() {
                let Some((n, v)) = fields.at(j) else {
                    continue;
                };
                let n = key(n);
                if last.is_some_and(|l| n <= l) || best.is_some_and(|(b, _)| n > b) {
                    continue;
                }
                // Equal names: the later value wins.
                best = Some((n, v));
            }
            let Some((n, v)) = best else { break };
            d.key(out, n);
            d.field(out, v);
            out.push(b',');
            last = Some(n);
        }
        d.key(out, "name");
        write_str(out, name, d.ascii);
        out.push(b'}');
    }

    /// Appends the record in tracing-subscriber's JSON shape.
    pub(super) fn format(&self, r: &Record<'_>, out: &mut Vec<u8>) {
        let d = self.dialect;
        out.push(b'{');
        let mut first = true;
        let spans = r.span_fields.span_count();
        for (member, key) in &self.members {
            if *member == Member::Fields && self.flatten {
                first = self.write_fields(out, r, first);
                continue;
            }
            // Outside every span there is neither `span` nor `spans`.
            if matches!(member, Member::Span | Member::Spans) && spans == 0 {
                continue;
            }
            if !first {
                out.push(b',');
            }
            first = false;
            d.key(out, key);
            match member {
                Member::Timestamp => {
                    let (secs, sub) = split_ns(r.created_ns);
                    let utc = Utc::from_secs(secs);
                    out.push(b'"');
                    if utc.year > 9999 {
                        let _ = write!(out, "+{}", utc.year);
                    } else if utc.year < 0 {
                        let _ = write!(out, "{:05}", utc.year);
                    } else {
                        write_digits(out, utc.year.unsigned_abs(), 4);
                    }
                    utc.write_rest(out);
                    out.push(b'.');
                    write_digits(out, u64::from(sub / 1_000), 6);
                    out.extend_from_slice(b"Z\"");
                }
                Member::Level => {
                    out.push(b'"');
                    match r.level {
                        Level::WARNING => out.extend_from_slice(b"WARN"),
                        level => write_level_name(out, level),
                    }
                    out.push(b'"');
                }
                Member::Fields => {
                    out.push(b'{');
                    self.write_fields(out, r, true);
                    out.push(b'}');
                }
                Member::Target => write_str(out, r.name, d.ascii),
                Member::Filename => write_str(out, r.pathname, d.ascii),
                Member::LineNumber => d.field(out, FieldValue::U64(u64::from(r.lineno))),
                Member::Span => self.write_span(out, r.span_fields, spans - 1),
                Member::Spans => {
                    out.push(b'[');
                    for i in 0..spans {
                        if i > 0 {
                            out.push(b',');
                        }
                        self.write_span(out, r.span_fields, i);
                    }
                    out.push(b']');
                }
                Member::ThreadName => write_str(out, r.thread_name, d.ascii),
                Member::ThreadId => {
                    let _ = write!(out, "\"ThreadId({})\"", r.thread_id);
                }
            }
        }
        // `statics` starts with a comma, left out when nothing precedes.
        let skip = usize::from(first);
        out.extend_from_slice(self.statics.get(skip..).unwrap_or_default());
        out.push(b'}');
    }
}
