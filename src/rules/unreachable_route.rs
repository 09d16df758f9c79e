//! `unreachable-route`: routes that can never match, and (with `ineffective-match`) match entries
//! that are never used. The shadowing analysis is shared by both rules; this module reports the
//! whole-route findings and the cross-VirtualService conflicts at gateways.

use std::collections::{BTreeMap, HashSet};

use crate::diag::{Diagnostic, Severity};
use crate::mesh::matching::{HttpCondition, L4Condition};
use crate::mesh::{GatewayRef, GwIdx, VsIdx};
use crate::model::Res;
use crate::model::networking::{Server, VirtualService};
use crate::rules::{Context, Rule, ineffective_match};
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
    report(cx, Emit::Unreachable, out);
    gateway_merge_conflicts(cx, out);
}

/// Which findings of the shared analysis a rule reports.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Emit {
    Unreachable,
    Ineffective,
}

/// A kind of match condition routes are tried with.
pub(crate) trait Condition: std::fmt::Display {
    fn covers(&self, other: &Self) -> bool;
}

impl Condition for HttpCondition {
    fn covers(&self, other: &Self) -> bool {
        HttpCondition::covers(self, other)
    }
}

impl Condition for L4Condition {
    fn covers(&self, other: &Self) -> bool {
        L4Condition::covers(self, other)
    }
}

/// One route as the shadowing analysis sees it.
pub(crate) struct RouteView<C> {
    /// `http[2]`, or `http[2] "name"`.
    pub label: String,
    /// The `match` entries with their locations; empty when the route has no `match`.
    pub matches: Vec<(C, Loc)>,
    /// Where the route item starts (its first line).
    pub at: Loc,
    /// A delegating route: its effective matches come from the delegate, so it shadows nothing.
    pub delegates: bool,
}

/// What takes a route's requests first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Shadower {
    pub route: usize,
    /// `None`: the route has no `match`.
    pub index: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Finding {
    /// Every request the route could match is taken by earlier routes.
    Unreachable { route: usize, by: Vec<Shadower> },
    /// One `match` entry of a route that is otherwise reachable is never used.
    Ineffective {
        route: usize,
        index: usize,
        by: Shadower,
        same_route: bool,
    },
}

/// The shadowing analysis over one ordered route list: quadratic in the routes of one list only.
/// `any` is the condition of a route without `match`.
pub(crate) fn analyze<C: Condition>(routes: &[RouteView<C>], any: &C) -> Vec<Finding> {
    let mut findings = Vec::new();
    // Conditions of earlier routes that can shadow later ones.
    let mut earlier: Vec<(Shadower, &C)> = Vec::new();
    // Set once a route takes every request: everything after it is unreachable.
    let mut stopped: Option<Shadower> = None;
    for (r, route) in routes.iter().enumerate() {
        if let Some(by) = stopped {
            findings.push(Finding::Unreachable {
                route: r,
                by: vec![by],
            });
            continue;
        }
        if route.matches.is_empty() {
            if !route.delegates {
                stopped = Some(Shadower {
                    route: r,
                    index: None,
                });
            }
            continue;
        }
        let n = route.matches.len();
        let mut by_earlier: Vec<Option<Shadower>> = route
            .matches
            .iter()
            .map(|(c, _)| earlier.iter().find(|(_, e)| e.covers(c)).map(|(s, _)| *s))
            .collect();
        // A match covered by an earlier match of the same route.
        let mut by_same: Vec<Option<usize>> = vec![None; n];
        for m in 0..n {
            if by_earlier[m].is_some() {
                continue;
            }
            if let Some(k) = (0..m).find(|&k| route.matches[k].0.covers(&route.matches[m].0)) {
                by_same[m] = Some(k);
                // Covered by a match that is itself taken earlier: taken earlier too.
                by_earlier[m] = by_earlier[k];
            }
        }
        if by_earlier.iter().all(Option::is_some) {
            let mut by: Vec<Shadower> = by_earlier.into_iter().flatten().collect();
            let mut seen = HashSet::new();
            by.retain(|s| seen.insert(*s));
            findings.push(Finding::Unreachable { route: r, by });
            continue;
        }
        for m in 0..n {
            if let Some(by) = by_earlier[m] {
                findings.push(Finding::Ineffective {
                    route: r,
                    index: m,
                    by,
                    same_route: false,
                });
            } else if let Some(k) = by_same[m] {
                let by = Shadower {
                    route: r,
                    index: Some(k),
                };
                findings.push(Finding::Ineffective {
                    route: r,
                    index: m,
                    by,
                    same_route: true,
                });
            }
        }
        if route.delegates {
            continue;
        }
        for (m, (c, _)) in route.matches.iter().enumerate() {
            if by_earlier[m].is_none() && by_same[m].is_none() {
                let s = Shadower {
                    route: r,
                    index: Some(m),
                };
                if c.covers(any) {
                    stopped = Some(s);
                }
                earlier.push((s, c));
            }
        }
    }
    findings
}

fn route_label(kind: &str, i: usize, name: Option<&str>) -> String {
    match name {
        Some(n) => format!("{kind}[{i}] {n:?}"),
        None => format!("{kind}[{i}]"),
    }
}

/// The resolved gateways a VirtualService is bound to.
pub(crate) fn vs_gateways(cx: &Context<'_>, vs: VsIdx) -> Vec<GatewayRef> {
    cx.mesh.virtual_services[vs]
        .gateways
        .iter()
        .map(|(g, _)| g.clone())
        .collect()
}

pub(crate) fn http_views(
    cx: &Context<'_>,
    vs: &Res<VirtualService>,
    gateways: &[GatewayRef],
) -> Vec<RouteView<HttpCondition>> {
    vs.spec
        .http
        .iter()
        .enumerate()
        .map(|(i, r)| RouteView {
            label: route_label("http", i, r.name.as_ref().map(|n| n.value.as_str())),
            matches: r
                .matches
                .iter()
                .map(|m| {
                    (
                        HttpCondition::from_match(m, vs.namespace(), gateways),
                        cx.model.sources.trimmed(m.at),
                    )
                })
                .collect(),
            at: cx.model.sources.first_line(r.at),
            delegates: r.delegate.is_some(),
        })
        .collect()
}

fn tcp_views(
    cx: &Context<'_>,
    vs: &Res<VirtualService>,
    gateways: &[GatewayRef],
) -> Vec<RouteView<L4Condition>> {
    vs.spec
        .tcp
        .iter()
        .enumerate()
        .map(|(i, r)| RouteView {
            label: route_label("tcp", i, None),
            matches: r
                .matches
                .iter()
                .map(|m| {
                    (
                        L4Condition::from_tcp(m, vs.namespace(), gateways),
                        cx.model.sources.trimmed(m.at),
                    )
                })
                .collect(),
            at: cx.model.sources.first_line(r.at),
            delegates: false,
        })
        .collect()
}

fn tls_views(
    cx: &Context<'_>,
    vs: &Res<VirtualService>,
    gateways: &[GatewayRef],
) -> Vec<RouteView<L4Condition>> {
    vs.spec
        .tls
        .iter()
        .enumerate()
        .map(|(i, r)| RouteView {
            label: route_label("tls", i, None),
            matches: r
                .matches
                .iter()
                .map(|m| {
                    (
                        L4Condition::from_tls(m, vs.namespace(), gateways),
                        cx.model.sources.trimmed(m.at),
                    )
                })
                .collect(),
            at: cx.model.sources.first_line(r.at),
            delegates: false,
        })
        .collect()
}

/// Runs the analysis over every VirtualService and reports the findings of one kind.
pub(crate) fn report(cx: &Context<'_>, emit: Emit, out: &mut Vec<Diagnostic>) {
    for (i, vs) in cx.model.virtual_services.iter().enumerate() {
        let gateways = vs_gateways(cx, i);
        // On the only listener port of the VirtualService's services, a match on that port
        // always holds (`Mesh::vs_single_port`): compare the routes without it.
        let single_port = cx.mesh.vs_single_port(cx.model, i);
        let mut http = http_views(cx, vs, &gateways);
        let mut tcp = tcp_views(cx, vs, &gateways);
        if let Some(p) = single_port {
            let note = format!(" on port {p}, the only port of its services");
            for r in &mut http {
                let mut cleared = false;
                for (m, _) in &mut r.matches {
                    if m.port == Some(p) {
                        m.port = None;
                        cleared = true;
                    }
                }
                if cleared {
                    r.label.push_str(&note);
                }
            }
            for r in &mut tcp {
                let mut cleared = false;
                for (m, _) in &mut r.matches {
                    if m.port == Some(p) {
                        m.port = None;
                        cleared = true;
                    }
                }
                if cleared {
                    r.label.push_str(&note);
                }
            }
        }
        let findings = analyze(&http, &HttpCondition::any(&gateways));
        describe(vs, &http, &findings, emit, "request", out);
        let findings = analyze(&tcp, &L4Condition::any(&gateways));
        describe(vs, &tcp, &findings, emit, "connection", out);
        let tls = tls_views(cx, vs, &gateways);
        let findings = analyze(&tls, &L4Condition::any(&gateways));
        describe(vs, &tls, &findings, emit, "connection", out);
    }
}

/// `http[0]`, or `http[0] match[1]` when the route has several matches.
fn match_label<C>(routes: &[RouteView<C>], s: Shadower) -> String {
    match s.index {
        Some(m) if routes[s.route].matches.len() > 1 => {
            format!("{} match[{m}]", routes[s.route].label)
        }
        _ => routes[s.route].label.clone(),
    }
}

fn shadower_text<C: Condition>(routes: &[RouteView<C>], s: Shadower, unit: &str) -> String {
    match s.index {
        None => format!("{} (no `match`: every {unit})", routes[s.route].label),
        Some(m) => format!(
            "{} ({})",
            match_label(routes, s),
            routes[s.route].matches[m].0
        ),
    }
}

fn shadower_loc<C>(routes: &[RouteView<C>], s: Shadower) -> Loc {
    match s.index {
        None => routes[s.route].at,
        Some(m) => routes[s.route].matches[m].1,
    }
}

fn describe<C: Condition>(
    vs: &Res<VirtualService>,
    routes: &[RouteView<C>],
    findings: &[Finding],
    emit: Emit,
    unit: &str,
    out: &mut Vec<Diagnostic>,
) {
    for finding in findings {
        match (finding, emit) {
            (Finding::Unreachable { route, by }, Emit::Unreachable) => {
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
                        let list: Vec<String> =
                            by.iter().map(|s| shadower_text(routes, *s, unit)).collect();
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
                        Some(_) => format!("{} takes these {unit}s first", match_label(routes, *s)),
                    };
                    d = d.related(shadower_loc(routes, *s), text);
                }
                out.push(d);
            }
            (
                Finding::Ineffective {
                    route,
                    index,
                    by,
                    same_route,
                },
                Emit::Ineffective,
            ) => {
                let view = &routes[*route];
                let (cond, loc) = &view.matches[*index];
                let by_text = if *same_route {
                    let k = by.index.unwrap_or(0);
                    format!(
                        "match[{k}] of the same route ({}) comes first and matches all of them",
                        view.matches[k].0
                    )
                } else {
                    format!(
                        "{} before it takes every {unit} this entry matches",
                        shadower_text(routes, *by, unit)
                    )
                };
                let message = format!(
                    "{} match[{index}] ({cond}) is never used: {by_text}",
                    view.label
                );
                let help = if *same_route {
                    "remove this redundant `match` entry".to_string()
                } else {
                    format!(
                        "remove this `match` entry, or move {} above {} if these {unit}s should go to it",
                        view.label, routes[by.route].label
                    )
                };
                out.push(
                    Diagnostic::new(&ineffective_match::RULE, *loc, message)
                        .help(help)
                        .related(
                            shadower_loc(routes, *by),
                            format!("{} matches these {unit}s first", match_label(routes, *by)),
                        )
                        .resource(Some(vs.resource_ref())),
                );
            }
            _ => {}
        }
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
                http_views(cx, &cx.model.virtual_services[vi], &vs_gateways(cx, vi)),
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
                    vec![(None, HttpCondition::any(&vs_gateways(cx, vi)), view.at)]
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A toy condition: a path prefix (`""` matches everything).
    struct P(&'static str);

    impl std::fmt::Display for P {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "prefix {}", self.0)
        }
    }

    impl Condition for P {
        fn covers(&self, other: &Self) -> bool {
            other.0.starts_with(self.0)
        }
    }

    fn route(matches: &[&'static str]) -> RouteView<P> {
        RouteView {
            label: String::new(),
            matches: matches.iter().map(|m| (P(m), Loc::default())).collect(),
            at: Loc::default(),
            delegates: false,
        }
    }

    fn at(route: usize, index: Option<usize>) -> Shadower {
        Shadower { route, index }
    }

    #[test]
    fn a_route_is_unreachable_only_when_every_match_is_taken() {
        let routes = [
            route(&["/a"]),
            route(&["/a/b", "/c"]),
            route(&["/a/x", "/c/d"]),
        ];
        let found = analyze(&routes, &P(""));
        assert_eq!(
            found,
            [
                Finding::Ineffective {
                    route: 1,
                    index: 0,
                    by: at(0, Some(0)),
                    same_route: false
                },
                Finding::Unreachable {
                    route: 2,
                    by: vec![at(0, Some(0)), at(1, Some(1))]
                },
            ]
        );
    }

    #[test]
    fn everything_after_a_catch_all_is_unreachable_and_a_last_catch_all_is_fine() {
        let routes = [route(&["/a"]), route(&[]), route(&["/b"]), route(&[])];
        let found = analyze(&routes, &P(""));
        assert_eq!(
            found,
            [
                Finding::Unreachable {
                    route: 2,
                    by: vec![at(1, None)]
                },
                Finding::Unreachable {
                    route: 3,
                    by: vec![at(1, None)]
                },
            ]
        );
        let last = [route(&["/a"]), route(&["/b"]), route(&[])];
        assert!(analyze(&last, &P("")).is_empty());
        // A catch-all match (not only a missing `match`) stops the list too.
        let slash = [route(&["/a", ""]), route(&["/b"])];
        assert_eq!(
            analyze(&slash, &P("")),
            [Finding::Unreachable {
                route: 1,
                by: vec![at(0, Some(1))]
            }]
        );
    }

    #[test]
    fn matches_shadowed_within_their_own_route_and_through_it() {
        let routes = [route(&["/a", "/a/b"]), route(&["/c", "/c/d"])];
        let found = analyze(&routes, &P(""));
        assert_eq!(
            found,
            [
                Finding::Ineffective {
                    route: 0,
                    index: 1,
                    by: at(0, Some(0)),
                    same_route: true
                },
                Finding::Ineffective {
                    route: 1,
                    index: 1,
                    by: at(1, Some(0)),
                    same_route: true
                },
            ]
        );
        // A match covered by a sibling that is itself taken earlier is taken earlier too.
        let chained = [route(&["/a"]), route(&["/a/b", "/a/b/c"])];
        assert_eq!(
            analyze(&chained, &P("")),
            [Finding::Unreachable {
                route: 1,
                by: vec![at(0, Some(0))]
            }]
        );
    }

    #[test]
    fn delegating_routes_shadow_nothing() {
        let mut delegating = route(&["/a"]);
        delegating.delegates = true;
        let routes = [delegating, route(&["/a/b"])];
        assert!(analyze(&routes, &P("")).is_empty());
        let mut matchless = route(&[]);
        matchless.delegates = true;
        assert!(analyze(&[matchless, route(&["/x"])], &P("")).is_empty());
    }
}
