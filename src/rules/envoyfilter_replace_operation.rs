//! `envoyfilter-replace-operation`: a `REPLACE` patch on something REPLACE does not apply to
//! (istioctl `envoyfilter.EnvoyPatchAnalyzer`, IST0152 `EnvoyFilterUsesReplaceOperationIncorrectly`).

use crate::diag::{Diagnostic, Severity};
use crate::rules::envoyfilter_relative_operation::{PatchFinding, report};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "envoyfilter-replace-operation",
    code: Some("IST0152"),
    codes: &["IST0152"],
    severity: Severity::Error,
    summary: "an EnvoyFilter REPLACE patch on something other than an HTTP or network filter or a virtual host: it is ignored",
    doc: include_str!("../../rules/envoyfilter-replace-operation.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    report(
        cx,
        &RULE,
        PatchFinding::Replace,
        |_, apply_to| {
            format!(
                "REPLACE applies to HTTP_FILTER, NETWORK_FILTER and VIRTUAL_HOST only; on {} the patch is ignored",
                if apply_to.is_empty() { "this applyTo" } else { apply_to }
            )
        },
        "use MERGE to change the object, or REMOVE then ADD",
        out,
    );
}
