//! The traffic section: route tables before and after, compared by what they do to requests.
//!
//! Only hosts a changed resource touches are looked at: the hosts of a changed VirtualService
//! (and of the roots that delegate to it), the host of a changed DestinationRule and the hosts
//! whose routes lead to it, the hosts of a changed Service or ServiceEntry, and the Services of a
//! changed workload. For each such host, the route table is walked per client group × port:
//!
//! - client groups: the namespaces that can see the host differently (the host's own, those of
//!   its VirtualServices and DestinationRules, each `sourceNamespace` a route names, each with a
//!   Sidecar) and one namespace standing for all the others; within a namespace, one workload
//!   per `sourceLabels` set of the host's routes and per Sidecar `workloadSelector`, and one that
//!   none of them selects;
//! - requests: per match condition of every route of both sides, one request that condition
//!   takes (`with header end-user=jason`), and a plain `GET /`.
//!
//! On a port declared TCP (or TLS/HTTPS), the `tcp` (and `tls`) routes add client groups and
//! ports the same way, and one connection per client group is walked (for TLS with the SNI of
//! the host connected to); the sentence says `TCP connections` / `TLS connections … with SNI`.
//!
//! Every request is walked by `simulate` on both sides; a difference in destinations (with their
//! effective percentages and subsets), verdict, rewrite, redirect, fault, timeout or retries is
//! one change, told in one sentence with the place that decided it. The work is linear in the
//! routes of the touched hosts, never clients × hosts that no changed route mentions.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde::Serialize;

use super::Place;
use super::changes::Changes;
use crate::authz::PolicyIndex;
use crate::engine::Analysis;
use crate::mesh::matching::{HttpCondition, L4Condition, StrMatch, regex_literal_prefix};
use crate::mesh::{GatewayRef, Labels, Mesh, ServiceSource, WorkloadSource, host};
use crate::model::Model;
use crate::simulate::{self, Query, Simulation};

/// One request class whose outcome changes.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TrafficChange {
    /// The client groups alike in this change: `shop`, `shop (app=productpage)`, `other
    /// namespaces (e.g. web)`.
    pub clients: Vec<String>,
    /// `reviews.default` (a cluster Service) or the host as written (`api.example.com`).
    pub host: String,
    pub port: u32,
    /// `http` (requests), `tcp` or `tls` (connections: the port is declared TCP, or TLS/HTTPS,
    /// so `simulate` walks the VirtualServices' `tcp` routes, or `tls` routes by SNI then `tcp`).
    pub protocol: &'static str,
    /// `with header end-user=jason`; empty for a plain request.
    pub request: String,
    /// `changed`, `fails` (worked before), `recovers` (failed before), `unreachable`.
    pub kind: &'static str,
    pub before: String,
    pub after: String,
    /// What decided the new outcome (else the old one).
    pub at: Option<Place>,
    /// What else to say (`… becomes unreachable: … takes its requests first`).
    pub note: Option<String>,
    pub sentence: String,
}

/// The hosts (FQDN) the changed resources of one side touch.
fn touched_hosts(model: &Model, mesh: &Mesh, changes: &Changes, out: &mut BTreeSet<String>) {
    let changed = |kind: &str, ns: &str, name: &str| changes.is_changed(kind, ns, name);
    let mut delegates: Vec<(String, String)> = Vec::new();
    for (i, vs) in model.virtual_services.iter().enumerate() {
        if changed("VirtualService", vs.namespace(), vs.name()) {
            out.extend(mesh.virtual_services[i].hosts.iter().cloned());
            if mesh.virtual_services[i].is_delegate {
                delegates.push((vs.namespace().to_string(), vs.name().to_string()));
            }
        }
    }
    let mut dr_hosts: BTreeSet<String> = BTreeSet::new();
    for (i, dr) in model.destination_rules.iter().enumerate() {
        if changed("DestinationRule", dr.namespace(), dr.name()) {
            dr_hosts.insert(mesh.destination_rules[i].host.clone());
        }
    }
    for svc in &mesh.services {
        let hit = match svc.source {
            ServiceSource::Kubernetes(i) => model
                .services
                .get(i)
                .is_some_and(|s| changed("Service", s.namespace(), s.name())),
            ServiceSource::ServiceEntry(i, _) => model
                .service_entries
                .get(i)
                .is_some_and(|s| changed("ServiceEntry", s.namespace(), s.name())),
        };
        if hit {
            out.insert(svc.host.clone());
        }
    }
    for (i, w) in mesh.workloads.iter().enumerate() {
        let WorkloadSource::Pod(p) = w.source else {
            continue;
        };
        let Some(res) = model.workloads.get(p) else {
            continue;
        };
        if changed(res.kind(), res.namespace(), res.name()) {
            for s in mesh.services_selecting(crate::mesh::WorkloadId(i as u32)) {
                out.insert(mesh.service(s).host.clone());
            }
        }
    }
    out.extend(dr_hosts.iter().cloned());
    // Routes that lead to a changed DestinationRule's host, or delegate to a changed delegate.
    if !dr_hosts.is_empty() || !delegates.is_empty() {
        for (i, vs) in model.virtual_services.iter().enumerate() {
            let leads = crate::mesh::routes::destinations(&vs.spec).iter().any(|d| {
                d.host()
                    .is_some_and(|h| dr_hosts.contains(&host::resolve(&h.value, vs.namespace())))
            });
            let delegates_to = vs.spec.http.iter().any(|r| {
                r.delegate.as_ref().is_some_and(|d| {
                    let name = d.name.as_ref().map_or("", |n| n.value.as_str());
                    let ns = d
                        .namespace
                        .as_ref()
                        .map_or(vs.namespace(), |n| n.value.as_str());
                    delegates
                        .iter()
                        .any(|(dn, dname)| dn == ns && dname == name)
                })
            });
            if leads || delegates_to {
                out.extend(mesh.virtual_services[i].hosts.iter().cloned());
            }
        }
    }
}

/// A request derived from a route's match condition (or the plain request).
#[derive(Debug, Clone)]
struct Probe {
    /// `with header end-user=jason`.
    desc: String,
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    /// Conditions that decide whether the route exists for a client.
    port: Option<u32>,
    source_labels: Labels,
    source_namespace: Option<String>,
    /// The proxies the condition applies to (`None`: every one, for the plain request).
    gateways: Option<BTreeSet<GatewayRef>>,
    /// The route it was derived from, as simulate names it (`VirtualService ns/name http[i]`),
    /// on the head side.
    head_route: Option<String>,
}

/// A value that the string condition takes.
fn witness(m: &StrMatch) -> Option<String> {
    match m {
        StrMatch::Present => Some("x".into()),
        StrMatch::Exact(e) => Some(e.clone()),
        StrMatch::Prefix(p) => Some(p.clone()),
        StrMatch::Regex(r) => {
            let lit = regex_literal_prefix(&r.source);
            [lit.clone(), format!("{lit}x"), format!("{lit}0")]
                .into_iter()
                .find(|c| r.is_match(c))
        }
    }
}

fn describe_str(m: &StrMatch, value: &str) -> String {
    match m {
        StrMatch::Exact(_) | StrMatch::Present => value.to_string(),
        StrMatch::Prefix(p) => format!("{p}…"),
        StrMatch::Regex(r) => format!("~{}", r.source),
    }
}

fn probe_of(cond: &HttpCondition) -> Option<Probe> {
    let mut parts = Vec::new();
    let method = match &cond.method {
        Some(m) => {
            let v = witness(m)?.to_ascii_uppercase();
            parts.push(format!("method {}", describe_str(m, &v)));
            v
        }
        None => "GET".to_string(),
    };
    let path = match &cond.uri {
        Some(m) => {
            let v = witness(m)?;
            if !matches!(m, StrMatch::Prefix(p) if p == "/") {
                parts.push(format!("path {}", describe_str(m, &v)));
            }
            if v.starts_with('/') {
                v
            } else {
                format!("/{v}")
            }
        }
        None => "/".to_string(),
    };
    let mut headers = Vec::new();
    for (k, m) in &cond.headers {
        let v = witness(m)?;
        parts.push(format!("header {k}={}", describe_str(m, &v)));
        headers.push((k.clone(), v));
    }
    let mut query = Vec::new();
    for (k, m) in &cond.query_params {
        let v = witness(m)?;
        parts.push(format!("query {k}={}", describe_str(m, &v)));
        query.push((k.clone(), v));
    }
    if cond.scheme.is_some() || cond.authority.is_some() {
        return None;
    }
    Some(Probe {
        desc: if parts.is_empty() {
            String::new()
        } else {
            format!("with {}", parts.join(", "))
        },
        method,
        path,
        query,
        headers,
        port: cond.port,
        source_labels: cond.source_labels.clone(),
        source_namespace: cond.source_namespace.clone(),
        gateways: Some(cond.gateways.clone()),
        head_route: None,
    })
}

/// The requests the routes of `host` distinguish on one side, by description.
fn probes(model: &Model, mesh: &Mesh, fqdn: &str, head: bool, out: &mut BTreeMap<String, Probe>) {
    for &v in mesh.virtual_services_for_host(fqdn) {
        let vs = &model.virtual_services[v];
        let gws: Vec<GatewayRef> = mesh.virtual_services[v]
            .gateways
            .iter()
            .map(|(g, _)| g.clone())
            .collect();
        for (i, route) in vs.spec.http.iter().enumerate() {
            let label = format!(
                "VirtualService {}/{} http[{i}]{}",
                vs.namespace(),
                vs.name(),
                route
                    .name
                    .as_ref()
                    .map_or(String::new(), |n| format!(" ({})", n.value))
            );
            let conds: Vec<HttpCondition> = if route.matches.is_empty() {
                vec![HttpCondition::any(&gws)]
            } else {
                route
                    .matches
                    .iter()
                    .map(|m| HttpCondition::from_match(m, vs.namespace(), &gws))
                    .collect()
            };
            for cond in conds {
                let Some(mut p) = probe_of(&cond) else {
                    continue;
                };
                let key = probe_key(&p);
                if head {
                    p.head_route = Some(label.clone());
                }
                match out.get_mut(&key) {
                    Some(known) => {
                        if head && known.head_route.is_none() {
                            known.head_route = Some(label.clone());
                        }
                    }
                    None => {
                        out.insert(key, p);
                    }
                }
            }
        }
        // `tcp` and `tls` routes: a connection carries no request attributes (its SNI is the
        // host connected to), so each match condition only adds the client groups
        // (sourceNamespace, sourceLabels), proxies and ports it distinguishes; the connection
        // itself is the plain probe.
        let tcp = vs.spec.tcp.iter().flat_map(|route| {
            let conds: Vec<L4Condition> = if route.matches.is_empty() {
                vec![L4Condition::any(&gws)]
            } else {
                route
                    .matches
                    .iter()
                    .map(|m| L4Condition::from_tcp(m, vs.namespace(), &gws))
                    .collect()
            };
            conds
        });
        let tls = vs.spec.tls.iter().flat_map(|route| {
            let conds: Vec<L4Condition> = if route.matches.is_empty() {
                vec![L4Condition::any(&gws)]
            } else {
                route
                    .matches
                    .iter()
                    .map(|m| L4Condition::from_tls(m, vs.namespace(), &gws))
                    .collect()
            };
            conds
        });
        for cond in tcp.chain(tls) {
            let p = Probe {
                desc: String::new(),
                method: "GET".into(),
                path: "/".into(),
                query: Vec::new(),
                headers: Vec::new(),
                port: cond.port,
                source_labels: cond.source_labels,
                source_namespace: cond.source_namespace,
                gateways: Some(cond.gateways),
                head_route: None,
            };
            out.entry(probe_key(&p)).or_insert(p);
        }
    }
}

/// `tls` when a Service of `fqdn` (on either side) declares `port` TLS or HTTPS, `tcp` when it
/// declares another non-HTTP protocol (then `simulate` walks the `tls` and `tcp` routes), else
/// `http`.
fn port_protocol(sides: [&Analysis; 2], fqdn: &str, port: u32) -> &'static str {
    use crate::mesh::Protocol;
    let mut out = "http";
    for a in sides {
        for s in a.mesh.services_for_host(fqdn) {
            for p in a.mesh.service(s).ports.iter().filter(|p| p.number == port) {
                match p.protocol {
                    Protocol::Tls | Protocol::Https => return "tls",
                    Protocol::Unknown => {}
                    other if !other.is_http() => out = "tcp",
                    _ => {}
                }
            }
        }
    }
    out
}

fn probe_key(p: &Probe) -> String {
    let labels: Vec<String> = p
        .source_labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    format!(
        "{}|{:?}|{}|{:?}|{:?}",
        p.desc,
        p.port,
        labels.join(","),
        p.source_namespace,
        p.gateways
    )
}

/// A client workload standing for a group.
#[derive(Debug, Clone)]
struct Client {
    label: String,
    /// The gateway a gateway workload routes for (`None`: a sidecar or a client without proxy).
    gateway: Option<GatewayRef>,
    /// The ports it is asked on (`None`: the host's).
    ports: Option<Vec<u32>>,
    /// `name.namespace`, as simulate's `--from` takes it.
    from: String,
    namespace: String,
    labels: Labels,
}

fn selects(selector: &Labels, labels: &Labels) -> bool {
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

fn show_labels(l: &Labels) -> String {
    l.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Workloads by namespace (name, labels) that exist on both sides, sorted by name.
fn client_workloads(base: &Analysis, head: &Analysis) -> BTreeMap<String, Vec<(String, Labels)>> {
    let names = |a: &Analysis| -> BTreeMap<(String, String), Labels> {
        let mut out = BTreeMap::new();
        for (i, w) in a.mesh.workloads.iter().enumerate() {
            if !matches!(w.source, WorkloadSource::Pod(_))
                || a.mesh
                    .is_gateway_workload(&a.model, crate::mesh::WorkloadId(i as u32))
            {
                continue;
            }
            out.entry((w.namespace.clone(), w.name.clone()))
                .or_insert_with(|| w.labels.clone());
        }
        out
    };
    let before = names(base);
    let mut out: BTreeMap<String, Vec<(String, Labels)>> = BTreeMap::new();
    for ((ns, name), labels) in names(head) {
        if before.contains_key(&(ns.clone(), name.clone())) {
            out.entry(ns).or_default().push((name, labels));
        }
    }
    out
}

/// The client groups that see `fqdn` differently.
fn clients(
    sides: [&Analysis; 2],
    fqdn: &str,
    workloads: &BTreeMap<String, Vec<(String, Labels)>>,
    probes: &BTreeMap<String, Probe>,
    sidecar_selectors: &BTreeMap<String, Vec<Labels>>,
) -> Vec<Client> {
    let visibility = sidecar_visibility(sides, fqdn);
    let mut namespaces: BTreeSet<String> = BTreeSet::new();
    // A namespace whose own Sidecar imports the host on one side only sees it appear or vanish.
    namespaces.extend(
        visibility
            .iter()
            .filter(|(_, v)| v[0] != v[1])
            .map(|(ns, _)| ns.clone()),
    );
    if let Some(ns) = host::service_namespace(fqdn) {
        namespaces.insert(ns.to_string());
    }
    for a in sides {
        for &v in a.mesh.virtual_services_for_host(fqdn) {
            namespaces.insert(a.model.virtual_services[v].namespace().to_string());
        }
        for &d in a.mesh.destination_rules_for_host(fqdn) {
            namespaces.insert(a.model.destination_rules[d].namespace().to_string());
        }
    }
    let mut label_sets: Vec<Labels> = Vec::new();
    for p in probes.values() {
        if let Some(ns) = &p.source_namespace {
            namespaces.insert(ns.clone());
        }
        if !p.source_labels.is_empty() && !label_sets.contains(&p.source_labels) {
            label_sets.push(p.source_labels.clone());
        }
    }
    namespaces.extend(sidecar_selectors.keys().cloned());
    let mut out: Vec<Client> = Vec::new();
    let mut push = |ns: &str, label: String, name: &str, labels: &Labels| {
        let from = format!("{name}.{ns}");
        if !out.iter().any(|c| c.from == from) {
            out.push(Client {
                label,
                gateway: None,
                ports: None,
                from,
                namespace: ns.to_string(),
                labels: labels.clone(),
            });
        }
    };
    let none_sel: Vec<Labels> = Vec::new();
    for ns in &namespaces {
        let Some(list) = workloads.get(ns) else {
            continue;
        };
        let sidecars = sidecar_selectors.get(ns).unwrap_or(&none_sel);
        let groups: Vec<&Labels> = label_sets.iter().chain(sidecars.iter()).collect();
        if let Some((name, labels)) = list
            .iter()
            .find(|(_, l)| !groups.iter().any(|g| selects(g, l)))
        {
            push(ns, ns.clone(), name, labels);
        }
        for g in &groups {
            if let Some((name, labels)) = list.iter().find(|(_, l)| selects(g, l)) {
                push(ns, format!("{ns} ({})", show_labels(g)), name, labels);
            }
        }
    }
    // One namespace for all the others, and one for those whose own Sidecar hides the host on
    // both sides (they are alike too).
    let mut represent = |pool: Vec<&String>, many: &str| {
        let count = pool.len();
        for ns in pool {
            let Some(list) = workloads.get(ns) else {
                continue;
            };
            if let Some((name, labels)) = list
                .iter()
                .find(|(_, l)| !label_sets.iter().any(|g| selects(g, l)))
            {
                let label = if count == 1 {
                    ns.clone()
                } else {
                    format!("{many} (e.g. {ns})")
                };
                push(ns, label, name, labels);
                return;
            }
        }
    };
    let hidden = |ns: &String| visibility.get(ns) == Some(&[Some(false), Some(false)]);
    let others: Vec<&String> = workloads
        .keys()
        .filter(|ns| !namespaces.contains(*ns) && !hidden(ns))
        .collect();
    represent(others, "other namespaces");
    let hiding: Vec<&String> = workloads
        .keys()
        .filter(|ns| !namespaces.contains(*ns) && hidden(ns))
        .collect();
    represent(hiding, "namespaces whose Sidecar does not import it");
    out
}

/// The gateway workloads of the Gateways the host's VirtualServices bind to (on either side, when
/// the workload exists on both), each asked on its Gateway's server ports.
fn gateway_clients(sides: [&Analysis; 2], fqdn: &str) -> Vec<Client> {
    let mut out: Vec<Client> = Vec::new();
    for a in sides {
        for &v in a.mesh.virtual_services_for_host(fqdn) {
            for (g, _) in &a.mesh.virtual_services[v].gateways {
                if *g == GatewayRef::Mesh || out.iter().any(|c| c.gateway.as_ref() == Some(g)) {
                    continue;
                }
                let Some(gi) = a.mesh.gateway(g) else {
                    continue;
                };
                let Some(&w) = a.mesh.gateway_workloads.get(gi).and_then(|ws| ws.first()) else {
                    continue;
                };
                let info = a.mesh.workload(w);
                let on_both = sides
                    .iter()
                    .all(|s| s.mesh.find_workload(&info.name, &info.namespace).is_some());
                if !on_both {
                    continue;
                }
                let mut ports: Vec<u32> = a.model.gateways[gi]
                    .spec
                    .servers
                    .iter()
                    .filter_map(|s| s.port.as_ref()?.number.as_ref().map(|n| n.value))
                    .collect();
                ports.sort_unstable();
                ports.dedup();
                out.push(Client {
                    label: format!("ingress {}.{} (Gateway {g})", info.name, info.namespace),
                    gateway: Some(g.clone()),
                    ports: Some(ports),
                    from: format!("ingress:{}.{}", info.name, info.namespace),
                    namespace: info.namespace.clone(),
                    labels: info.labels.clone(),
                });
            }
        }
    }
    out
}

/// Per namespace with a Sidecar without selector, whether it imports `fqdn`, per side (`None`:
/// no such Sidecar on that side).
fn sidecar_visibility(sides: [&Analysis; 2], fqdn: &str) -> BTreeMap<String, [Option<bool>; 2]> {
    let mut out: BTreeMap<String, [Option<bool>; 2]> = BTreeMap::new();
    for (k, a) in sides.into_iter().enumerate() {
        let services = a.mesh.services_for_host(fqdn);
        for (i, s) in a.model.sidecars.iter().enumerate() {
            if s.spec.workload_selector.is_some() {
                continue;
            }
            let imports = services
                .iter()
                .any(|&sid| a.mesh.sidecar_imports(&a.model, i, sid));
            out.entry(s.namespace().to_string()).or_default()[k] = Some(imports);
        }
    }
    out
}

fn ports(sides: [&Analysis; 2], fqdn: &str, probes: &BTreeMap<String, Probe>) -> Vec<u32> {
    let mut out: BTreeSet<u32> = BTreeSet::new();
    for a in sides {
        for s in a.mesh.services_for_host(fqdn) {
            out.extend(a.mesh.service(s).ports.iter().map(|p| p.number));
        }
    }
    out.extend(probes.values().filter_map(|p| p.port));
    if out.is_empty() {
        out.insert(80);
    }
    out.into_iter().collect()
}

fn pct(p: f64) -> String {
    let s = format!("{p:.1}");
    format!("{} %", s.strip_suffix(".0").unwrap_or(&s))
}

/// What a request does on one side.
#[derive(Debug, Clone, PartialEq)]
struct Outcome {
    text: String,
    ok: bool,
    /// The route that took it (`VirtualService ns/name http[i]`).
    route: Option<String>,
    at: Option<Place>,
}

fn outcome(a: &Analysis, sim: &Simulation, side: &'static str) -> Outcome {
    let hop = sim.deciding_hop();
    let mut parts: Vec<String> = Vec::new();
    if let Some(hop) = hop {
        let dests: Vec<String> = hop
            .candidates
            .iter()
            .filter(|c| c.weight_percent > 0.0)
            .map(|c| {
                let svc = if c.service.ends_with(".svc.cluster.local") {
                    c.service
                        .split('.')
                        .next()
                        .unwrap_or(&c.service)
                        .to_string()
                } else {
                    c.service.clone()
                };
                match &c.subset {
                    Some(s) => format!("{svc} {s} {}", pct(c.weight_percent)),
                    None => format!("{svc} {}", pct(c.weight_percent)),
                }
            })
            .collect();
        if !dests.is_empty() {
            parts.push(dests.join(" + "));
        } else if let Some(d) = &hop.destination {
            parts.push(format!(
                "{}{}",
                host::short(&d.service),
                d.subset.as_ref().map_or(String::new(), |s| format!(" {s}"))
            ));
        }
    }
    let v = &sim.verdict;
    if !v.succeeds() || v.cause != simulate::Cause::Ok {
        let status = v.status.map_or(String::new(), |s| format!("{s} "));
        let flag = v.flag.map_or(String::new(), |f| format!("{f} "));
        parts.push(format!("{status}{flag}({})", v.cause.as_str()).replace("  ", " "));
    }
    let mut route = None;
    let mut at = None;
    for step in sim.trace.iter().filter(|s| s.hop == sim.deciding) {
        match step.step {
            "route" => {
                if let Some((name, _)) = step.detail.split_once(" takes the ") {
                    route = Some(name.to_string());
                }
                if let Some(loc) = step.loc {
                    at = Place::of(a, step.resource.as_ref().map(|r| r.to_string()), loc, side);
                }
            }
            "fault" | "rewrite" | "timeout" | "mirror" | "redirect" | "direct-response" => {
                parts.push(step.detail.clone());
            }
            // The host is not visible to this client: passed through or blackholed.
            "visibility" if step.detail.contains("outboundTrafficPolicy") => {
                parts.push(step.detail.clone());
            }
            _ => {}
        }
    }
    if at.is_none()
        && let Some(step) = sim
            .trace
            .iter()
            .rev()
            .find(|s| s.loc.is_some() && s.hop == sim.deciding)
        && let Some(loc) = step.loc
    {
        at = Place::of(a, step.resource.as_ref().map(|r| r.to_string()), loc, side);
    }
    Outcome {
        text: if parts.is_empty() {
            "no destination".into()
        } else {
            parts.join(", ")
        },
        ok: v.succeeds(),
        route,
        at,
    }
}

fn walk(
    a: &Analysis,
    policies: &PolicyIndex,
    client: &Client,
    fqdn: &str,
    port: u32,
    p: &Probe,
    side: &'static str,
) -> Outcome {
    let mut url = format!("http://{fqdn}:{port}{}", p.path);
    if !p.query.is_empty() {
        let q: Vec<String> = p.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        url.push('?');
        url.push_str(&q.join("&"));
    }
    let q = Query {
        from: client.from.clone(),
        to: vec![url],
        method: Some(p.method.clone()),
        headers: p.headers.clone(),
        port: None,
        subset: None,
    };
    match simulate::simulate_with(&a.model, &a.mesh, policies, &q) {
        Ok(sim) => outcome(a, &sim, side),
        Err(e) => Outcome {
            text: format!("cannot be sent ({e})"),
            ok: false,
            route: None,
            at: None,
        },
    }
}

/// Sidecars with a workload selector, by namespace (they split a namespace's clients).
fn sidecar_selectors(sides: [&Analysis; 2]) -> BTreeMap<String, Vec<Labels>> {
    let mut out: BTreeMap<String, Vec<Labels>> = BTreeMap::new();
    for a in sides {
        for s in &a.model.sidecars {
            if let Some(sel) = &s.spec.workload_selector {
                let labels: Labels = sel
                    .labels
                    .iter()
                    .map(|(k, v)| (k.clone(), v.value.clone()))
                    .collect();
                let list = out.entry(s.namespace().to_string()).or_default();
                if !list.contains(&labels) {
                    list.push(labels);
                }
            }
        }
    }
    out
}

pub fn compare(
    base: &Analysis,
    head: &Analysis,
    changes: &Changes,
    policies: [&PolicyIndex; 2],
) -> Vec<TrafficChange> {
    let mut hosts = BTreeSet::new();
    touched_hosts(&base.model, &base.mesh, changes, &mut hosts);
    touched_hosts(&head.model, &head.mesh, changes, &mut hosts);
    if hosts.is_empty() {
        return Vec::new();
    }
    let sides = [base, head];
    let [pb, ph] = policies;
    let workloads = client_workloads(base, head);
    let selectors = sidecar_selectors(sides);
    // Hosts are independent: walked in parallel, their changes kept in host order.
    let per_host: Vec<Vec<TrafficChange>> = hosts
        .par_iter()
        .map(|fqdn| {
            let mut out: Vec<TrafficChange> = Vec::new();
            if host::is_wildcard(fqdn) {
                return out;
            }
            let mut table: BTreeMap<String, Probe> = BTreeMap::new();
            probes(&head.model, &head.mesh, fqdn, true, &mut table);
            probes(&base.model, &base.mesh, fqdn, false, &mut table);
            let plain = Probe {
                desc: String::new(),
                method: "GET".into(),
                path: "/".into(),
                query: Vec::new(),
                headers: Vec::new(),
                port: None,
                source_labels: Labels::new(),
                source_namespace: None,
                gateways: None,
                head_route: None,
            };
            table.entry(probe_key(&plain)).or_insert(plain);
            let mut clients = clients(sides, fqdn, &workloads, &table, &selectors);
            clients.extend(gateway_clients(sides, fqdn));
            let host_ports = ports(sides, fqdn, &table);
            for client in &clients {
                let mesh = GatewayRef::Mesh;
                let proxy = client.gateway.as_ref().unwrap_or(&mesh);
                for &port in client.ports.as_ref().unwrap_or(&host_ports) {
                    let protocol = port_protocol(sides, fqdn, port);
                    let mut seen: BTreeSet<String> = BTreeSet::new();
                    for p in table.values() {
                        // A TCP connection has no method, path or header: one per client.
                        if (protocol != "http" && !p.desc.is_empty())
                            || p.gateways.as_ref().is_some_and(|g| !g.contains(proxy))
                            || p.port.is_some_and(|q| q != port)
                            || p.source_namespace
                                .as_ref()
                                .is_some_and(|ns| *ns != client.namespace)
                            || !selects(&p.source_labels, &client.labels)
                            || !seen.insert(p.desc.clone())
                        {
                            continue;
                        }
                        let before = walk(base, pb, client, fqdn, port, p, "base");
                        let after = walk(head, ph, client, fqdn, port, p, "head");
                        let unreachable = match (&p.head_route, &after.route) {
                            (Some(own), Some(took)) => own != took && before.route != after.route,
                            _ => false,
                        };
                        if before.text == after.text && !unreachable {
                            continue;
                        }
                        let mut c = change(client, fqdn, port, p, before, after, unreachable);
                        c.protocol = protocol;
                        if protocol == "tls" {
                            // The connection's SNI is the host connected to.
                            c.request = format!("with SNI {fqdn}");
                        }
                        // Client groups alike in a change are one sentence.
                        match out.iter_mut().find(|o: &&mut TrafficChange| {
                            o.host == c.host
                                && o.port == c.port
                                && o.protocol == c.protocol
                                && o.request == c.request
                                && o.before == c.before
                                && o.after == c.after
                                && o.kind == c.kind
                                && o.at == c.at
                        }) {
                            Some(o) => o.clients.extend(c.clients),
                            None => out.push(c),
                        }
                    }
                }
            }
            out
        })
        .collect();
    let mut out: Vec<TrafficChange> = per_host.into_iter().flatten().collect();
    for c in &mut out {
        // In name order, so a sentence reads the same whatever order the groups were found in.
        c.clients.sort();
        c.clients.dedup();
        c.sentence = sentence(c);
    }
    out
}

/// `a`, `a and b`, `a, b and c`.
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn sentence(c: &TrafficChange) -> String {
    let request = if c.request.is_empty() {
        String::new()
    } else {
        format!(" {}", c.request)
    };
    let place =
        c.at.as_ref()
            .map_or(String::new(), |a| format!(" ({})", a.describe()));
    let what = match c.protocol {
        "tcp" => "TCP connections",
        "tls" => "TLS connections",
        _ => "requests",
    };
    let mut s = format!(
        "{what} from {} to {}:{}{request}: {} → {}{place}",
        and_list(&c.clients),
        c.host,
        c.port,
        c.before,
        c.after
    );
    if let Some(note) = &c.note {
        s.push_str("; ");
        s.push_str(note);
    }
    s
}

fn change(
    client: &Client,
    fqdn: &str,
    port: u32,
    p: &Probe,
    before: Outcome,
    after: Outcome,
    unreachable: bool,
) -> TrafficChange {
    let kind = if unreachable {
        "unreachable"
    } else if before.ok && !after.ok {
        "fails"
    } else if !before.ok && after.ok {
        "recovers"
    } else {
        "changed"
    };
    let note = match (&p.head_route, &after.route) {
        (Some(own), Some(took)) if unreachable => Some(format!(
            "{own} becomes unreachable: {took} takes its requests first"
        )),
        _ => None,
    };
    TrafficChange {
        clients: vec![client.label.clone()],
        host: host::short(fqdn).to_string(),
        port,
        protocol: "http",
        request: p.desc.clone(),
        kind,
        before: before.text,
        after: after.text,
        at: after.at.or(before.at),
        note,
        sentence: String::new(),
    }
}
