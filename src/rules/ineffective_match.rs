use crate::diag::{Diagnostic, Severity};
use crate::rules::unreachable_route::{Emit, report};
use crate::rules::{Context, Rule};

/// One `match` entry of a route that is never used, while the route itself stays reachable
/// through its other entries. The analysis is `unreachable-route`'s.
pub const RULE: Rule = Rule {
    name: "ineffective-match",
    code: Some("IST0131"),
    codes: &["IST0131"],
    severity: Severity::Info,
    summary: "a `match` entry that never takes a request because an earlier match takes them all",
    doc: include_str!("../../rules/ineffective-match.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    report(cx, Emit::Ineffective, out);
}
