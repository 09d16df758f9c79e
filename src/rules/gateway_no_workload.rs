use crate::diag::{self, Diagnostic, Severity, Subject};
use crate::mesh::{Labels, WorkloadId};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "gateway-no-workload",
    code: Some("IST0101"),
    codes: &["IST0101", "KIA0302"],
    severity: Severity::Error,
    summary: "a Gateway whose selector matches none of the gateway workloads in the inputs",
    doc: include_str!("../../rules/gateway-no-workload.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn labels_text(labels: &Labels) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // The gateway deployments of the inputs; the ingress gateway is usually installed apart from
    // the application manifests, so its absence alone proves nothing.
    let gateways: Vec<WorkloadId> = (0..cx.mesh.workloads.len() as u32)
        .map(WorkloadId)
        .filter(|&id| cx.mesh.is_gateway_workload(cx.model, id))
        .collect();
    for (g, gw) in cx.model.gateways.iter().enumerate() {
        if gw.spec.selector.is_empty() || !cx.mesh.gateway_workloads[g].is_empty() {
            continue;
        }
        let selector: Labels = gw
            .spec
            .selector
            .iter()
            .map(|(k, v)| (k.clone(), v.value.clone()))
            .collect();
        // Without gateway deployments in the inputs, only a selector that picks application
        // pods proves something (the gateway is usually installed apart from the apps).
        if gateways.is_empty() && cx.mesh.select_in_any_namespace(&selector).is_empty() {
            continue;
        }
        // Point at the first label no gateway workload carries.
        let missing = gw.spec.selector.iter().find(|(k, v)| {
            !gateways
                .iter()
                .any(|&id| cx.mesh.workload(id).labels.get(*k) == Some(&v.value))
        });
        let loc = missing
            .or_else(|| gw.spec.selector.iter().next())
            .map_or(gw.loc(), |(_, v)| v.loc);
        // Application pods the selector matches: they run no gateway proxy (class 11 of #11).
        let apps: Vec<String> = cx
            .mesh
            .select_in_any_namespace(&selector)
            .into_iter()
            .map(|id| {
                let w = cx.mesh.workload(id);
                format!("{}/{}", w.namespace, w.name)
            })
            .collect();
        let known: Vec<String> = gateways
            .iter()
            .map(|&id| {
                let w = cx.mesh.workload(id);
                format!("{}/{} ({})", w.namespace, w.name, labels_text(&w.labels))
            })
            .collect();
        let mut help = format!(
            "make the selector match the labels of a gateway deployment: {}",
            known.join("; ")
        );
        if let Some((k, v)) = missing {
            let values: Vec<&str> = gateways
                .iter()
                .filter_map(|&id| cx.mesh.workload(id).labels.get(k).map(String::as_str))
                .collect();
            if let Some(suggestion) = diag::did_you_mean(&v.value, values) {
                help = format!(
                    "did you mean {k}: {suggestion}? Gateway deployments in the inputs: {}",
                    known.join("; ")
                );
            }
        }
        out.push(
            Diagnostic::new(
                &RULE,
                loc,
                if apps.is_empty() {
                    format!(
                        "no workload in the inputs has the labels {}, so this Gateway configures no proxy and its servers accept no traffic",
                        labels_text(&selector)
                    )
                } else {
                    format!(
                        "the labels {} select only application pods ({}), which run no gateway proxy: this Gateway configures no proxy and its servers accept no traffic",
                        labels_text(&selector),
                        apps.join(", ")
                    )
                },
            )
            .help(help)
            .resource(Some(gw.resource_ref()))
            .subject(Subject::Workload {
                namespace: None,
                labels: selector.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            }),
        );
    }
}
