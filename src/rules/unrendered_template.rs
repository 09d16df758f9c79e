use crate::diag::Severity;
use crate::rules::Rule;

/// Reported by the loader, once per file.
pub const RULE: Rule = Rule {
    name: "unrendered-template",
    code: None,
    codes: &[],
    severity: Severity::Info,
    summary: "the file is an unrendered Helm template ({{ ... }}); render it with `helm template` first",
    doc: include_str!("../../rules/unrendered-template.md"),
    check: None,
};
