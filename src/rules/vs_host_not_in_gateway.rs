use crate::diag::{Diagnostic, Severity};
use crate::mesh::{GatewayRef, ServerHost};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "vs-host-not-in-gateway",
    code: Some("IST0132"),
    codes: &["IST0132"],
    severity: Severity::Warning,
    summary: "a VirtualService host that no server of its gateway accepts, so it has no effect there",
    doc: include_str!("../../rules/vs-host-not-in-gateway.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

/// The hosts a bound gateway accepts: the Istio Gateway's server hosts, or a Gateway API
/// Gateway's listener hostnames. `None` when the gateway is not in the inputs (`unknown-gateway`
/// reports that).
fn gateway_servers<'m>(cx: &Context<'m>, gref: &GatewayRef) -> Option<Vec<&'m [ServerHost]>> {
    if let Some(gw) = cx.mesh.gateway(gref) {
        return Some(
            cx.mesh.gateway_hosts[gw]
                .iter()
                .map(Vec::as_slice)
                .collect(),
        );
    }
    // A Gateway API Gateway: its listeners as one server.
    cx.mesh
        .k8s_gateway(gref)
        .map(|k| vec![cx.mesh.k8s_gateway_hosts[k].as_slice()])
}

fn written(sh: &ServerHost) -> String {
    match &sh.namespace {
        Some(ns) => format!("{ns}/{}", sh.host),
        None => sh.host.clone(),
    }
}

fn list(hosts: &[&ServerHost]) -> String {
    if hosts.is_empty() {
        return "no hosts".to_string();
    }
    let mut names: Vec<String> = hosts.iter().map(|h| written(h)).collect();
    names.dedup();
    const MAX: usize = 6;
    if names.len() > MAX {
        let more = names.len() - MAX;
        names.truncate(MAX);
        names.push(format!("and {more} more"));
    }
    names.join(", ")
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (i, info) in cx.mesh.virtual_services.iter().enumerate() {
        if info.is_delegate {
            continue;
        }
        let vs = &cx.model.virtual_services[i];
        let ns = vs.namespace();
        let accepted = |servers: &[&[ServerHost]], h: &str| {
            servers.iter().any(|s| cx.mesh.server_accepts(s, ns, h))
        };
        // Per bound gateway that exists: its servers, and whether it takes any host of this VS.
        let mut bound: Vec<(GatewayRef, Vec<&[ServerHost]>, bool)> = Vec::new();
        let mut unknown_gateway = false;
        for (gref, at) in &info.gateways {
            if *gref == GatewayRef::Mesh {
                continue;
            }
            let Some(servers) = gateway_servers(cx, gref) else {
                unknown_gateway = true;
                continue;
            };
            let any = info.hosts.iter().any(|h| accepted(&servers, h));
            let hosts: Vec<&ServerHost> = servers.iter().copied().flatten().collect();
            if !any {
                let message = format!(
                    "no host of this VirtualService ({}) is accepted by gateway {gref}, whose servers accept {}: \
                     the VirtualService has no effect on that gateway",
                    vs.spec
                        .hosts
                        .iter()
                        .map(|h| h.value.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    list(&hosts),
                );
                let mut d = Diagnostic::new(&RULE, at.unwrap_or(vs.loc()), message)
                    .help(format!(
                        "add the VirtualService's host to a server of gateway {gref} (as `{ns}/<host>` or `*/<host>`), or bind the VirtualService to the gateway that serves it"
                    ))
                    .resource(Some(vs.resource_ref()));
                if let Some(first) = hosts.first() {
                    d = d.related(first.loc, format!("hosts of gateway {gref}"));
                }
                out.push(d);
            }
            bound.push((gref.clone(), servers, any));
        }
        // A host that none of the bound gateways takes, while they take other hosts of this VS
        // (for sidecars, a VS bound to `mesh` may rightly list hosts no gateway serves).
        if info.binds_mesh() || unknown_gateway || !bound.iter().any(|(_, _, any)| *any) {
            continue;
        }
        for (k, h) in info.hosts.iter().enumerate() {
            if bound.iter().any(|(_, servers, _)| accepted(servers, h)) {
                continue;
            }
            let Some(written_host) = vs.spec.hosts.get(k) else {
                continue;
            };
            let names: Vec<String> = bound.iter().map(|(g, _, _)| g.to_string()).collect();
            let message = format!(
                "host {} is not accepted by any server of gateway {}, so this VirtualService never routes it there",
                written_host.value,
                names.join(", ")
            );
            out.push(
                Diagnostic::new(&RULE, written_host.loc, message)
                    .help("remove the host, or add it to a server of the gateway")
                    .resource(Some(vs.resource_ref())),
            );
        }
    }
}
