//! `outbound-policy-no-mode`: a Sidecar `outboundTrafficPolicy` without `mode` (Kiali KIA1007).
//! It falls back to `REGISTRY_ONLY`… or `ALLOW_ANY`, depending on the mesh config, which the
//! reader of the Sidecar cannot see.

use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "outbound-policy-no-mode",
    code: None,
    codes: &["KIA1007"],
    severity: Severity::Info,
    summary: "a Sidecar outboundTrafficPolicy without mode: the effective mode is not visible here",
    doc: include_str!("../../rules/outbound-policy-no-mode.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for sc in &cx.model.sidecars {
        let Some(policy) = sc.spec.outbound_traffic_policy.as_deref() else { continue };
        if policy.mode.as_ref().is_some_and(|m| !m.value.is_empty()) {
            continue;
        }
        out.push(
            Diagnostic::new(
                &RULE,
                policy.at,
                "`outboundTrafficPolicy` has no `mode`: Istio then uses REGISTRY_ONLY for a Sidecar policy, which may not \
                 be what the mesh-wide setting (often ALLOW_ANY) led you to expect",
            )
            .help("write `mode: REGISTRY_ONLY` or `mode: ALLOW_ANY` explicitly")
            .resource(Some(sc.resource_ref())),
        );
    }
}
