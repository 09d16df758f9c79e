//! `mtls-mismatch`: what a client sends and what the server accepts cannot meet (Kiali KIA0208,
//! KIA0505, KIA0501, KIA0401, KIA0204; the "503 after adding a DestinationRule" of Istio's
//! network-issues page). Computed from the effective mTLS of `mesh::mtls`, per service, port,
//! endpoint and client namespace, and reported once on the resource at fault (the
//! DestinationRule whose TLS setting, or lack of one, decides; else the PeerAuthentication)
//! with the client namespaces affected.
//!
//! Client namespaces are the service's own, every namespace holding a DestinationRule for the
//! host (exact or wildcard), and "any other namespace" (which follows the service's and the root
//! namespace's exported rules): the lookup gives the same answer for every other namespace, so
//! the pass stays linear in services × endpoints. Within a named namespace, the workloads that a
//! `workloadSelector` DestinationRule for the host selects are a client group of their own
//! (they take that rule), and the namespace's other sidecar workloads another.

use std::collections::BTreeMap;

use crate::diag::{Diagnostic, Severity};
use crate::mesh::mtls::{Caller, ClientMode, ClientOrigin, MtlsScope, ServerMode};
use crate::mesh::{Injection, ServiceSource, host};
use crate::rules::{Context, Rule};
use crate::source::Loc;

pub const RULE: Rule = Rule {
    name: "mtls-mismatch",
    code: None,
    codes: &["KIA0208", "KIA0505", "KIA0501", "KIA0401", "KIA0204"],
    severity: Severity::Error,
    summary: "a client's TLS setting and the server's mTLS mode cannot talk (connections fail with 503)",
    doc: include_str!("../../rules/mtls-mismatch.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

/// A placeholder namespace for "a client in any namespace that has no rule of its own".
const OTHER: &str = "\u{0}other";

#[derive(Default)]
struct Finding {
    loc: Option<Loc>,
    resource: Option<crate::diag::ResourceRef>,
    cause: String,
    help: String,
    related: Vec<(Loc, String)>,
    clients: Vec<String>,
    targets: Vec<String>,
}

fn add(list: &mut Vec<String>, s: &str) {
    if !list.iter().any(|x| x == s) {
        list.push(s.to_string());
    }
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let (model, mesh) = (cx.model, cx.mesh);
    if model.peer_authentications.is_empty() && model.destination_rules.is_empty() {
        return;
    }
    // Namespaces with sidecar workloads (possible clients, with how many), and those with
    // wildcard DRs.
    let mut client_namespaces: Vec<(&str, usize)> = Vec::new();
    {
        let mut all: Vec<&str> = mesh
            .workloads
            .iter()
            .filter(|w| w.injection == Injection::Injected)
            .map(|w| w.namespace.as_str())
            .collect();
        all.sort_unstable();
        for ns in all {
            match client_namespaces.last_mut() {
                Some((last, n)) if *last == ns => *n += 1,
                _ => client_namespaces.push((ns, 1)),
            }
        }
    }
    let is_client_ns = |ns: &str| {
        client_namespaces
            .binary_search_by(|(n, _)| (*n).cmp(ns))
            .is_ok()
    };
    let mut wildcard_dr_namespaces: Vec<&str> = model
        .destination_rules
        .iter()
        .enumerate()
        .filter(|(i, _)| host::is_wildcard(&mesh.destination_rules[*i].host))
        .map(|(_, d)| d.namespace())
        .collect();
    wildcard_dr_namespaces.sort_unstable();
    wildcard_dr_namespaces.dedup();

    let mut findings: BTreeMap<(u32, u32, String), Finding> = BTreeMap::new();
    for (sid, svc) in mesh.services.iter().enumerate() {
        let sid = crate::mesh::ServiceId(sid as u32);
        if !matches!(svc.source, ServiceSource::Kubernetes(_)) || svc.external {
            continue;
        }
        let Some(endpoints) = mesh.endpoints(sid) else {
            continue;
        };
        if endpoints.is_empty() {
            continue;
        }
        // A DestinationRule of any kind (a `workloadSelector` one included) makes its namespace
        // a named client namespace.
        let mut namespaces: Vec<&str> = vec![svc.namespace.as_str()];
        for &dr in mesh.destination_rules_for_host(&svc.host) {
            let ns = model.destination_rules[dr].namespace();
            if !namespaces.contains(&ns) {
                namespaces.push(ns);
            }
        }
        for &ns in &wildcard_dr_namespaces {
            if !namespaces.contains(&ns) {
                namespaces.push(ns);
            }
        }
        namespaces.retain(|ns| is_client_ns(ns));
        let named = namespaces.len();
        let callers = client_groups(cx, &namespaces, &client_namespaces, svc);
        // `namespaces` holds distinct client namespaces: any left over are "other" clients.
        let mut groups = callers;
        if client_namespaces.len() > named {
            let others: Vec<&str> = client_namespaces
                .iter()
                .map(|(ns, _)| *ns)
                .filter(|ns| !namespaces.contains(ns))
                .collect();
            let label = format!(
                "{} other namespace{} ({})",
                others.len(),
                if others.len() == 1 { "" } else { "s" },
                others.iter().take(3).copied().collect::<Vec<_>>().join(", ")
                    + if others.len() > 3 { ", …" } else { "" }
            );
            groups.push(ClientGroup {
                namespace: OTHER,
                labels: None,
                label,
            });
        }
        for port in &svc.ports {
            for group in &groups {
                let decision = mesh.client_tls_for_workload(
                    model,
                    Caller {
                        namespace: group.namespace,
                        sidecar: true,
                    },
                    group.labels.as_ref(),
                    sid,
                    port.number,
                    None,
                );
                for &ep in &endpoints {
                    let target = mesh.target_port(model, sid, port.number, ep);
                    // A gateway's listeners follow its Gateway servers, not PeerAuthentication.
                    if mesh.accepts(&decision, ep, target) || mesh.is_gateway_workload(model, ep)
                    {
                        continue;
                    }
                    let conn = mesh.connect(&decision, ep, target);
                    let Some(f) = fault(
                        cx,
                        &decision.origin,
                        decision.mode,
                        &conn,
                        svc,
                        port.number,
                        &mesh.workload(ep).name,
                    )
                    else {
                        continue;
                    };
                    let key = match f.loc {
                        Some(l) => (l.file.0, l.span.start, f.cause.clone()),
                        None => (u32::MAX, 0, f.cause.clone()),
                    };
                    let entry = findings.entry(key).or_insert(f);
                    add(&mut entry.clients, &group.label);
                    add(
                        &mut entry.targets,
                        &format!("{}:{}", host::short(&svc.host), port.number),
                    );
                }
            }
        }
    }
    for (_, f) in findings {
        let Some(loc) = f.loc else { continue };
        let targets = if f.targets.len() > 4 {
            format!("{}, … ({} ports)", f.targets[..4].join(", "), f.targets.len())
        } else {
            f.targets.join(", ")
        };
        let mut d = Diagnostic::new(
            &RULE,
            loc,
            format!(
                "{}; affected: clients in {} calling {targets}",
                f.cause,
                f.clients.join(", ")
            ),
        )
        .help(f.help)
        .resource(f.resource);
        for (l, m) in f.related {
            d = d.related(l, m);
        }
        out.push(d);
    }
}

/// Clients of one namespace that take the same DestinationRule for a service.
struct ClientGroup<'a> {
    namespace: &'a str,
    /// The labels of one workload of the group, for the `workloadSelector` lookup (`None`:
    /// workloads that no `workloadSelector` rule of the namespace selects).
    labels: Option<crate::mesh::Labels>,
    /// How the finding names them.
    label: String,
}

/// The client groups of each named namespace: the workloads each `workloadSelector`
/// DestinationRule for the service's host selects (the first rule that selects a workload is
/// the one it uses, `SidecarScope.DestinationRule`), and the namespace's other sidecar
/// workloads, if any are left.
fn client_groups<'a>(
    cx: &Context<'_>,
    namespaces: &[&'a str],
    client_namespaces: &[(&str, usize)],
    svc: &crate::mesh::ServiceInfo,
) -> Vec<ClientGroup<'a>> {
    let (model, mesh) = (cx.model, cx.mesh);
    let mut groups = Vec::new();
    for &ns in namespaces {
        let lookup = mesh.destination_rule_lookup(ns, None, &svc.host, &svc.namespace);
        if lookup.selectors.is_empty() {
            groups.push(ClientGroup {
                namespace: ns,
                labels: None,
                label: ns.to_string(),
            });
            continue;
        }
        // Sidecar workloads of `ns` by the selector rule they use, in the rules' order.
        let mut chosen: Vec<(usize, Vec<crate::mesh::WorkloadId>)> = Vec::new();
        let mut selected: Vec<crate::mesh::WorkloadId> = Vec::new();
        for &dr in &lookup.selectors {
            let Some(selector) = &mesh.destination_rules[dr].selector else {
                continue;
            };
            for w in mesh.select(ns, selector) {
                if mesh.workload(w).injection != Injection::Injected || selected.contains(&w) {
                    continue;
                }
                selected.push(w);
                match chosen.iter_mut().find(|(d, _)| *d == dr) {
                    Some((_, list)) => list.push(w),
                    None => chosen.push((dr, vec![w])),
                }
            }
        }
        for (dr, workloads) in chosen {
            let d = &model.destination_rules[dr];
            let names: Vec<&str> = workloads
                .iter()
                .take(3)
                .map(|&w| mesh.workload(w).name.as_str())
                .collect();
            groups.push(ClientGroup {
                namespace: ns,
                labels: Some(mesh.workload(workloads[0]).labels.clone()),
                label: format!(
                    "{ns} ({}{} selected by the workloadSelector of DestinationRule {}/{})",
                    names.join(", "),
                    if workloads.len() > 3 { ", …" } else { "" },
                    d.namespace(),
                    d.name()
                ),
            });
        }
        let clients = client_namespaces
            .iter()
            .find(|(n, _)| *n == ns)
            .map_or(0, |(_, c)| *c);
        if clients > selected.len() {
            groups.push(ClientGroup {
                namespace: ns,
                labels: None,
                label: format!("{ns} (workloads no workloadSelector rule selects)"),
            });
        }
    }
    groups
}

/// The resource at fault for a refused connection, and what to say.
fn fault(
    cx: &Context<'_>,
    origin: &ClientOrigin,
    mode: ClientMode,
    conn: &crate::mesh::mtls::Connection,
    svc: &crate::mesh::ServiceInfo,
    port: u32,
    ep_name: &str,
) -> Option<Finding> {
    let (model, mesh) = (cx.model, cx.mesh);
    let host_short = host::short(&svc.host);
    let pa_related = |f: &mut Finding| {
        if let Some(server) = conn.server
            && let (Some(pa), Some(loc)) = (server.policy, server.loc)
        {
            let pa = &model.peer_authentications[pa];
            f.related.push((
                loc,
                format!(
                    "{} sets {} ({} scope)",
                    crate::mesh::mtls::describe_pa(pa),
                    server.mode.as_str(),
                    server.scope.as_str()
                ),
            ));
        }
    };
    let server_clause = match conn.server {
        None => format!("{ep_name} has no sidecar to terminate Istio mTLS"),
        Some(s) if s.mode == ServerMode::Strict => format!("{ep_name} requires mTLS (STRICT)"),
        Some(s) => format!("{ep_name} has mTLS {}", s.mode.as_str()),
    };
    let mut f = Finding::default();
    match origin {
        ClientOrigin::DestinationRule { dr, level, loc } => {
            let d = &model.destination_rules[*dr];
            f.loc = Some(*loc);
            f.resource = Some(d.resource_ref());
            f.cause = format!(
                "DestinationRule {}/{} sets {} ({}) for {host_short}:{port}, but {server_clause}",
                d.namespace(),
                d.name(),
                if mode == ClientMode::Plaintext { "DISABLE" } else { mode.as_str() },
                level.as_str(),
            );
            f.help = match mode {
                ClientMode::IstioMutual => "remove the tls setting (automatic mTLS then sends plaintext where the server takes no mTLS), or enable mTLS on the server".into(),
                _ => "use `tls: {mode: ISTIO_MUTUAL}` (or remove the tls setting with automatic mTLS on) towards a server with a sidecar in STRICT mode".into(),
            };
            pa_related(&mut f);
        }
        ClientOrigin::DestinationRuleWithoutTls { dr } => {
            let d = &model.destination_rules[*dr];
            f.loc = Some(d.spec.host.as_ref().map_or(d.loc(), |h| h.loc));
            f.resource = Some(d.resource_ref());
            let replaced = replaced_rule(cx, *dr, &svc.host);
            let auto = if mesh.mtls.auto_mtls {
                "automatic mTLS does not apply here"
            } else {
                "automatic mTLS is off (MeshConfig enableAutoMtls: false)"
            };
            f.cause = match &replaced {
                Some((other, _)) => format!(
                    "DestinationRule {}/{} is the rule for {host_short} and sets no TLS: it replaces {other} (DestinationRules for different hosts are not merged), and {auto}, so clients send plaintext, but {server_clause}",
                    d.namespace(),
                    d.name(),
                ),
                None => format!(
                    "DestinationRule {}/{} sets no TLS for {host_short}:{port} and {auto}, so clients send plaintext, but {server_clause}",
                    d.namespace(),
                    d.name(),
                ),
            };
            f.help = "add `trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}` to this DestinationRule (or turn automatic mTLS on)".into();
            if let Some((other, loc)) = replaced {
                f.related.push((loc, format!("{other} sets ISTIO_MUTUAL, not inherited")));
            }
            pa_related(&mut f);
        }
        ClientOrigin::NoDestinationRule | ClientOrigin::NoSidecar => {
            // No DestinationRule: the server's PeerAuthentication is what clients cannot meet.
            let server = conn.server?;
            let pa = &model.peer_authentications[server.policy?];
            f.loc = server.loc;
            f.resource = Some(pa.resource_ref());
            if mode == ClientMode::Auto && server.mode == ServerMode::Disable {
                f.cause = format!(
                    "{} sets DISABLE ({} scope) for {}, but automatic mTLS decides from the namespace's mode, so clients still send Istio mTLS to {host_short}:{port}",
                    crate::mesh::mtls::describe_pa(pa),
                    server.scope.as_str(),
                    ep_name
                );
                f.help = format!(
                    "set the namespace's mode to DISABLE too, or add a DestinationRule for {host_short} with `tls: {{mode: DISABLE}}`"
                );
            } else {
                let scope = if server.scope == MtlsScope::Mesh {
                    "mesh-wide"
                } else {
                    server.scope.as_str()
                };
                f.cause = format!(
                    "{} requires mTLS ({} {scope}), but no DestinationRule sets TLS for {host_short} and automatic mTLS is off, so clients send plaintext",
                    crate::mesh::mtls::describe_pa(pa),
                    server.mode.as_str(),
                );
                f.help = format!(
                    "add a DestinationRule for {host_short} (or `*.local` in the root namespace) with `tls: {{mode: ISTIO_MUTUAL}}`, or turn automatic mTLS on"
                );
            }
        }
    }
    Some(f)
}

/// A wider DestinationRule with ISTIO_MUTUAL that this one hides from the clients: one written
/// for a wildcard parent of the host, in the DR's namespace, the service's or the root
/// namespace.
fn replaced_rule(cx: &Context<'_>, dr: usize, service_host: &str) -> Option<(String, Loc)> {
    let (model, mesh) = (cx.model, cx.mesh);
    let own_ns = model.destination_rules[dr].namespace();
    let namespaces = [
        own_ns,
        host::service_namespace(service_host).unwrap_or(own_ns),
        mesh.root_namespace.as_str(),
    ];
    for ns in namespaces {
        for parent in host::wildcard_parents(service_host) {
            for &other in mesh.destination_rules_for_host(&parent) {
                let o = &model.destination_rules[other];
                if other == dr || o.namespace() != ns || mesh.destination_rules[other].has_selector
                {
                    continue;
                }
                let tls = o
                    .spec
                    .traffic_policy
                    .as_deref()
                    .and_then(|tp| tp.tls.as_deref())
                    .and_then(|t| t.mode.as_ref());
                if let Some(mode) = tls.filter(|m| m.value == "ISTIO_MUTUAL") {
                    return Some((
                        format!(
                            "DestinationRule {}/{} ({parent})",
                            o.namespace(),
                            o.name()
                        ),
                        mode.loc,
                    ));
                }
            }
        }
    }
    None
}
