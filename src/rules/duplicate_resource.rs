use crate::diag::Severity;
use crate::rules::Rule;

/// Reported by the model phase, which keeps one object per identity (the later definition).
pub const RULE: Rule = Rule {
    name: "duplicate-resource",
    code: None,
    codes: &[],
    severity: Severity::Error,
    summary: "two documents define the same object (kind, namespace, name); the one applied last replaces the other",
    doc: include_str!("../../rules/duplicate-resource.md"),
    check: None,
};
