//! `port-not-found`: `destination.port.number` is not a port of the destination service
//! (istioctl `virtualservice.DestinationHostAnalyzer`, IST0101 "host:port"). Istio builds the
//! cluster name from that port; no such cluster exists, so requests fail with 503 `NC`.

use crate::diag::{Diagnostic, Severity};
use crate::mesh::routes::destinations;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "port-not-found",
    code: Some("IST0101"),
    codes: &["IST0101"],
    severity: Severity::Error,
    summary: "a destination port that the destination service does not expose",
    doc: include_str!("../../rules/port-not-found.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let (model, mesh) = (cx.model, cx.mesh);
    for (i, vs) in model.virtual_services.iter().enumerate() {
        let scopes = mesh.vs_scope_namespaces(model, i);
        for d in destinations(&vs.spec) {
            let (Some(written), Some(port)) = (
                d.host(),
                d.destination.port.as_ref().and_then(|p| p.number.as_ref()),
            ) else {
                continue;
            };
            let found = mesh.lookup_host(&written.value, vs.namespace(), &scopes);
            // Unknown hosts are `unknown-host`'s; a service without declared ports tells nothing.
            let services: Vec<_> = found.visible.iter().map(|&id| mesh.service(id)).collect();
            if services.is_empty() || services.iter().any(|s| s.ports.is_empty()) {
                continue;
            }
            if services
                .iter()
                .any(|s| s.ports.iter().any(|p| p.number == port.value))
            {
                continue;
            }
            let svc = services[0];
            let ports = svc.port_numbers();
            let listed = ports
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            let help = if ports.len() == 1 {
                format!("use port {listed}, the port of {}", svc.describe())
            } else {
                format!("use one of the ports of {}: {listed}", svc.describe())
            };
            let named: Vec<String> = svc
                .ports
                .iter()
                .map(|p| {
                    if p.name.is_empty() {
                        p.number.to_string()
                    } else {
                        format!("{} ({})", p.number, p.name)
                    }
                })
                .collect();
            out.push(
                Diagnostic::new(
                    &RULE,
                    port.loc,
                    format!(
                        "port {} is not a port of {} (it exposes {}): the route points at a cluster that does not exist",
                        port.value,
                        svc.describe(),
                        named.join(", ")
                    ),
                )
                .help(help)
                .related(svc.ports[0].loc, format!("the ports of {}", svc.describe()))
                .resource(Some(vs.resource_ref())),
            );
        }
    }
}
