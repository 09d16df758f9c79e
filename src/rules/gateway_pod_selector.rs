//! `gateway-pod-selector`: a policy whose `selector` picks the pods of a Gateway API Gateway,
//! where Istio ignores selectors (istioctl `k8sgateway.SelectorAnalyzer`, IST0166
//! `IneffectiveSelector`). Policies with `targetRef(s)` are not reported.

use crate::diag::{Diagnostic, Severity};
use crate::mesh::workloads::labels_of;
use crate::model::Res;
use crate::model::networking::WorkloadSelector;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "gateway-pod-selector",
    code: Some("IST0166"),
    codes: &["IST0166"],
    severity: Severity::Warning,
    summary: "a policy selects Gateway API gateway pods by label, which Istio ignores: use targetRefs",
    doc: include_str!("../../rules/gateway-pod-selector.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

const GATEWAY_NAME: &str = "gateway.networking.k8s.io/gateway-name";

fn one<T>(
    cx: &Context<'_>,
    res: &Res<T>,
    selector: Option<&WorkloadSelector>,
    targeted: bool,
    out: &mut Vec<Diagnostic>,
) {
    let Some(sel) = selector.filter(|s| !s.match_labels.is_empty()) else { return };
    if targeted {
        return;
    }
    let picked = cx.mesh.select(res.namespace(), &labels_of(&sel.match_labels));
    let Some(gw) = picked
        .iter()
        .find_map(|&w| cx.mesh.workload(w).labels.get(GATEWAY_NAME).cloned())
    else {
        return;
    };
    out.push(
        Diagnostic::new(
            &RULE,
            sel.at,
            format!(
                "this selector picks the pods of Gateway API Gateway {gw}, and Istio ignores label selectors on those: \
                 the {} has no effect there",
                res.kind()
            ),
        )
        .help(format!(
            "replace `selector` by `targetRefs: [{{group: gateway.networking.k8s.io, kind: Gateway, name: {gw}}}]`"
        ))
        .resource(Some(res.resource_ref())),
    );
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for r in &m.authorization_policies {
        let t = r.spec.target_ref.is_some() || !r.spec.target_refs.is_empty();
        one(cx, r, r.spec.selector.as_ref(), t, out);
    }
    for r in &m.request_authentications {
        let t = r.spec.target_ref.is_some() || !r.spec.target_refs.is_empty();
        one(cx, r, r.spec.selector.as_ref(), t, out);
    }
    for r in &m.telemetries {
        let t = r.spec.target_ref.is_some() || !r.spec.target_refs.is_empty();
        one(cx, r, r.spec.selector.as_ref(), t, out);
    }
    for r in &m.wasm_plugins {
        let t = r.spec.target_ref.is_some() || !r.spec.target_refs.is_empty();
        one(cx, r, r.spec.selector.as_ref(), t, out);
    }
}
