use crate::diag::Severity;
use crate::rules::Rule;

/// Reported by the loader and the model phase, not by a pass over the mesh.
pub const RULE: Rule = Rule {
    name: "deprecated-field",
    code: Some("IST0002"),
    codes: &["IST0002"],
    severity: Severity::Warning,
    summary: "a field or value that Istio deprecated",
    doc: include_str!("../../rules/deprecated-field.md"),
    check: None,
};
