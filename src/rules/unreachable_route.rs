//! `unreachable-route`: routes that can never match because earlier routes take every request
//! they would (the shadowing analysis is `mesh::shadowing`, which `ineffective-match` reports the
//! unused `match` entries of), and routes of two VirtualServices merged at a gateway that match
//! the same requests.

use std::collections::{BTreeMap, HashSet};

use crate::diag::{Diagnostic, Severity};
use crate::mesh::matching::HttpCondition;
use crate::mesh::shadowing::{
    self, Condition, Finding, RouteList, RouteView, Shadower, http_views, vs_gateways,
};
use crate::mesh::{GatewayRef, GwIdx, VsIdx};
use crate::model::Res;
use crate::model::networking::{Server, VirtualService};
use crate::rules::{Context, Rule};
use crate::source::Loc;

pub const RULE: Rule = Rule {
    name: "unreachable-route",
    code: Some("IST0130"),
    codes: &["IST0130"],
    severity: Severity::Warning,
    summary: "a route that can never match because an earlier route takes every request it would",
    doc: include_str!("../../rules/unreachable-route.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (i, vs) in cx.model.virtual_services.iter().enumerate() {
        let found = shadowing::virtual_service(cx.model, cx.mesh, i);
        describe(vs, &found.http, out);
        describe(vs, &found.tcp, out);
        describe(vs, &found.tls, out);
    }
    gateway_merge_conflicts(cx, out);
}

fn describe<C: Condition>(
    vs: &Res<VirtualService>,
    list: &RouteList<C>,
    out: &mut Vec<Diagnostic>,
) {
    let (routes, unit) = (&list.routes, list.unit);
    for finding in &list.findings {
        let Finding::Unreachable { route, by } = finding else {
            continue;
        };
        let view = &routes[*route];
        let what = match view.matches.as_slice() {
            [] => format!("{} (no `match`)", view.label),
            [(c, _)] => format!("{} ({c})", view.label),
            many => format!("{} (all {} of its `match` entries)", view.label, many.len()),
        };
        let message = match by.as_slice() {
            [s @ Shadower { index: None, .. }] => format!(
                "{what} can never match: {} before it has no `match`, so it takes every {unit}",
                routes[s.route].label
            ),
            _ => {
                let list: Vec<String> = by.iter().map(|s| list.shadower_text(*s)).collect();
                format!(
                    "{what} can never match: every {unit} it matches is taken first by {}",
                    list.join(" and ")
                )
            }
        };
        let first = by[0];
        let help = if first.index.is_none() {
            format!(
                "routes are tried in order and the first match wins: move {} to the end of the list (only the last route may catch everything), or give it a `match`",
                routes[first.route].label
            )
        } else {
            format!(
                "routes are tried in order and the first match wins: move {} above {}, or narrow the earlier match",
                view.label, routes[first.route].label
            )
        };
        let loc = view.matches.first().map_or(view.at, |(_, l)| *l);
        let mut d = Diagnostic::new(&RULE, loc, message)
            .help(help)
            .resource(Some(vs.resource_ref()));
        for s in by {
            let text = match s.index {
                None => format!(
                    "{} has no `match` and takes every {unit}",
                    routes[s.route].label
                ),
                Some(_) => format!("{} takes these {unit}s first", list.match_label(*s)),
            };
            d = d.related(list.shadower_loc(*s), text);
        }
        out.push(d);
    }
}

// ---- VirtualServices merged at a gateway --------------------------------------------------------

/// The route table a gateway server's HTTP routes go to: one per port for plaintext HTTP (shared
/// by every server on that port), one per server for HTTPS with TLS termination. `None` for
/// servers that do not route HTTP (TCP, TLS passthrough).
fn route_table(server: &Server, gateway: GwIdx, index: usize) -> Option<String> {
    let port = server.port.as_ref()?;
    let number = port.number.as_ref()?.value;
    let protocol = port
        .protocol
        .as_ref()
        .map_or(String::new(), |p| p.value.to_ascii_uppercase());
    let passthrough = server
        .tls
        .as_ref()
        .and_then(|t| t.mode.as_ref())
        .is_some_and(|m| m.value.contains("PASSTHROUGH"));
    match protocol.as_str() {
        "HTTP" | "HTTP2" | "GRPC" | "GRPC-WEB" => Some(format!("http.{number}")),
        "HTTPS" if !passthrough => Some(format!("https.{number}.{gateway}.{index}")),
        _ => None,
    }
}

/// A match entry that takes part in a gateway merge.
struct Merged<'a> {
    vs: VsIdx,
    /// The gateway the VirtualService is bound through.
    gateway: GatewayRef,
    cond: HttpCondition,
    loc: Loc,
    label: &'a str,
}

/// Two VirtualServices whose routes are merged for one host on one gateway conflict when they
/// have matches for exactly the same requests: Istio concatenates the routes in an order the
/// files cannot show (creation time), so only one of the two is used. Catch-all routes are moved
/// to the end (`SortVHostRoutes`), so a catch-all of one VirtualService does not shadow another's
/// specific routes; two catch-alls conflict.
fn gateway_merge_conflicts(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mesh = cx.mesh;
    // (proxies, route table, virtual host) → (VirtualService, gateway it is bound through), in
    // input order.
    let mut tables: BTreeMap<(Proxies, String, String), Vec<(VsIdx, GwIdx)>> = BTreeMap::new();
    for (vi, info) in mesh.virtual_services.iter().enumerate() {
        let vs = &cx.model.virtual_services[vi];
        if info.is_delegate || vs.spec.http.is_empty() {
            continue;
        }
        for (gref, _) in &info.gateways {
            let Some(gw) = mesh.gateway(gref) else {
                continue;
            };
            // Gateways selecting the same workloads are merged into one configuration, and
            // their plaintext HTTP servers on one port share one route table.
            let proxies = match mesh.gateway_workloads[gw].as_slice() {
                [] => Proxies::Gateway(gw),
                w => Proxies::Workloads(w.to_vec()),
            };
            for (si, server) in cx.model.gateways[gw].spec.servers.iter().enumerate() {
                let Some(table) = route_table(server, gw, si) else {
                    continue;
                };
                let Some(server_hosts) = mesh.gateway_hosts[gw].get(si) else {
                    continue;
                };
                for h in &info.hosts {
                    for vhost in mesh.server_vhosts(server_hosts, vs.namespace(), h) {
                        let list = tables
                            .entry((proxies.clone(), table.clone(), vhost))
                            .or_default();
                        if !list.iter().any(|&(v, _)| v == vi) {
                            list.push((vi, gw));
                        }
                    }
                }
            }
        }
    }
    let views: std::collections::HashMap<VsIdx, Vec<RouteView<HttpCondition>>> = tables
        .values()
        .filter(|l| l.len() > 1)
        .flatten()
        .map(|&(vi, _)| {
            (
                vi,
                http_views(
                    cx.model,
                    &cx.model.virtual_services[vi],
                    &vs_gateways(cx.mesh, vi),
                ),
            )
        })
        .collect();
    let mut reported: HashSet<(VsIdx, usize, Option<usize>, VsIdx)> = HashSet::new();
    for ((_, _table, vhost), list) in &tables {
        if list.len() < 2 {
            continue;
        }
        let mut seen: std::collections::HashMap<String, Merged<'_>> =
            std::collections::HashMap::new();
        for &(vi, gw) in list {
            let vs = &cx.model.virtual_services[vi];
            let gw_res = &cx.model.gateways[gw];
            let gref = GatewayRef::Named {
                namespace: gw_res.namespace().to_string(),
                name: gw_res.name().to_string(),
            };
            for (r, view) in views[&vi].iter().enumerate() {
                if view.delegates {
                    continue;
                }
                let entries: Vec<(Option<usize>, HttpCondition, Loc)> = if view.matches.is_empty() {
                    vec![(None, HttpCondition::any(&vs_gateways(cx.mesh, vi)), view.at)]
                } else {
                    view.matches
                        .iter()
                        .enumerate()
                        .map(|(m, (c, l))| (Some(m), c.clone(), *l))
                        .collect()
                };
                let mut stop = false;
                for (index, cond, loc) in entries {
                    if !cond.gateways.contains(&gref) {
                        continue;
                    }
                    stop |=
                        cond.is_catch_all() && cond.port.is_none() && cond.source_labels.is_empty();
                    let key = merge_key(&cond);
                    let entry = Merged {
                        vs: vi,
                        gateway: gref.clone(),
                        cond,
                        loc,
                        label: &view.label,
                    };
                    match seen.get(&key) {
                        Some(first) if same_identity(cx, first.vs, vi) || first.vs == vi => {}
                        Some(first) => {
                            if reported.insert((vi, r, index, first.vs)) {
                                out.push(merge_conflict(cx, first, &entry, vhost, vs));
                            }
                        }
                        None => {
                            seen.insert(key, entry);
                        }
                    }
                }
                if stop {
                    // Istio stops generating a VirtualService's routes at its first catch-all.
                    break;
                }
            }
        }
    }
}

/// The proxies a route table belongs to: the workloads a Gateway selects, or the Gateway itself
/// when its workloads are not in the inputs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Proxies {
    Workloads(Vec<crate::mesh::WorkloadId>),
    Gateway(GwIdx),
}

/// A text that is equal for conditions matching the same requests on one gateway (catch-alls
/// share one key per port and source).
fn merge_key(cond: &HttpCondition) -> String {
    let mut c = cond.clone();
    c.explicit_gateways = false;
    if c.is_catch_all() {
        c.uri = None;
        c.ignore_uri_case = false;
        return format!("catch-all|{c}");
    }
    c.to_string()
}

/// The same object written twice (same kind, namespace and name): the later copy replaces the
/// earlier one when applied, so they never coexist.
fn same_identity(cx: &Context<'_>, a: VsIdx, b: VsIdx) -> bool {
    let (a, b) = (&cx.model.virtual_services[a], &cx.model.virtual_services[b]);
    a.name() == b.name() && a.namespace() == b.namespace()
}

fn merge_conflict(
    cx: &Context<'_>,
    first: &Merged<'_>,
    later: &Merged<'_>,
    vhost: &str,
    vs: &Res<VirtualService>,
) -> Diagnostic {
    let first_vs = &cx.model.virtual_services[first.vs];
    let other = format!("{}/{}", first_vs.namespace(), first_vs.name());
    let gateway = if first.gateway == later.gateway {
        later.gateway.to_string()
    } else {
        format!(
            "{} (VirtualService {other} is bound to gateway {}, which configures the same proxies)",
            later.gateway, first.gateway
        )
    };
    let message = if later.cond.is_catch_all() {
        format!(
            "{} catches every request for host {vhost} on gateway {gateway}, and so does {} of VirtualService {other}: \
             Istio merges the routes of both VirtualServices for this host and moves catch-all routes to the end, \
             where only the first one is used; which one comes first depends on the order the VirtualServices are merged in \
             (their creation time, which these files cannot show)",
            later.label, first.label
        )
    } else {
        format!(
            "{} ({}) matches the same requests as {} of VirtualService {other} for host {vhost} on gateway {gateway}: \
             Istio merges the routes of both VirtualServices for this host in an undefined order (creation time, which \
             these files cannot show), so only one of the two routes will ever be used",
            later.label, later.cond, first.label
        )
    };
    Diagnostic::new(&RULE, later.loc, message)
        .help(format!(
            "route these requests in one VirtualService only, or give the two routes different matches (VirtualService {other} has the other route)"
        ))
        .related(first.loc, format!("{} of VirtualService {other} matches the same requests", first.label))
        .resource(Some(vs.resource_ref()))
}
