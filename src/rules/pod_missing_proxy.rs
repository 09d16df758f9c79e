//! `pod-missing-proxy`: a Pod in an injected namespace without the `istio-proxy` container
//! (istioctl `injection.Analyzer`, IST0103 `PodMissingProxy`). Only Pods (as `kubectl get` dumps
//! them) are checked: pod templates never hold the sidecar, which is injected at admission.

use crate::diag::{Diagnostic, Severity};
use crate::mesh::injection::namespace_injects;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "pod-missing-proxy",
    code: Some("IST0103"),
    codes: &["IST0103"],
    severity: Severity::Warning,
    summary: "a Pod in an injected namespace that has no istio-proxy container",
    doc: include_str!("../../rules/pod-missing-proxy.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let model = cx.model;
    let injecting: std::collections::HashSet<&str> = model
        .namespaces
        .iter()
        .filter(|ns| namespace_injects(model, ns))
        .map(|ns| ns.name())
        .collect();
    for w in &model.workloads {
        if w.kind() != "Pod" || !injecting.contains(w.namespace()) {
            continue;
        }
        let setting = w
            .meta
            .labels
            .get("sidecar.istio.io/inject")
            .or(w.meta.annotations.get("sidecar.istio.io/inject"));
        if setting.is_some_and(|v| v.value.eq_ignore_ascii_case("false"))
            || w.spec.spec.host_network == Some(true)
        {
            continue;
        }
        if w
            .spec
            .spec
            .containers
            .iter()
            .chain(w.spec.spec.init_containers.iter())
            .any(|c| c.name.as_ref().is_some_and(|n| n.value == "istio-proxy"))
        {
            continue;
        }
        out.push(
            Diagnostic::new(
                &RULE,
                w.loc(),
                format!(
                    "pod {} runs in namespace {}, which is labelled for injection, but has no istio-proxy container: it \
                     was probably created before the label or the injector was there",
                    w.name(),
                    w.namespace()
                ),
            )
            .help("restart the workload (kubectl rollout restart) so the injector adds the sidecar")
            .resource(Some(w.resource_ref())),
        );
    }
}
