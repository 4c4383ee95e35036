//! `logging.NullHandler`: discards every record.

use std::io;
use std::sync::Arc;

use super::Handler;
use super::class::{BuildContext, HandlerClass, HandlerSettings};
use crate::level::Level;

/// `logging.NullHandler`: no keys.
pub(crate) const CLASS: HandlerClass = HandlerClass {
    name: "logging.NullHandler",
    keys: &[],
    terminator: "\n",
    parse: |_| Some(Arc::new(NullHandler)),
};

impl HandlerSettings for NullHandler {
    fn build(&self, _ctx: &BuildContext<'_>) -> io::Result<Box<dyn Handler>> {
        Ok(Box::new(NullHandler))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn same_output(&self, other: &dyn HandlerSettings) -> bool {
        super::class::same_settings(self, other)
    }
}

/// `logging.NullHandler`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct NullHandler;

impl Handler for NullHandler {
    fn emit(&self, _record: &[u8], _level: Level) {}

    fn flush(&self) {}
}
