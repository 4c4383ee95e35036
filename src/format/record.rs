//! The view of one event that formatters read: Python's `LogRecord`.

use crate::level::Level;

/// One structured field's value as the event recorded it.
///
/// ```
/// let value = logconf::FieldValue::I64(42);
/// assert_eq!(value, logconf::FieldValue::I64(42));
/// # Ok::<(), logconf::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum FieldValue<'a> {
    /// A string (or a value recorded through `Display`/`Debug`, already rendered).
    Str(&'a str),
    /// An `i64` field, printed as Python prints an `int`.
    I64(i64),
    /// A `u64` field (or `u128`/`i128` that fits), printed as an `int`.
    U64(u64),
    /// An `f64` field, printed as Python's `str(float)` (`1.0`, `inf`, `1e+16`).
    F64(f64),
    /// A `bool` field, printed `True` or `False`.
    Bool(bool),
    /// Text a formatter adds, written as is: never escaped (color codes).
    /// Events never carry it; use [`FieldValue::Str`] for anything that
    /// may hold untrusted text.
    Raw(&'a str),
}

/// An owned field value: a formatter's `defaults` entry.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum OwnedValue {
    /// A YAML string: printed as is.
    Str(String),
    /// A YAML integer within `i64`: printed as an `int`.
    Int(i64),
    /// A YAML float (or an integer beyond `i64`): printed as a `float`.
    Float(f64),
    /// A YAML boolean: printed `True` or `False`.
    Bool(bool),
    /// Text written as is, never escaped: a colored formatter's escape codes.
    Raw(String),
}

impl OwnedValue {
    /// Borrows the value as a field value.
    pub(crate) fn as_field(&self) -> FieldValue<'_> {
        match self {
            OwnedValue::Str(s) => FieldValue::Str(s),
            OwnedValue::Raw(s) => FieldValue::Raw(s),
            OwnedValue::Int(i) => FieldValue::I64(*i),
            OwnedValue::Float(f) => FieldValue::F64(*f),
            OwnedValue::Bool(b) => FieldValue::Bool(*b),
        }
    }
}

/// The structured fields of one event (not counting `message`), in the
/// order the event recorded them. Reused across events: `clear` keeps the
/// allocations.
#[derive(Clone, Debug, Default)]
pub(crate) struct Fields {
    /// Field name and where its value is.
    entries: Vec<(&'static str, Slot)>,
    /// Text of the string-valued fields, back to back.
    text: String,
    /// The length of the message's own text, before the appended fields.
    body_len: usize,
    /// Each field appended to the message as ` key=value`: its name and
    /// byte range in the message.
    in_message: Vec<(&'static str, usize, usize)>,
    /// The spans whose fields these are, outermost first (only in a
    /// record's `span_fields`): each span's name and the index of its first
    /// entry.
    groups: Vec<(&'static str, usize)>,
}

/// No fields at all (a record outside any span).
#[cfg(test)]
pub(crate) static NO_FIELDS: Fields = Fields {
    entries: Vec::new(),
    text: String::new(),
    body_len: 0,
    in_message: Vec::new(),
    groups: Vec::new(),
};

#[derive(Clone, Copy, Debug)]
enum Slot {
    Str(usize, usize),
    Raw(usize, usize),
    I64(i64),
    U64(u64),
    F64(f64),
    Bool(bool),
}

impl Fields {
    /// Forgets every field, keeping the buffers.
    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.text.clear();
        self.body_len = 0;
        self.in_message.clear();
        self.groups.clear();
    }

    /// Notes that the message's own text is `body_len` bytes and that
    /// `appended` (names with byte ranges into the appended ` key=value`
    /// text) start at byte `at` of the message, minus `trimmed` bytes cut
    /// from the front (an empty message has no leading space).
    pub(crate) fn set_message_layout(
        &mut self,
        body_len: usize,
        at: usize,
        trimmed: usize,
        appended: &[(&'static str, usize, usize)],
    ) {
        self.body_len = body_len;
        self.in_message.clear();
        self.in_message
            .extend(appended.iter().map(|&(name, start, end)| {
                (
                    name,
                    (at + start).saturating_sub(trimmed),
                    (at + end).saturating_sub(trimmed),
                )
            }));
    }

    /// Whether the message has a ` key=value` for any of `names`.
    pub(crate) fn message_names_any(&self, mut names: impl FnMut(&str) -> bool) -> bool {
        self.in_message.iter().any(|(n, _, _)| names(n))
    }

    /// Writes `message` to `out` without the ` key=value` of the fields
    /// `hidden` accepts: the message's own text, then the other fields.
    pub(crate) fn message_without(
        &self,
        message: &str,
        mut hidden: impl FnMut(&str) -> bool,
        out: &mut String,
    ) {
        out.push_str(message.get(..self.body_len).unwrap_or(""));
        for &(name, start, end) in &self.in_message {
            if hidden(name) {
                continue;
            }
            let text = message.get(start..end).unwrap_or("");
            if out.is_empty() {
                // An empty message does not start with a space.
                out.push_str(text.trim_start_matches(' '));
            } else {
                out.push_str(text);
            }
        }
    }

    /// Adds a string field; `write` appends the text to the given buffer.
    pub(crate) fn push_str_with(&mut self, name: &'static str, write: impl FnOnce(&mut String)) {
        let start = self.text.len();
        write(&mut self.text);
        let end = self.text.len();
        self.entries.push((name, Slot::Str(start, end)));
    }

    /// The text of the last string field added (`""` if the last is not a string).
    pub(crate) fn last_str(&self) -> &str {
        match self.entries.last() {
            Some(&(_, Slot::Str(a, b))) => self.text.get(a..b).unwrap_or(""),
            _ => "",
        }
    }

    /// Adds a string field.
    pub(crate) fn push_str(&mut self, name: &'static str, value: &str) {
        self.push_str_with(name, |buf| buf.push_str(value));
    }

    /// Adds a numeric or boolean field.
    pub(crate) fn push(&mut self, name: &'static str, value: FieldValue<'_>) {
        let slot = match value {
            FieldValue::Str(s) => return self.push_str(name, s),
            FieldValue::Raw(s) => {
                let start = self.text.len();
                self.text.push_str(s);
                Slot::Raw(start, self.text.len())
            }
            FieldValue::I64(v) => Slot::I64(v),
            FieldValue::U64(v) => Slot::U64(v),
            FieldValue::F64(v) => Slot::F64(v),
            FieldValue::Bool(v) => Slot::Bool(v),
        };
        self.entries.push((name, slot));
    }

    fn value(&self, slot: Slot) -> FieldValue<'_> {
        match slot {
            Slot::Str(a, b) => FieldValue::Str(self.text.get(a..b).unwrap_or("")),
            Slot::Raw(a, b) => FieldValue::Raw(self.text.get(a..b).unwrap_or("")),
            Slot::I64(v) => FieldValue::I64(v),
            Slot::U64(v) => FieldValue::U64(v),
            Slot::F64(v) => FieldValue::F64(v),
            Slot::Bool(v) => FieldValue::Bool(v),
        }
    }

    /// Whether a buffer grew beyond `bytes` (one test per record, no
    /// branch per buffer).
    #[inline]
    pub(crate) fn is_large(&self, bytes: usize) -> bool {
        (self.text.capacity() > bytes)
            | (self.entries.capacity() * std::mem::size_of::<(&str, Slot)>() > bytes)
            | (self.in_message.capacity() * std::mem::size_of::<(&str, usize, usize)>() > bytes)
            | (self.groups.capacity() * std::mem::size_of::<(&str, usize)>() > bytes)
    }

    /// Frees buffers that grew beyond `bytes` (after a huge record).
    #[cold]
    pub(crate) fn release_large(&mut self, bytes: usize) {
        if self.text.capacity() > bytes {
            self.text = String::new();
        }
        if self.entries.capacity() * std::mem::size_of::<(&str, Slot)>() > bytes {
            self.entries = Vec::new();
        }
        if self.in_message.capacity() * std::mem::size_of::<(&str, usize, usize)>() > bytes {
            self.in_message = Vec::new();
        }
        if self.groups.capacity() * std::mem::size_of::<(&str, usize)>() > bytes {
            self.groups = Vec::new();
        }
    }

    /// Adds every field of `other` after this one's (so `other`'s win in
    /// [`Fields::get`]); the message layout is not copied.
    pub(crate) fn extend_from(&mut self, other: &Fields) {
        let base = self.text.len();
        self.text.push_str(&other.text);
        self.entries
            .extend(other.entries.iter().map(|&(name, slot)| match slot {
                Slot::Str(a, b) => (name, Slot::Str(a + base, b + base)),
                other => (name, other),
            }));
    }

    /// Adds the span `name` (call from the outermost span to the
    /// innermost) with its fields, if any, after the ones already here.
    pub(crate) fn push_span(&mut self, name: &'static str, fields: Option<&Fields>) {
        self.groups.push((name, self.entries.len()));
        if let Some(fields) = fields {
            self.extend_from(fields);
        }
    }

    /// How many spans [`Fields::push_span`] added.
    pub(crate) fn span_count(&self) -> usize {
        self.groups.len()
    }

    /// The `i`-th span added (0: the outermost): its name and the range of
    /// its fields' indexes for [`Fields::at`].
    pub(crate) fn span(&self, i: usize) -> Option<(&'static str, std::ops::Range<usize>)> {
        let &(name, start) = self.groups.get(i)?;
        let end = self
            .groups
            .get(i + 1)
            .map_or(self.entries.len(), |&(_, next)| next);
        Some((name, start..end))
    }

    /// How many fields were recorded (a name recorded twice counts twice).
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The `i`-th field recorded, with its name.
    pub(crate) fn at(&self, i: usize) -> Option<(&'static str, FieldValue<'_>)> {
        self.entries
            .get(i)
            .map(|&(name, slot)| (name, self.value(slot)))
    }

    /// The last value recorded under `name`.
    pub(crate) fn get(&self, name: &str) -> Option<FieldValue<'_>> {
        self.entries
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|&(_, slot)| self.value(slot))
    }
}

/// Everything a formatter may print about one event: Python's `LogRecord`
/// attributes, plus the event's structured fields.
///
/// Derived attributes (`filename`, `module`, `asctime`, `msecs`, ...) are
/// computed by the formatter from these, and only when its format uses them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Record<'a> {
    /// `%(name)s`: the event's target, exactly as written (`aws_sdk_ec2::client`).
    pub(crate) name: &'a str,
    /// `%(levelno)d` / `%(levelname)s`.
    pub(crate) level: Level,
    /// `%(message)s`: the message, with the structured fields appended
    /// (a format that names a field leaves it out, see [`Fields`]).
    pub(crate) message: &'a str,
    /// The message as the event wrote it, without the fields appended:
    /// what JSON formatters print, next to the fields as values.
    pub(crate) event_message: &'a str,
    /// The structured fields, addressable as `%(field)s`.
    pub(crate) fields: &'a Fields,
    /// The fields of the spans the event is in, outermost first (so the
    /// innermost span's value of a name wins); looked up after the event's
    /// own fields. Empty unless a format names a field
    /// ([`Needs::SPAN_FIELDS`](super::Needs)).
    pub(crate) span_fields: &'a Fields,
    /// `%(spans)s`: the span chain as tracing-subscriber's `fmt` prints it,
    /// `request{request_id=42}:db{table="users"}`; empty unless a format
    /// names it ([`Needs::SPANS`](super::Needs)).
    pub(crate) spans: &'a str,
    /// `%(pathname)s`: the source file as the compiler named it, or `""`.
    pub(crate) pathname: &'a str,
    /// The Rust module path (`deploy_vpc::network`), or `""`.
    pub(crate) module_path: &'a str,
    /// `%(lineno)d`, 0 when unknown.
    pub(crate) lineno: u32,
    /// `%(funcName)s`: the innermost span's name, or `""` when the
    /// formatter did not ask for it (see [`Needs::FUNC_NAME`](super::Needs)).
    pub(crate) func_name: &'a str,
    /// Wall-clock time of the event, nanoseconds since the Unix epoch.
    pub(crate) created_ns: i128,
    /// Nanoseconds since logconf was first loaded (`%(relativeCreated)d` is this in ms).
    pub(crate) relative_ns: u64,
    /// `%(thread)d`.
    pub(crate) thread_id: u64,
    /// `%(threadName)s`.
    pub(crate) thread_name: &'a str,
    /// `%(process)d`.
    pub(crate) process_id: u32,
    /// `%(processName)s`.
    pub(crate) process_name: &'a str,
}
