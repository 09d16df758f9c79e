use crate::diag::Severity;
use crate::rules::Rule;

/// Reported by the loader and the model phase, not by a pass over the mesh.
pub const RULE: Rule = Rule {
    name: "removed-api",
    code: None,
    codes: &[],
    severity: Severity::Error,
    summary: "a kind or API version that Istio no longer serves",
    doc: include_str!("../../rules/removed-api.md"),
    check: None,
};
