//! `wildcard-destination`: a route or mirror destination host that only a wildcard ServiceEntry
//! covers (`storage.googleapis.com` under `*.googleapis.com`). istioctl accepts it (IST0101 counts
//! wildcard coverage), but Istio names the route's cluster after the destination host as written
//! (`route.go` `GetDestinationCluster`; `networkfilter.go` for TCP and TLS) and builds clusters
//! per service host only (`outbound|443||*.googleapis.com`), so the route points at a cluster that
//! does not exist: 503 `NC` for HTTP, a closed connection for TCP and TLS (istio/istio#49482).

use crate::diag::{Diagnostic, Severity};
use crate::mesh::routes::destinations;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "wildcard-destination",
    code: None,
    codes: &[],
    severity: Severity::Warning,
    summary: "a destination host that only a wildcard ServiceEntry covers: Istio has no cluster for it",
    doc: include_str!("../../rules/wildcard-destination.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (i, vs) in cx.model.virtual_services.iter().enumerate() {
        let ns = vs.namespace();
        let scopes = cx.mesh.vs_scope_namespaces(cx.model, i);
        for d in destinations(&vs.spec) {
            let Some(written) = d.host() else { continue };
            let found = cx.mesh.lookup_host(&written.value, ns, &scopes);
            let Some(id) = found.wildcard_only(cx.mesh) else {
                continue;
            };
            let svc = cx.mesh.service(id);
            let what = if d.role.is_mirror() { "mirror" } else { "route" };
            out.push(
                Diagnostic::new(
                    &RULE,
                    written.loc,
                    format!(
                        "host {} is covered only by the wildcard host {} of {}: Istio names this {what}'s cluster after the host as written, but builds clusters only for service hosts, so there is no cluster for it (503 NC, or a closed connection for TCP and TLS)",
                        found.host,
                        svc.host,
                        svc.describe()
                    ),
                )
                .help(format!(
                    "route to host \"{}\" (the wildcard's cluster), or add a ServiceEntry for {}",
                    svc.host, found.host
                ))
                .related(svc.loc, format!("wildcard host {} is defined here", svc.host))
                .resource(Some(vs.resource_ref())),
            );
        }
    }
}
