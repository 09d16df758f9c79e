use crate::diag::Severity;
use crate::rules::Rule;

/// Reported by the loader and the model phase, not by a pass over the mesh.
pub const RULE: Rule = Rule {
    name: "yaml-syntax",
    code: None,
    codes: &[],
    severity: Severity::Error,
    summary: "the file is not valid YAML (or not readable as text); the document is skipped and the others are analyzed",
    doc: include_str!("../../rules/yaml-syntax.md"),
    check: None,
};
