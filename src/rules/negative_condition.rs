//! `negative-condition`: a resource whose `status` (kept in the manifest, e.g. exported from a
//! cluster) carries an Istio condition that is false, or a `PartiallyInvalid` one (istioctl
//! `conditions.ConditionAnalyzer`, IST0171 `NegativeConditionStatus`). Conditions of other
//! controllers (types with a domain other than `istio.io/`) are ignored.

use crate::diag::{Diagnostic, Severity};
use crate::model::Res;
use crate::model::other::Condition;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "negative-condition",
    code: Some("IST0171"),
    codes: &["IST0171"],
    severity: Severity::Warning,
    summary: "a status condition that Istio reported as failed",
    doc: include_str!("../../rules/negative-condition.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn negative(c: &Condition) -> bool {
    let Some(t) = c.condition_type.as_ref() else { return false };
    if t.value.contains('/') && !t.value.starts_with("istio.io/") {
        return false;
    }
    c.status.as_ref().is_some_and(|s| s.value == "False")
        || c.reason.as_ref().is_some_and(|r| r.value == "PartiallyInvalid")
}

fn report<T>(res: &Res<T>, out: &mut Vec<Diagnostic>) {
    let Some(status) = res.meta.status.as_ref() else { return };
    let all = status
        .conditions
        .iter()
        .chain(status.parents.iter().flat_map(|p| p.conditions.iter()));
    for c in all.filter(|c| negative(c)) {
        let text = |v: &Option<crate::model::Spanned<String>>| {
            v.as_ref().map_or("", |s| s.value.as_str()).to_string()
        };
        let loc = c.status.as_ref().map_or(c.at, |s| s.loc);
        out.push(
            Diagnostic::new(
                &RULE,
                loc,
                format!(
                    "the status says {} is {} (reason {}): {}",
                    text(&c.condition_type),
                    text(&c.status),
                    text(&c.reason),
                    text(&c.message)
                ),
            )
            .help("the controller rejected part of this resource: fix what the message names and re-apply")
            .resource(Some(res.resource_ref())),
        );
    }
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    m.services.iter().for_each(|r| report(r, out));
    m.service_entries.iter().for_each(|r| report(r, out));
    m.workload_entries.iter().for_each(|r| report(r, out));
    m.authorization_policies.iter().for_each(|r| report(r, out));
    m.k8s_gateways.iter().for_each(|r| report(r, out));
    m.http_routes.iter().for_each(|r| report(r, out));
    m.grpc_routes.iter().for_each(|r| report(r, out));
}
