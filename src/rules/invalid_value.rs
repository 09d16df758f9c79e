use crate::diag::Severity;
use crate::rules::Rule;

/// Reported by the loader and the model phase, not by a pass over the mesh.
pub const RULE: Rule = Rule {
    name: "invalid-value",
    code: Some("IST0106"),
    codes: &["IST0106"],
    severity: Severity::Error,
    summary: "a value of the wrong type, outside its range, or not one of the allowed values",
    doc: include_str!("../../rules/invalid-value.md"),
    check: None,
};
