//! `delegate-not-found`: `http[].delegate` names a VirtualService that does not exist, is not a
//! delegate (it has hosts), or is not exported to the root's namespace. Istio
//! (`virtualservice_controller.go` `mergeVirtualServices`) then drops the root route silently —
//! only a log line — so requests that match it fall through to later routes or get 404 `NR`.

use std::collections::HashMap;

use crate::diag::{Diagnostic, Severity, did_you_mean};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "delegate-not-found",
    code: None,
    codes: &[],
    severity: Severity::Error,
    summary: "a route delegates to a VirtualService that does not exist or is not visible",
    doc: include_str!("../../rules/delegate-not-found.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let (model, mesh) = (cx.model, cx.mesh);
    let mut names_by_ns: HashMap<String, Vec<&str>> = HashMap::new();
    for vs in &model.virtual_services {
        let root_ns = vs.namespace();
        for (r, route) in vs.spec.http.iter().enumerate() {
            let Some(delegate) = &route.delegate else {
                continue;
            };
            let Some(name) = delegate.name.as_ref().filter(|n| !n.value.is_empty()) else {
                continue;
            };
            let ns = delegate
                .namespace
                .as_ref()
                .map_or(root_ns, |n| n.value.as_str());
            let target = format!("{ns}/{}", name.value);
            let diagnostic = match mesh.virtual_service_by_name(ns, &name.value) {
                None => {
                    let names = names_by_ns
                        .entry(ns.to_string())
                        .or_insert_with(|| mesh.virtual_service_names_in(ns));
                    let help = match did_you_mean(&name.value, names.iter().copied()) {
                        Some(s) => format!("did you mean \"{s}\"?"),
                        None => format!(
                            "create VirtualService {target} without hosts (a delegate), or fix the name{}",
                            if delegate.namespace.is_none() {
                                format!(
                                    " (without `namespace`, the delegate is looked up in {root_ns})"
                                )
                            } else {
                                String::new()
                            }
                        ),
                    };
                    Diagnostic::new(
                        &RULE,
                        name.loc,
                        format!("http[{r}] delegates to VirtualService {target}, which does not exist: Istio drops this route"),
                    )
                    .help(help)
                }
                Some(idx) => {
                    let info = &mesh.virtual_services[idx];
                    let target_res = &model.virtual_services[idx];
                    if !info.is_delegate {
                        Diagnostic::new(
                            &RULE,
                            name.loc,
                            format!(
                                "http[{r}] delegates to VirtualService {target}, which has hosts and so is not a delegate: Istio drops this route"
                            ),
                        )
                        .help(format!("remove `hosts` (and `gateways`) from {target}, or delegate to a host-less VirtualService"))
                        .related(target_res.loc(), format!("VirtualService {target} is defined here"))
                    } else if ns != root_ns && !info.export_to.visible_to(root_ns) {
                        Diagnostic::new(
                            &RULE,
                            name.loc,
                            format!(
                                "http[{r}] delegates to VirtualService {target}, which is not exported to namespace {root_ns}: Istio drops this route"
                            ),
                        )
                        .help(format!("add {root_ns} to the exportTo of {target}"))
                        .related(target_res.loc(), format!("VirtualService {target} is defined here"))
                    } else {
                        continue;
                    }
                }
            };
            out.push(diagnostic.resource(Some(vs.resource_ref())));
        }
    }
}
