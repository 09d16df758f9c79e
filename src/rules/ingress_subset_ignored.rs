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
            // The subsets another VirtualService bound to the mesh sends this same host to (its
            // destinations for other hosts do not count: upstream compares the host too).
            let subsets_of = |o: usize| -> Vec<&str> {
                let Some(ov) = model.virtual_services.get(o) else { return Vec::new() };
                let mut names: Vec<&str> = destinations(&ov.spec)
                    .iter()
                    .filter(|od| od.host().is_some_and(|h| host::resolve(&h.value, ov.namespace()) == resolved))
                    .filter_map(|od| od.destination.subset.as_ref().map(|s| s.value.as_str()))
                    .filter(|s| !s.is_empty())
                    .collect();
                names.sort_unstable();
                names.dedup();
                names
            };
            let split = mesh.virtual_services_for_host(&resolved).iter().find_map(|&o| {
                let mesh_bound = o != i && mesh.virtual_services.get(o).is_some_and(|oi| oi.binds_mesh());
                let names = if mesh_bound { subsets_of(o) } else { Vec::new() };
                (!names.is_empty()).then_some((o, names))
            });
            let Some((other, subsets)) = split.and_then(|(o, n)| model.virtual_services.get(o).map(|v| (v, n))) else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    &RULE,
                    written.loc,
                    format!(
                        "VirtualService {}/{} routes {} by subset ({}) for requests from sidecars, but requests from \
                         gateway {gateway} are routed by this VirtualService only, and it names no subset: they reach \
                         every version of the service",
                        other.namespace(),
                        other.name(),
                        written.value,
                        subsets.join(", ")
                    ),
                )
                .help(match subsets.as_slice() {
                    [one] => format!("name `subset: {one}` here too, so that gateway traffic reaches the same version"),
                    _ => format!(
                        "name the subset here too (or split between {} with weights, as the mesh VirtualService does), \
                         so that gateway traffic reaches the same versions",
                        subsets.join(" and ")
                    ),
                })
                .related(other.loc(), "the mesh VirtualService with subsets")
                .resource(Some(vs.resource_ref())),
            );
        }
    }
}
