//! `duplicate-resource`: reported by the loader or the model phase, not by a pass over the mesh; its
//! identity lives in `crate::catalog` so that those layers can name it.

pub use crate::catalog::duplicate_resource::RULE;

pub const CHECK: Option<crate::rules::CheckFn> = None;
