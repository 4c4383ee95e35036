//! Logger names: `.` or `::` separated segments, `*` as a glob inside a segment.

use std::fmt;

/// Splits a target or logger name into segments on `::` and `.`.
pub(crate) fn segments(name: &str) -> impl Iterator<Item = &str> {
    name.split("::").flat_map(|part| part.split('.'))
}

/// One segment of a configured logger name.
#[derive(Clone, PartialEq, Eq)]
enum Segment {
    /// Matches exactly this text.
    Literal(String),
    /// `*` matches any run of characters (within the segment): the pieces
    /// between the stars, in order.
    Glob(Vec<String>),
}

impl Segment {
    fn matches(&self, text: &str) -> bool {
        match self {
            Segment::Literal(lit) => lit == text,
            Segment::Glob(pieces) => glob_match(pieces, text),
        }
    }
}

/// `pieces` are the parts of a glob between its `*`s (so there are at least two).
fn glob_match(pieces: &[String], text: &str) -> bool {
    let (Some(first), Some(last)) = (pieces.first(), pieces.last()) else {
        return false;
    };
    if !text.starts_with(first.as_str()) {
        return false;
    }
    let mut rest = &text[first.len()..];
    let middle = &pieces[1..pieces.len() - 1];
    for piece in middle {
        match rest.find(piece.as_str()) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last.as_str())
}

/// A configured logger name: the root (no segments) or `a::b`, `a.b`,
/// `aws_sdk_*`. It matches a target when every one of its segments matches
/// the target's segment at the same depth: `aws` matches `aws::s3` but not
/// `awsome`.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct NamePattern {
    segments: Vec<Segment>,
}

impl NamePattern {
    /// The root logger's pattern: an ancestor of every name.
    pub(crate) fn root() -> NamePattern {
        NamePattern {
            segments: Vec::new(),
        }
    }

    /// Parses a logger name. The empty name is the root.
    pub(crate) fn parse(name: &str) -> Result<NamePattern, String> {
        if name.is_empty() {
            return Ok(NamePattern::root());
        }
        let mut out = Vec::new();
        for seg in segments(name) {
            if seg.is_empty() {
                return Err(format!(
                    "logger name `{name}` has an empty segment (names are segments joined by `.` or `::`)"
                ));
            }
            if seg.contains(char::is_whitespace) {
                return Err(format!("logger name `{name}` contains white space"));
            }
            if seg.contains('*') {
                out.push(Segment::Glob(seg.split('*').map(str::to_owned).collect()));
            } else {
                out.push(Segment::Literal(seg.to_owned()));
            }
        }
        Ok(NamePattern { segments: out })
    }

    /// How many segments: 0 for the root.
    pub(crate) fn depth(&self) -> usize {
        self.segments.len()
    }

    /// Whether no segment is a glob.
    pub(crate) fn is_literal(&self) -> bool {
        self.segments
            .iter()
            .all(|s| matches!(s, Segment::Literal(_)))
    }

    /// How many literal characters the pattern has: among globs at the same
    /// depth, the one with more literal text is the more specific.
    pub(crate) fn literal_len(&self) -> usize {
        self.segments
            .iter()
            .map(|s| match s {
                Segment::Literal(l) => l.len(),
                Segment::Glob(p) => p.iter().map(String::len).sum(),
            })
            .sum()
    }

    /// Whether this pattern names exactly the first `self.depth()` segments
    /// of `target` (so it is `target` itself or one of its ancestors).
    pub(crate) fn matches_prefix(&self, target: &[&str]) -> bool {
        self.segments.len() <= target.len()
            && self
                .segments
                .iter()
                .zip(target)
                .all(|(seg, text)| seg.matches(text))
    }

    /// Whether this pattern is `target` itself (same depth, every segment matches).
    pub(crate) fn matches_exactly(&self, target: &[&str]) -> bool {
        self.segments.len() == target.len() && self.matches_prefix(target)
    }
}

impl fmt::Display for NamePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.segments.iter().enumerate() {
            if i > 0 {
                f.write_str("::")?;
            }
            match seg {
                Segment::Literal(l) => f.write_str(l)?,
                Segment::Glob(p) => f.write_str(&p.join("*"))?,
            }
        }
        Ok(())
    }
}

impl fmt::Debug for NamePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NamePattern({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, target: &str) -> bool {
        let p = NamePattern::parse(pattern).expect("valid pattern");
        let t: Vec<&str> = segments(target).collect();
        p.matches_prefix(&t)
    }

    #[test]
    fn whole_segments_only() {
        assert!(m("aws", "aws"));
        assert!(m("aws", "aws::s3"));
        assert!(m("aws", "aws.s3"));
        assert!(!m("aws", "awsome"));
        assert!(!m("aws", "awsome::x"));
        assert!(m("a.b", "a::b::c"));
        assert!(m("a::b", "a.b.c"));
        assert!(!m("a::b", "a::bb"));
        assert!(!m("a::b::c", "a::b"));
    }

    #[test]
    fn globs_stay_inside_a_segment() {
        assert!(m("aws_sdk_*", "aws_sdk_ec2"));
        assert!(m("aws_sdk_*", "aws_sdk_ec2::client"));
        assert!(m("aws_sdk_*", "aws_sdk_"));
        assert!(!m("aws_sdk_*", "aws_sdkx"));
        assert!(!m("aws_sdk_*", "aws_smithy_runtime"));
        assert!(m("*", "anything::below"));
        assert!(m("a*c", "abc"));
        assert!(m("a*c", "ac"));
        assert!(!m("a*c", "abcd"));
        assert!(m("a*b*c", "aXbYc"));
        assert!(!m("a*b*c", "aXcYb"));
        assert!(m("x::*::z", "x::y::z::w"));
    }

    #[test]
    fn root_matches_everything() {
        assert!(m("", "anything"));
        assert_eq!(NamePattern::root().depth(), 0);
    }

    #[test]
    fn bad_names() {
        assert!(NamePattern::parse("a..b").is_err());
        assert!(NamePattern::parse("a::").is_err());
        assert!(NamePattern::parse(".a").is_err());
        assert!(NamePattern::parse("a b").is_err());
    }
}
