//! `port-required`: a destination without `port` whose service exposes several ports
//! (istioctl `virtualservice.DestinationHostAnalyzer`, IST0112
//! `VirtualServiceDestinationPortSelectorRequired`). Without a port Istio uses the port the
//! request arrived on (`GetDestinationCluster`): on a gateway that is the gateway's listener port,
//! rarely a port of the service.
//!
//! Not reported for a mesh-only VirtualService routing to one of its own hosts: there the listener
//! port is always a port of that very service, so each port routes to itself.

use crate::diag::{Diagnostic, Severity};
use crate::mesh::routes::destinations;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "port-required",
    code: Some("IST0112"),
    codes: &["IST0112"],
    severity: Severity::Error,
    summary: "a destination without port to a service that exposes several ports",
    doc: include_str!("../../rules/port-required.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let (model, mesh) = (cx.model, cx.mesh);
    for (i, vs) in model.virtual_services.iter().enumerate() {
        let info = &mesh.virtual_services[i];
        let mesh_only = info
            .gateways
            .iter()
            .all(|(g, _)| *g == crate::mesh::GatewayRef::Mesh);
        let scopes = mesh.vs_scope_namespaces(model, i);
        for d in destinations(&vs.spec) {
            let Some(written) = d.host() else { continue };
            if d.destination
                .port
                .as_ref()
                .is_some_and(|p| p.number.is_some())
            {
                continue;
            }
            let found = mesh.lookup_host(&written.value, vs.namespace(), &scopes);
            let Some(&first) = found.visible.first() else {
                continue;
            };
            let svc = mesh.service(first);
            let ports = svc.port_numbers();
            if ports.len() < 2 {
                continue;
            }
            if mesh_only && info.hosts.contains(&found.host) {
                continue;
            }
            let listed = ports
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            let arrival = if mesh_only {
                "the port the request arrived on"
            } else {
                "the gateway's listener port"
            };
            out.push(
                Diagnostic::new(
                    &RULE,
                    written.loc,
                    format!(
                        "{} exposes several ports ({listed}) and this destination names none: Istio then sends to {arrival}, which may not be a port of the service",
                        svc.describe()
                    ),
                )
                .help(format!("add `port: {{number: N}}` with one of {listed}"))
                .related(svc.ports[0].loc, format!("the ports of {}", svc.describe()))
                .resource(Some(vs.resource_ref())),
            );
        }
    }
}
