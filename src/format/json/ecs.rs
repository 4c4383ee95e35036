//! ecs-logging's `StdlibFormatter` (2.3.0, ECS 1.6.0), byte for byte.
//!
//! Python gathers the ECS fields and the extras into nested dicts by their
//! dotted names and writes `@timestamp`, `log.level` and `message` first,
//! then everything else with `sort_keys=True` in compact form. Here every
//! member is a path of segments with a value ("items"); the constant items
//! are built at load time and the event fields are split on `.` as they are
//! read, and objects are written by repeatedly picking the smallest
//! segment not yet written, so nothing is allocated per record. When no
//! written event field has a dot (the usual case), the fields are sorted
//! once and merged with the precompiled ECS subtrees instead.

use super::write::{Dialect, Floats, Utc, python_time_ns, split_ns, write_str};
use super::{JsonError, StaticValue};
use crate::format::value::write_level_name;
use crate::format::{FieldValue, Needs, Record, basename};

/// ECS version ecs-logging 2.3.0 writes.
const ECS_VERSION: &str = "1.6.0";

/// The options of `ecs_logging.StdlibFormatter`.
///
/// | field | default |
/// |---|---|
/// | `exclude_fields` | empty |
/// | `extra` | empty |
/// | `ensure_ascii` | `true` |
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct EcsOptions {
    /// `exclude_fields:`: dotted paths to leave out.
    pub(crate) exclude_fields: Vec<String>,
    /// `extra:`: constant fields.
    pub(crate) extra: Vec<(String, StaticValue)>,
    /// `ensure_ascii:`.
    pub(crate) ensure_ascii: bool,
}

impl Default for EcsOptions {
    fn default() -> Self {
        EcsOptions {
            exclude_fields: Vec::new(),
            extra: Vec::new(),
            ensure_ascii: true,
        }
    }
}

/// Names ecs-logging never takes as extras: the `LogRecord` attributes.
const RECORD_ATTRS: [&str; 23] = [
    "name",
    "msg",
    "args",
    "asctime",
    "levelname",
    "levelno",
    "pathname",
    "filename",
    "module",
    "exc_info",
    "exc_text",
    "stack_info",
    "lineno",
    "funcName",
    "created",
    "msecs",
    "relativeCreated",
    "thread",
    "threadName",
    "processName",
    "process",
    "message",
    "taskName",
];

/// A value from the record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Attr {
    Timestamp,
    Level,
    Message,
    Function,
    Line,
    File,
    Logger,
    Pid,
    ProcessName,
    ThreadId,
    ThreadName,
}

/// An item's value.
#[derive(Clone, Debug, PartialEq)]
enum Val {
    Attr(Attr),
    /// Already written as JSON.
    Raw(Vec<u8>),
}

/// A constant item: a path and its value.
#[derive(Clone, Debug, PartialEq)]
struct Item {
    path: Vec<String>,
    val: Val,
    /// Written before the sorted members under this name (`@timestamp`,
    /// `log.level`, `message`), not inside them.
    head: Option<&'static str>,
}

/// ecs-logging's extractors: dotted name (as `exclude_fields` sees it),
/// path, value (`None`: the constant `ecs.version`).
const FIELDS: [(&str, &[&str], Option<Attr>); 13] = [
    ("@timestamp", &["@timestamp"], Some(Attr::Timestamp)),
    ("log.level", &["log", "level"], Some(Attr::Level)),
    ("message", &["message"], Some(Attr::Message)),
    (
        "log.origin.function",
        &["log", "origin", "function"],
        Some(Attr::Function),
    ),
    (
        "log.origin.file.line",
        &["log", "origin", "file", "line"],
        Some(Attr::Line),
    ),
    (
        "log.origin.file.name",
        &["log", "origin", "file", "name"],
        Some(Attr::File),
    ),
    ("log.original", &["log", "original"], Some(Attr::Message)),
    ("log.logger", &["log", "logger"], Some(Attr::Logger)),
    ("process.pid", &["process", "pid"], Some(Attr::Pid)),
    (
        "process.name",
        &["process", "name"],
        Some(Attr::ProcessName),
    ),
    (
        "process.thread.id",
        &["process", "thread", "id"],
        Some(Attr::ThreadId),
    ),
    (
        "process.thread.name",
        &["process", "thread", "name"],
        Some(Attr::ThreadName),
    ),
    // `ecs.version` is one key, not de-dotted; its value is a constant.
    ("ecs.version", &["ecs.version"], None),
];

/// A path: either constant segments or an event field name split on `.`.
#[derive(Clone, Copy, Debug)]
enum Path<'a> {
    Segs(&'a [String]),
    Dotted(&'a str),
}

impl<'a> Path<'a> {
    fn seg(self, d: usize) -> Option<&'a str> {
        match self {
            Path::Segs(s) => s.get(d).map(String::as_str),
            Path::Dotted(s) => nth_segment(s, d),
        }
    }

    fn len(self) -> usize {
        match self {
            Path::Segs(s) => s.len(),
            Path::Dotted(s) => s.bytes().filter(|&b| b == b'.').count() + 1,
        }
    }

    /// One path is a prefix of the other (or they are equal): Python's
    /// `merge_dicts` would raise on merging both.
    fn collides(self, other: Path<'_>) -> bool {
        for d in 0.. {
            match (self.seg(d), other.seg(d)) {
                (Some(a), Some(b)) if a == b => {}
                (Some(_), Some(_)) => return false,
                _ => return true,
            }
        }
        true
    }
}

/// The `d`-th segment of `s` split on `.` (`str::split(".").nth(d)`,
/// without the pattern machinery).
pub(super) fn nth_segment(s: &str, d: usize) -> Option<&str> {
    let b = s.as_bytes();
    let mut start = 0;
    for _ in 0..d {
        let dot = b.get(start..)?.iter().position(|&c| c == b'.')?;
        start += dot + 1;
    }
    let rest = b.get(start..)?;
    let end = rest
        .iter()
        .position(|&c| c == b'.')
        .map_or(b.len(), |p| start + p);
    s.get(start..end)
}

/// The compiled formatter.
#[derive(Debug)]
pub(super) struct Ecs {
    dialect: Dialect,
    items: Vec<Item>,
    /// The constant items not written at the head, grouped by first
    /// segment (sorted), each group compiled into `"key":value` steps.
    tops: Vec<(String, Vec<Step>)>,
    /// The distinct first segments of `items`: an event field whose first
    /// segment is not among them collides with none of them.
    item_tops: Vec<String>,
    /// The indices in `items` of `@timestamp`, `log.level` and `message`,
    /// in that order (those not excluded).
    heads: Vec<usize>,
    exclude: Vec<String>,
    needs: Needs,
}

/// One step of writing a constant subtree.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    /// Literal JSON text: keys, braces, commas, constant values.
    Text(Vec<u8>),
    /// A value from the record.
    Attr(Attr),
}

/// Appends the steps writing the members of `items` (which share their
/// first `depth` segments), sorted, without the enclosing braces.
fn compile_steps(items: &[&Item], depth: usize, d: Dialect, steps: &mut Vec<Step>) {
    let mut segs: Vec<&str> = items
        .iter()
        .filter_map(|i| i.path.get(depth).map(String::as_str))
        .collect();
    segs.sort_unstable();
    segs.dedup();
    for (k, seg) in segs.into_iter().enumerate() {
        let mut text = Vec::new();
        if k > 0 {
            text.push(b',');
        }
        d.key(&mut text, seg);
        let group: Vec<&Item> = items
            .iter()
            .copied()
            .filter(|i| i.path.get(depth).map(String::as_str) == Some(seg))
            .collect();
        match group.as_slice() {
            [leaf] if leaf.path.len() == depth + 1 => match &leaf.val {
                Val::Raw(bytes) => {
                    text.extend_from_slice(bytes);
                    push_text(steps, text);
                }
                Val::Attr(a) => {
                    push_text(steps, text);
                    steps.push(Step::Attr(*a));
                }
            },
            _ => {
                text.push(b'{');
                push_text(steps, text);
                compile_steps(&group, depth + 1, d, steps);
                push_text(steps, b"}".to_vec());
            }
        }
    }
}

/// Appends literal text, joined to a preceding literal.
fn push_text(steps: &mut Vec<Step>, text: Vec<u8>) {
    if let Some(Step::Text(prev)) = steps.last_mut() {
        prev.extend_from_slice(&text);
    } else {
        steps.push(Step::Text(text));
    }
}

/// ecs-logging's `_is_field_excluded`: some dotted prefix of `field` is
/// listed.
fn excluded(exclude: &[String], field: &str) -> bool {
    let mut end = 0;
    for (i, seg) in field.split('.').enumerate() {
        end += seg.len() + usize::from(i > 0);
        if field
            .get(..end)
            .is_some_and(|prefix| exclude.iter().any(|e| e == prefix))
        {
            return true;
        }
    }
    false
}

/// Flattens a constant `extra` value into leaf paths under `path`.
fn flatten(path: &mut Vec<String>, v: &StaticValue, d: Dialect, out: &mut Vec<Item>) {
    match v {
        StaticValue::Map(members) if !members.is_empty() => {
            for (k, v) in members {
                path.push(k.clone());
                flatten(path, v, d, out);
                path.pop();
            }
        }
        v => {
            let mut bytes = Vec::new();
            d.value(&mut bytes, v, true);
            out.push(Item {
                path: path.clone(),
                val: Val::Raw(bytes),
                head: None,
            });
        }
    }
}

impl Ecs {
    /// Compiles the options.
    pub(super) fn new(o: EcsOptions) -> Result<Ecs, JsonError> {
        let dialect = Dialect {
            ascii: o.ensure_ascii,
            spaced: false,
            floats: Floats::Python,
        };
        let exclude = o.exclude_fields;
        let mut items = Vec::new();
        for &(dotted, path, attr) in &FIELDS {
            if excluded(&exclude, dotted) {
                continue;
            }
            let val = match attr {
                Some(attr) => Val::Attr(attr),
                None => {
                    let mut bytes = Vec::new();
                    write_str(&mut bytes, ECS_VERSION, dialect.ascii);
                    Val::Raw(bytes)
                }
            };
            let head = ["@timestamp", "log.level", "message"]
                .into_iter()
                .find(|h| *h == dotted);
            items.push(Item {
                path: path.iter().map(|s| (*s).to_owned()).collect(),
                val,
                head,
            });
        }
        let fixed = items.len();
        for (key, value) in &o.extra {
            // Python nests the value under its de-dotted key and then checks
            // only the first segment against `exclude_fields`; a top-level
            // `null` is dropped.
            let mut path: Vec<String> = key.split('.').map(str::to_owned).collect();
            let top = path.first().map_or("", String::as_str);
            if excluded(&exclude, top) || (path.len() == 1 && *value == StaticValue::Null) {
                continue;
            }
            let start = items.len();
            flatten(&mut path, value, dialect, &mut items);
            for new in items.get(start..).unwrap_or_default() {
                let clash = items
                    .get(..start)
                    .unwrap_or_default()
                    .iter()
                    .find(|old| Path::Segs(&old.path).collides(Path::Segs(&new.path)));
                if let Some(old) = clash {
                    let what = if items.iter().position(|i| i == old).unwrap_or(0) < fixed {
                        "the ECS field"
                    } else {
                        "the extra field"
                    };
                    return Err(JsonError::new(
                        "extra",
                        format!(
                            "`{}` collides with {what} `{}`",
                            new.path.join("."),
                            old.path.join(".")
                        ),
                    )
                    .entry(key.clone())
                    .help("one path cannot be both a value and an object; rename it"));
                }
            }
        }
        let mut needs = Needs::NONE;
        for item in &items {
            needs = needs.union(match item.val {
                Val::Attr(Attr::Timestamp) => Needs::TIME,
                Val::Attr(Attr::Function) => Needs::FUNC_NAME,
                Val::Attr(Attr::Pid) => Needs::PROCESS,
                Val::Attr(Attr::ThreadId | Attr::ThreadName) => Needs::THREAD,
                _ => Needs::NONE,
            });
        }
        let body: Vec<&Item> = items.iter().filter(|i| i.head.is_none()).collect();
        let mut top_names: Vec<&str> = body
            .iter()
            .filter_map(|i| i.path.first().map(String::as_str))
            .collect();
        top_names.sort_unstable();
        top_names.dedup();
        let tops = top_names
            .into_iter()
            .map(|top| {
                let group: Vec<&Item> = body
                    .iter()
                    .copied()
                    .filter(|i| i.path.first().map(String::as_str) == Some(top))
                    .collect();
                let mut steps = Vec::new();
                compile_steps(&group, 0, dialect, &mut steps);
                (top.to_owned(), steps)
            })
            .collect();
        let mut item_tops: Vec<String> = items
            .iter()
            .filter_map(|i| i.path.first().cloned())
            .collect();
        item_tops.sort_unstable();
        item_tops.dedup();
        let heads = ["@timestamp", "log.level", "message"]
            .into_iter()
            .filter_map(|head| items.iter().position(|i| i.head == Some(head)))
            .collect();
        Ok(Ecs {
            dialect,
            items,
            tops,
            item_tops,
            heads,
            exclude,
            needs,
        })
    }

    /// What the formatter needs computed.
    pub(super) fn needs(&self) -> Needs {
        self.needs
    }

    /// Is event field `i` written? It is not when ecs-logging would not
    /// take it as an extra, when it is excluded, when a field of the same
    /// name comes later (that one is written), or when its path collides
    /// with a constant item or an earlier event field.
    fn live(&self, r: &Record<'_>, i: usize) -> bool {
        let Some((name, _)) = r.fields.at(i) else {
            return false;
        };
        if !self.extra(name) {
            return false;
        }
        let path = Path::Dotted(name);
        let n = r.fields.len();
        if (i + 1..n).any(|j| r.fields.at(j).is_some_and(|(other, _)| other == name)) {
            return false;
        }
        // A collision needs equal first segments.
        let top = nth_segment(name, 0).unwrap_or(name);
        if self.item_tops.iter().any(|t| t == top)
            && self
                .items
                .iter()
                .any(|item| path.collides(Path::Segs(&item.path)))
        {
            return false;
        }
        !(0..i).any(|j| {
            r.fields.at(j).is_some_and(|(other, _)| {
                other != name && self.extra(other) && path.collides(Path::Dotted(other))
            })
        })
    }

    /// Would ecs-logging take an attribute `name` as an extra: not a
    /// `LogRecord` attribute, not excluded.
    fn extra(&self, name: &str) -> bool {
        !RECORD_ATTRS.contains(&name) && (self.exclude.is_empty() || !excluded(&self.exclude, name))
    }

    /// Appends the record as ecs-logging would write it.
    pub(super) fn format(&self, r: &Record<'_>, out: &mut Vec<u8>) {
        // Live event fields, resolved once (the first 64 of them kept in
        // `mask`). An event field inside a constant object (`log.custom`)
        // needs the general merge (`merges`); otherwise constant subtrees
        // are written from their steps, interleaved in order with the event
        // fields' subtrees, and without a dotted field (`dotted`) by a plain
        // sorted merge.
        let n = r.fields.len();
        let (mut mask, mut merges, mut dotted) = (0u64, false, false);
        for i in 0..n {
            let Some((name, _)) = r.fields.at(i).filter(|_| self.live(r, i)) else {
                continue;
            };
            if i < 64 {
                mask |= 1 << i;
            }
            let top = nth_segment(name, 0).unwrap_or(name);
            merges |= self.tops.iter().any(|(t, _)| t == top);
            dotted |= top.len() != name.len();
        }
        let live = |i: usize| {
            if i < 64 {
                mask & (1 << i) != 0
            } else {
                self.live(r, i)
            }
        };
        let view = View {
            ecs: self,
            r,
            live: &live,
            events_only: false,
        };
        out.push(b'{');
        let mut first = true;
        for item in self.heads.iter().filter_map(|&h| self.items.get(h)) {
            let Some(head) = item.head else { continue };
            if !first {
                out.push(b',');
            }
            first = false;
            self.dialect.key(out, head);
            self.write_val(out, &item.val, r);
        }
        if merges {
            view.members(out, None, 0, first);
            return;
        }
        if n <= 64 && !dotted {
            self.flat(out, r, mask, first);
            return;
        }
        let events = View {
            ecs: self,
            r,
            live: &live,
            events_only: true,
        };
        let mut tops = self.tops.iter().peekable();
        let mut last: Option<&str> = None;
        loop {
            let next_event = events.next_segment(None, 0, last);
            let take_const = match (tops.peek(), next_event) {
                (Some((top, _)), Some((seg, _))) => top.as_str() < seg,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            if take_const {
                if let Some((_, steps)) = tops.next() {
                    if !first {
                        out.push(b',');
                    }
                    first = false;
                    self.run(out, steps, r);
                }
                continue;
            }
            if let Some((seg, path)) = next_event {
                events.member(out, None, 0, seg, path, &mut first);
                last = Some(seg);
            }
        }
        out.push(b'}');
    }

    /// The body after the head when every live event field (the bits of
    /// `mask`) is a top-level name: the constant subtrees and the fields,
    /// merged in sorted order, then the closing brace.
    fn flat(&self, out: &mut Vec<u8>, r: &Record<'_>, mask: u64, mut first: bool) {
        let mut order = [0u8; 64];
        let mut count = 0;
        let mut bits = mask;
        while bits != 0 {
            let i = bits.trailing_zeros() as u8;
            bits &= bits - 1;
            // Insertion sort by name: a handful of fields.
            let name = |k: u8| r.fields.at(usize::from(k)).map_or("", |(n, _)| n);
            let mut at = count;
            while at > 0 && name(order[at - 1]) > name(i) {
                order[at] = order[at - 1];
                at -= 1;
            }
            order[at] = i;
            count += 1;
        }
        let mut events = order
            .iter()
            .take(count)
            .filter_map(|&i| r.fields.at(usize::from(i)))
            .peekable();
        let mut tops = self.tops.iter().peekable();
        loop {
            let take_const = match (tops.peek(), events.peek()) {
                (Some((top, _)), Some((name, _))) => top.as_str() < *name,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            if !first {
                out.push(b',');
            }
            first = false;
            if take_const {
                if let Some((_, steps)) = tops.next() {
                    self.run(out, steps, r);
                }
            } else if let Some((name, value)) = events.next() {
                self.dialect.key(out, name);
                self.dialect.field(out, value);
            }
        }
        out.push(b'}');
    }

    /// Runs compiled steps.
    fn run(&self, out: &mut Vec<u8>, steps: &[Step], r: &Record<'_>) {
        for step in steps {
            match step {
                Step::Text(bytes) => out.extend_from_slice(bytes),
                Step::Attr(a) => self.write_val(out, &Val::Attr(*a), r),
            }
        }
    }

    /// Writes a value.
    fn write_val(&self, out: &mut Vec<u8>, val: &Val, r: &Record<'_>) {
        let d = self.dialect;
        let a = match val {
            Val::Raw(bytes) => return out.extend_from_slice(bytes),
            Val::Attr(a) => *a,
        };
        match a {
            Attr::Timestamp => {
                let (secs, sub) = split_ns(python_time_ns(r.created_ns));
                out.push(b'"');
                Utc::from_secs(secs).write(out);
                let ms = sub / 1_000_000;
                out.extend_from_slice(&[
                    b'.',
                    b'0' + (ms / 100) as u8,
                    b'0' + (ms / 10 % 10) as u8,
                    b'0' + (ms % 10) as u8,
                    b'Z',
                    b'"',
                ]);
            }
            Attr::Level => {
                out.push(b'"');
                let start = out.len();
                write_level_name(out, r.level);
                if let Some(name) = out.get_mut(start..) {
                    name.make_ascii_lowercase();
                }
                out.push(b'"');
            }
            Attr::Message => write_str(out, r.event_message, d.ascii),
            Attr::Function => write_str(out, r.func_name, d.ascii),
            Attr::Line => d.field(out, FieldValue::U64(u64::from(r.lineno))),
            Attr::File => write_str(out, basename(r.pathname), d.ascii),
            Attr::Logger => write_str(out, r.name, d.ascii),
            Attr::Pid => d.field(out, FieldValue::U64(u64::from(r.process_id))),
            Attr::ProcessName => write_str(out, r.process_name, d.ascii),
            Attr::ThreadId => d.field(out, FieldValue::U64(r.thread_id)),
            Attr::ThreadName => write_str(out, r.thread_name, d.ascii),
        }
    }
}

/// One record's items: the constant ones, then the live event fields.
struct View<'v, 'r, L: Fn(usize) -> bool> {
    ecs: &'v Ecs,
    r: &'v Record<'r>,
    live: &'v L,
    /// Leave the constant items out.
    events_only: bool,
}

impl<L: Fn(usize) -> bool> View<'_, '_, L> {
    /// Every item not written at the head, as a path.
    fn paths(&self) -> impl Iterator<Item = (Path<'_>, Option<&Val>, usize)> + '_ {
        let constant = self
            .ecs
            .items
            .iter()
            .filter(|i| !self.events_only && i.head.is_none())
            .map(|i| (Path::Segs(&i.path), Some(&i.val), usize::MAX));
        let events = (0..self.r.fields.len())
            .filter(|&i| (self.live)(i))
            .filter_map(|i| {
                self.r
                    .fields
                    .at(i)
                    .map(|(name, _)| (Path::Dotted(name), None, i))
            });
        constant.chain(events)
    }

    /// Does `path` start with the segments `prefix` (given as a path and
    /// its length)?
    fn under(path: Path<'_>, prefix: Option<(Path<'_>, usize)>) -> bool {
        match prefix {
            None => true,
            Some((p, depth)) => path.len() > depth && (0..depth).all(|d| path.seg(d) == p.seg(d)),
        }
    }

    /// Writes the members under the first `depth` segments of the path
    /// `at` (all items when `None`), sorted, and the closing brace. The
    /// opening brace is already written; `first` says no member precedes.
    fn members(&self, out: &mut Vec<u8>, at: Option<Path<'_>>, depth: usize, mut first: bool) {
        let mut last: Option<&str> = None;
        while let Some((seg, path)) = self.next_segment(at, depth, last) {
            self.member(out, at, depth, seg, path, &mut first);
            last = Some(seg);
        }
        out.push(b'}');
    }

    /// The smallest segment at `depth` greater than `last` among the paths
    /// under the first `depth` segments of `at`, with a path that has it.
    fn next_segment(
        &self,
        at: Option<Path<'_>>,
        depth: usize,
        last: Option<&str>,
    ) -> Option<(&str, Path<'_>)> {
        let prefix = at.map(|p| (p, depth));
        let mut next: Option<(&str, Path<'_>)> = None;
        for (path, _, _) in self.paths() {
            if !Self::under(path, prefix) {
                continue;
            }
            let Some(seg) = path.seg(depth) else { continue };
            if last.is_some_and(|l| seg <= l) {
                continue;
            }
            if next.is_none_or(|(n, _)| seg < n) {
                next = Some((seg, path));
            }
        }
        next
    }

    /// Writes the member `seg` (at `depth` under `at`; `path` has it).
    fn member(
        &self,
        out: &mut Vec<u8>,
        at: Option<Path<'_>>,
        depth: usize,
        seg: &str,
        path: Path<'_>,
        first: &mut bool,
    ) {
        let prefix = at.map(|p| (p, depth));
        if !*first {
            out.push(b',');
        }
        *first = false;
        self.ecs.dialect.key(out, seg);
        // A leaf (collisions were removed, so it is alone) or an object.
        let leaf = self.paths().find(|(p, _, _)| {
            p.len() == depth + 1 && Self::under(*p, prefix) && p.seg(depth) == Some(seg)
        });
        match leaf {
            Some((_, Some(val), _)) => self.ecs.write_val(out, val, self.r),
            Some((_, None, i)) => match self.r.fields.at(i) {
                Some((_, v)) => self.ecs.dialect.field(out, v),
                None => out.extend_from_slice(b"null"),
            },
            None => {
                out.push(b'{');
                self.members(out, Some(path), depth + 1, true);
            }
        }
    }
}
