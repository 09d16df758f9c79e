use crate::diag::Severity;
use crate::rules::Rule;

/// Reported by the loader and the model phase, not by a pass over the mesh.
pub const RULE: Rule = Rule {
    name: "duplicate-key",
    code: None,
    codes: &[],
    severity: Severity::Error,
    summary: "a mapping has the same key twice; Kubernetes rejects such a manifest",
    doc: include_str!("../../rules/duplicate-key.md"),
    check: None,
};
