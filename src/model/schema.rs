//! Schema validation of every field (filled in by the schema work).

use crate::diag::Diagnostic;
use crate::load::yaml::{Document, NodeId};
use crate::model::{KindId, Meta};

pub fn validate(_doc: &Document, _root: NodeId, _kind: KindId, _version: &str, _meta: &Meta, _out: &mut Vec<Diagnostic>) {}
