//! `envoyfilter-add-operation`: an `ADD` patch to `ROUTE_CONFIGURATION` or `HTTP_ROUTE` (istioctl
//! `envoyfilter.EnvoyPatchAnalyzer`, IST0153 `EnvoyFilterUsesAddOperationIncorrectly`).

use crate::diag::{Diagnostic, Severity};
use crate::rules::envoyfilter_relative_operation::{PatchFinding, report};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "envoyfilter-add-operation",
    code: Some("IST0153"),
    codes: &["IST0153"],
    severity: Severity::Error,
    summary: "an EnvoyFilter ADD patch to ROUTE_CONFIGURATION or HTTP_ROUTE: it is ignored",
    doc: include_str!("../../rules/envoyfilter-add-operation.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    report(
        cx,
        &RULE,
        PatchFinding::Add,
        |_, apply_to| format!("ADD is ignored when applyTo is {apply_to}: the patch has no effect"),
        "use MERGE on ROUTE_CONFIGURATION, or INSERT_BEFORE/INSERT_AFTER/INSERT_FIRST on HTTP_ROUTE",
        out,
    );
}
