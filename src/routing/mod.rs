//! Routing.
mod pattern;
pub(crate) use pattern::{segments, NamePattern};
