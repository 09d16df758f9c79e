use crate::diag::Severity;
use crate::rules::Rule;

/// Reported by the loader and the model phase, not by a pass over the mesh.
pub const RULE: Rule = Rule {
    name: "missing-field",
    code: Some("IST0106"),
    codes: &["IST0106"],
    severity: Severity::Error,
    summary: "a field that Istio or Kubernetes requires is absent",
    doc: include_str!("../../rules/missing-field.md"),
    check: None,
};
