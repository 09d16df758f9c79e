use crate::diag::Severity;
use crate::rules::Rule;

/// Reported by the model phase: a document of a manifest that is a scalar or a sequence.
pub const RULE: Rule = Rule {
    name: "not-an-object",
    code: None,
    codes: &[],
    severity: Severity::Error,
    summary: "a document of a manifest is a scalar or a list, not an object; kubectl rejects the file",
    doc: include_str!("../../rules/not-an-object.md"),
    check: None,
};
