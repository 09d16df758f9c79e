//! `ingress-subset-ignored`: a gateway VirtualService routes to a host without subset while the
//! mesh VirtualService of that host splits it by subset (istioctl
//! `virtualservice.DestinationHostAnalyzer`, IST0140 `IngressRouteRulesNotAffected`).

use crate::diag::{Diagnostic, Severity};
use crate::mesh::routes::destinations;
use crate::mesh::{GatewayRef, host};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "ingress-subset-ignored",
    code: Some("IST0140"),
    codes: &["IST0140"],
    severity: Severity::Warning,
    summary: "a gateway route without subset to a host whose mesh VirtualService routes by subset: the gateway's requests bypass that routing",
    doc: include_str!("../../rules/ingress-subset-ignored.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let (model, mesh) = (cx.model, cx.mesh);
    for (i, vs) in model.virtual_services.iter().enumerate() {
        let Some(info) = mesh.virtual_services.get(i) else { continue };
        let Some((gateway, _)) = info.gateways.iter().find(|(g, _)| *g != GatewayRef::Mesh) else {
            continue;
        };
        for d in destinations(&vs.spec) {
            let Some(written) = d.host() else { continue };
            if d.destination.subset.as_ref().is_some_and(|s| !s.value.is_empty()) {
                continue;
            }
            let resolved = host::resolve(&written.value, vs.namespace());
            let split = mesh.virtual_services_for_host(&resolved).iter().find(|&&o| {
                o != i
                    && mesh.virtual_services.get(o).is_some_and(|oi| oi.binds_mesh())
                    && model.virtual_services.get(o).is_some_and(|ov| {
                        destinations(&ov.spec)
                            .iter()
                            .any(|od| od.destination.subset.as_ref().is_some_and(|s| !s.value.is_empty()))
                    })
            });
            let Some(other) = split.and_then(|&o| model.virtual_services.get(o)) else { continue };
            out.push(
                Diagnostic::new(
                    &RULE,
                    written.loc,
                    format!(
                        "VirtualService {}/{} splits {} by subset for the mesh, but requests from gateway {gateway} are routed \
                         by this VirtualService, which names no subset: they reach every version of the service",
                        other.namespace(),
                        other.name(),
                        written.value
                    ),
                )
                .help("add the `subset` here too, or bind the mesh VirtualService to the gateway as well")
                .related(other.loc(), "the mesh VirtualService with subsets")
                .resource(Some(vs.resource_ref())),
            );
        }
    }
}
