//! `envoyfilter-remove-operation`: a `REMOVE` patch of `ROUTE_CONFIGURATION` or `HTTP_ROUTE`
//! (istioctl `envoyfilter.EnvoyPatchAnalyzer`, IST0154 `EnvoyFilterUsesRemoveOperationIncorrectly`).

use crate::diag::{Diagnostic, Severity};
use crate::rules::envoyfilter_relative_operation::{PatchFinding, report};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "envoyfilter-remove-operation",
    code: Some("IST0154"),
    codes: &["IST0154"],
    severity: Severity::Error,
    summary: "an EnvoyFilter REMOVE patch of ROUTE_CONFIGURATION or HTTP_ROUTE: it is ignored",
    doc: include_str!("../../rules/envoyfilter-remove-operation.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    report(
        cx,
        &RULE,
        PatchFinding::Remove,
        |_, apply_to| format!("REMOVE is ignored when applyTo is {apply_to}: the patch has no effect"),
        "drop the routes from the VirtualService that defines them instead",
        out,
    );
}
