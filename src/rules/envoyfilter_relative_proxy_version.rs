//! `envoyfilter-relative-proxy-version`: a relative patch without `priority` on a filter that an
//! earlier patch with `proxyVersion` also targets (istioctl `envoyfilter.EnvoyPatchAnalyzer`,
//! IST0155 `EnvoyFilterUsesRelativeOperationWithProxyVersion`).

use crate::diag::{Diagnostic, Severity};
use crate::rules::envoyfilter_relative_operation::{PatchFinding, report};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "envoyfilter-relative-proxy-version",
    code: Some("IST0155"),
    codes: &["IST0155"],
    severity: Severity::Warning,
    summary: "a relative EnvoyFilter patch without priority on a filter that a proxyVersion-bound patch also targets",
    doc: include_str!("../../rules/envoyfilter-relative-proxy-version.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    report(
        cx,
        &RULE,
        PatchFinding::RelativeWithProxyVersion,
        |op, _| {
            format!(
                "{op} is relative, this EnvoyFilter has no `priority`, and an earlier patch with `proxyVersion` targets \
                 the same filter: after an upgrade the proxy version no longer matches, the order changes, and this patch \
                 may silently stop applying"
            )
        },
        "set `priority` on the EnvoyFilter, or use an absolute operation (INSERT_FIRST, ADD)",
        out,
    );
}
