use crate::diag::Severity;
use crate::rules::Rule;

/// Reported by the engine once every other finding is known (`engine::filter`).
pub const RULE: Rule = Rule {
    name: "unused-suppression",
    code: None,
    codes: &[],
    severity: Severity::Info,
    summary: "a suppression (annotation or .meshlint.yaml entry) that suppresses no finding",
    doc: include_str!("../../rules/unused-suppression.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = None;
