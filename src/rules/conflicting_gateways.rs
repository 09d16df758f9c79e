use std::collections::{BTreeMap, HashMap};

use crate::diag::{Diagnostic, Severity};
use crate::mesh::GwIdx;
use crate::model::networking::Server;
use crate::rules::{Context, Rule};
use crate::source::Loc;

pub const RULE: Rule = Rule {
    name: "conflicting-gateways",
    code: Some("IST0145"),
    codes: &["IST0145", "KIA0301"],
    severity: Severity::Error,
    summary: "Gateways on the same workloads serve the same host on the same port",
    doc: include_str!("../../rules/conflicting-gateways.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

/// Whether two Gateways configure the same proxies: the same selector, or a workload both select.
fn same_workloads(cx: &Context<'_>, a: GwIdx, b: GwIdx) -> bool {
    let (sa, sb) = (
        &cx.model.gateways[a].spec.selector,
        &cx.model.gateways[b].spec.selector,
    );
    let same_selector = sa.len() == sb.len()
        && sa
            .iter()
            .all(|(k, v)| sb.get(k).is_some_and(|w| w.value == v.value));
    if same_selector {
        return true;
    }
    let (wa, wb) = (&cx.mesh.gateway_workloads[a], &cx.mesh.gateway_workloads[b]);
    let (mut i, mut j) = (0, 0);
    while i < wa.len() && j < wb.len() {
        match wa[i].cmp(&wb[j]) {
            std::cmp::Ordering::Equal => return true,
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    false
}

fn protocol(server: &Server) -> String {
    server
        .port
        .as_ref()
        .and_then(|p| p.protocol.as_ref())
        .map_or(String::new(), |p| p.value.to_ascii_uppercase())
}

fn is_plain_http(server: &Server) -> bool {
    server.tls.is_none()
        && matches!(
            protocol(server).as_str(),
            "HTTP" | "HTTP2" | "GRPC" | "GRPC-WEB"
        )
}

/// A server whose hosts are matched by SNI: TLS settings, or an HTTPS or TLS port.
fn is_tls(server: &Server) -> bool {
    server.tls.is_some() || matches!(protocol(server).as_str(), "HTTPS" | "TLS")
}

/// A plain TCP-family server (no HTTP routing, no TLS): one filter chain for the whole port.
fn is_plain_tcp(server: &Server) -> bool {
    server.tls.is_none()
        && matches!(
            protocol(server).as_str(),
            "TCP" | "MONGO" | "MYSQL" | "REDIS"
        )
}

/// An HTTP and a TCP server on one port of the same workloads: `mergeGateways` cannot merge
/// their protocols and skips the server that comes later in creation order, whatever the hosts.
/// Pairs already reported for a shared host are left to that finding.
fn port_protocol_clashes(
    cx: &Context<'_>,
    by_port: &BTreeMap<(u32, String), Vec<ServerHostAt>>,
    host_clashes: &BTreeMap<(GwIdx, usize), Vec<Clash>>,
    out: &mut Vec<Diagnostic>,
) {
    for ((port, _), entries) in by_port {
        for (x, &(ga, sa, la)) in entries.iter().enumerate() {
            for &(gb, sb, lb) in &entries[x + 1..] {
                let (a, b) = (&cx.model.gateways[ga], &cx.model.gateways[gb]);
                let (server_a, server_b) = (&a.spec.servers[sa], &b.spec.servers[sb]);
                let mixed = (is_plain_http(server_a) && is_plain_tcp(server_b))
                    || (is_plain_tcp(server_a) && is_plain_http(server_b));
                let already = host_clashes
                    .get(&(ga, sa))
                    .is_some_and(|l| l.iter().any(|c| c.other == gb && c.other_server == sb));
                if !mixed || already || !same_workloads(cx, ga, gb) {
                    continue;
                }
                let who = if ga == gb {
                    "another server of this Gateway".to_string()
                } else {
                    format!("gateway {}/{}", a.namespace(), a.name())
                };
                let message = format!(
                    "{who} also uses port {port} of the same workloads, as {} while this server is {}: a port of a gateway proxy serves one protocol, so Istio keeps the server created first and drops the other whatever their hosts (`mergeGateways`), and the files do not show which one that is",
                    protocol(server_a),
                    protocol(server_b),
                );
                out.push(
                    Diagnostic::new(&RULE, lb, message)
                        .help("serve HTTP and TCP on different ports of the gateway")
                        .related(la, format!("gateway {}/{} uses port {port} here", a.namespace(), a.name()))
                        .resource(Some(b.resource_ref())),
                );
            }
        }
    }
}

struct Clash {
    other: GwIdx,
    other_server: usize,
    host: String,
    here: Loc,
    there: Loc,
}

/// A gateway, one of its servers, and where a host of that server is written.
type ServerHostAt = (GwIdx, usize, Loc);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // (port, bind, host as written with its namespace) → (gateway, server, where the host is).
    let mut by_host: HashMap<(u32, String, String), Vec<ServerHostAt>> = HashMap::new();
    // (port, bind) → servers, for protocols that cannot share a port whatever their hosts.
    let mut by_port: BTreeMap<(u32, String), Vec<ServerHostAt>> = BTreeMap::new();
    for (g, gw) in cx.model.gateways.iter().enumerate() {
        for (si, server) in gw.spec.servers.iter().enumerate() {
            let Some(port) = server.port.as_ref().and_then(|p| p.number.as_ref()) else {
                continue;
            };
            let bind = server
                .bind
                .as_ref()
                .map_or(String::new(), |b| b.value.clone());
            // A TLS server's hosts become SNI names of its filter chain with their namespace part
            // stripped (`GetSNIHostsForServer`), so `a/x` and `b/x` there are one SNI name.
            let sni = is_tls(server);
            for sh in cx.mesh.gateway_hosts[g].get(si).into_iter().flatten() {
                let host = match &sh.namespace {
                    Some(ns) if !sni => format!("{ns}/{}", sh.host),
                    _ => sh.host.clone(),
                };
                by_host
                    .entry((port.value, bind.clone(), host))
                    .or_default()
                    .push((g, si, sh.loc));
            }
            by_port
                .entry((port.value, bind))
                .or_default()
                .push((g, si, port.loc));
        }
    }
    let mut clashes: BTreeMap<(GwIdx, usize), Vec<Clash>> = BTreeMap::new();
    for ((_, _, host), entries) in &by_host {
        for (x, &(ga, sa, la)) in entries.iter().enumerate() {
            for &(gb, sb, lb) in &entries[x + 1..] {
                let (a, b) = (&cx.model.gateways[ga], &cx.model.gateways[gb]);
                if ga == gb
                    || (a.name() == b.name() && a.namespace() == b.namespace())
                    || !same_workloads(cx, ga, gb)
                {
                    continue;
                }
                let list = clashes.entry((ga, sa)).or_default();
                if !list.iter().any(|c| c.other == gb && c.other_server == sb) {
                    list.push(Clash {
                        other: gb,
                        other_server: sb,
                        host: host.clone(),
                        here: la,
                        there: lb,
                    });
                }
                let list = clashes.entry((gb, sb)).or_default();
                if !list.iter().any(|c| c.other == ga && c.other_server == sa) {
                    list.push(Clash {
                        other: ga,
                        other_server: sa,
                        host: host.clone(),
                        here: lb,
                        there: la,
                    });
                }
            }
        }
    }
    port_protocol_clashes(cx, &by_port, &clashes, out);
    for ((g, si), list) in clashes {
        let gw = &cx.model.gateways[g];
        let server = &gw.spec.servers[si];
        let port = server
            .port
            .as_ref()
            .and_then(|p| p.number.as_ref())
            .map_or(0, |n| n.value);
        let others: Vec<String> = list
            .iter()
            .map(|c| {
                let o = &cx.model.gateways[c.other];
                format!("{}/{}", o.namespace(), o.name())
            })
            .collect();
        let mut hosts: Vec<&str> = list.iter().map(|c| c.host.as_str()).collect();
        hosts.sort_unstable();
        hosts.dedup();
        let all_http = is_plain_http(server)
            && list
                .iter()
                .all(|c| is_plain_http(&cx.model.gateways[c.other].spec.servers[c.other_server]));
        let same_protocol = list.iter().all(|c| {
            protocol(&cx.model.gateways[c.other].spec.servers[c.other_server]) == protocol(server)
        });
        let (severity, effect) = if all_http {
            (
                Severity::Warning,
                "Istio merges the servers, so the VirtualServices bound to either Gateway serve these hosts together and \
                 their routes are merged in an order that depends on creation time",
            )
        } else if !same_protocol {
            (
                Severity::Error,
                "one port of a proxy serves one protocol: Istio keeps the server created first and drops the other",
            )
        } else {
            (
                Severity::Error,
                "Istio keeps the server created first for these hosts and drops the other (`duplicate host names`), \
                 and the files do not show which one that is",
            )
        };
        let selector = gw
            .spec
            .selector
            .iter()
            .map(|(k, v)| format!("{k}={}", v.value))
            .collect::<Vec<_>>()
            .join(",");
        let message = format!(
            "gateway {} also serves host {} on port {port} of the same workloads ({selector}): {effect}",
            others.join(", "),
            hosts.join(", "),
        );
        let mut d = Diagnostic::new(&RULE, list[0].here, message)
            .severity(severity)
            .help("serve each host on a port from one Gateway only: merge the servers into one Gateway or remove the duplicate host")
            .resource(Some(gw.resource_ref()));
        for (c, name) in list.iter().zip(&others) {
            d = d.related(c.there, format!("gateway {name} serves {} here", c.host));
        }
        out.push(d);
    }
}
