use crate::diag::Severity;
use crate::rules::Rule;

/// Reported by the loader and the model phase, not by a pass over the mesh.
pub const RULE: Rule = Rule {
    name: "unknown-field",
    code: None,
    codes: &[],
    severity: Severity::Warning,
    summary: "a field that the resource's schema does not define; Kubernetes drops or rejects it",
    doc: include_str!("../../rules/unknown-field.md"),
    check: None,
};
