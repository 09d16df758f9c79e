use crate::diag::Severity;
use crate::rules::Rule;

/// Reported by the loader and the model phase, not by a pass over the mesh.
pub const RULE: Rule = Rule {
    name: "input-too-large",
    code: None,
    codes: &[],
    severity: Severity::Error,
    summary: "an input exceeds a safety budget (file size, document count, nesting, alias expansion)",
    doc: include_str!("../../rules/input-too-large.md"),
    check: None,
};
