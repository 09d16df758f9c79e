use std::collections::{BTreeMap, BTreeSet};

use crate::diag::{Diagnostic, Severity};
use crate::mesh::{Protocol, ServiceId, WorkloadSource};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "gateway-port-not-on-service",
    code: Some("IST0162"),
    codes: &["IST0162"],
    severity: Severity::Warning,
    summary: "a Gateway server port that the Service in front of the gateway pods does not expose",
    doc: include_str!("../../rules/gateway-port-not-on-service.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (g, gw) in cx.model.gateways.iter().enumerate() {
        let workloads = &cx.mesh.gateway_workloads[g];
        if workloads.is_empty() {
            continue;
        }
        let services: BTreeSet<ServiceId> = workloads
            .iter()
            .flat_map(|&w| cx.mesh.services_selecting(w))
            .collect();
        let Some(&first_service) = services.first() else {
            // The Service in front of the gateway is not in the inputs: nothing to compare with.
            continue;
        };
        // Ports a server may listen on and still be reached through the Service: a Service port
        // (Istio translates it to its targetPort) or a targetPort (the pod port itself).
        let mut reachable: BTreeSet<u32> = BTreeSet::new();
        let mut shown: Vec<String> = Vec::new();
        for &s in &services {
            let svc = cx.mesh.service(s);
            for p in svc.ports.iter().filter(|p| p.protocol != Protocol::Udp) {
                reachable.insert(p.number);
                let mut targets: Vec<u32> = p.target_port.into_iter().collect();
                if let Some(name) = &p.target_port_name {
                    targets.extend(
                        workloads
                            .iter()
                            .filter_map(|&w| container_port(cx, w, name)),
                    );
                }
                reachable.extend(targets.iter().copied());
                let shown_targets: Vec<String> = targets.iter().map(u32::to_string).collect();
                shown.push(match shown_targets.as_slice() {
                    [] => p.number.to_string(),
                    [t] if *t == p.number.to_string() => t.clone(),
                    _ => format!("{}→{}", p.number, shown_targets.join("|")),
                });
            }
        }
        let names: Vec<String> = services
            .iter()
            .map(|&s| {
                let svc = cx.mesh.service(s);
                format!("{}/{}", svc.namespace, svc.name)
            })
            .collect();
        let selector: BTreeMap<&str, &str> = gw
            .spec
            .selector
            .iter()
            .map(|(k, v)| (k.as_str(), v.value.as_str()))
            .collect();
        let selector_text = selector
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",");
        for server in &gw.spec.servers {
            let Some(number) = server.port.as_ref().and_then(|p| p.number.as_ref()) else {
                continue;
            };
            if reachable.contains(&number.value) {
                continue;
            }
            let first = cx.mesh.service(first_service);
            out.push(
                Diagnostic::new(
                    &RULE,
                    number.loc,
                    format!(
                        "the gateway workloads ({selector_text}) are fronted by Service {}, which exposes ports {} but not {}: \
                         clients going through the Service cannot reach this server",
                        names.join(", "),
                        shown.join(", "),
                        number.value
                    ),
                )
                .help(format!(
                    "use one of the Service's ports or targetPorts ({}) for this server, or add port {} to the Service",
                    shown.join(", "),
                    number.value
                ))
                .related(first.loc, format!("Service {}/{}", first.namespace, first.name))
                .resource(Some(gw.resource_ref())),
            );
        }
    }
}

/// A named targetPort resolved against a pod's container ports.
fn container_port(cx: &Context<'_>, w: crate::mesh::WorkloadId, name: &str) -> Option<u32> {
    let WorkloadSource::Pod(i) = cx.mesh.workload(w).source else {
        return None;
    };
    cx.model.workloads[i]
        .spec
        .spec
        .containers
        .iter()
        .flat_map(|c| &c.ports)
        .find(|p| p.name.as_ref().is_some_and(|n| n.value == name))
        .and_then(|p| p.container_port.as_ref().map(|n| n.value))
}
