//! Route shadowing: which routes of a VirtualService can never match, and which `match` entries
//! are never used, because an earlier route (or an earlier entry of the same route) takes every
//! request they would. Envoy tries a route table in order and the first match wins (`route.go`
//! `TranslateRoutes`); whether one condition takes every request of another is
//! [`HttpCondition::covers`] / [`L4Condition::covers`] in [`super::matching`].
//!
//! One analysis, two rules: `unreachable-route` reports the [`Finding::Unreachable`] routes (and
//! the gateway merge conflicts), `ineffective-match` the [`Finding::Ineffective`] entries.

use std::collections::HashSet;

use super::matching::{HttpCondition, L4Condition};
use super::{GatewayRef, Mesh, VsIdx};
use crate::model::networking::VirtualService;
use crate::model::{Model, Res};
use crate::source::Loc;

/// A kind of match condition routes are tried with.
pub trait Condition: std::fmt::Display {
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
pub struct RouteView<C> {
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
pub struct Shadower {
    pub route: usize,
    /// `None`: the route has no `match`.
    pub index: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
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
pub fn analyze<C: Condition>(routes: &[RouteView<C>], any: &C) -> Vec<Finding> {
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
pub fn vs_gateways(mesh: &Mesh, vs: VsIdx) -> Vec<GatewayRef> {
    mesh.virtual_services[vs]
        .gateways
        .iter()
        .map(|(g, _)| g.clone())
        .collect()
}

pub fn http_views(
    model: &Model,
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
                        model.sources.trimmed(m.at),
                    )
                })
                .collect(),
            at: model.sources.first_line(r.at),
            delegates: r.delegate.is_some(),
        })
        .collect()
}

fn tcp_views(
    model: &Model,
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
                        model.sources.trimmed(m.at),
                    )
                })
                .collect(),
            at: model.sources.first_line(r.at),
            delegates: false,
        })
        .collect()
}

fn tls_views(
    model: &Model,
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
                        model.sources.trimmed(m.at),
                    )
                })
                .collect(),
            at: model.sources.first_line(r.at),
            delegates: false,
        })
        .collect()
}

/// One ordered route list of a VirtualService (`http`, `tcp` or `tls`) with what the analysis
/// found in it.
pub struct RouteList<C> {
    pub routes: Vec<RouteView<C>>,
    pub findings: Vec<Finding>,
    /// What the routes take: `request` (HTTP) or `connection` (TCP, TLS).
    pub unit: &'static str,
}

impl<C: Condition> RouteList<C> {
    fn new(routes: Vec<RouteView<C>>, any: &C, unit: &'static str) -> Self {
        let findings = analyze(&routes, any);
        RouteList {
            routes,
            findings,
            unit,
        }
    }

    /// `http[0]`, or `http[0] match[1]` when the route has several matches.
    pub fn match_label(&self, s: Shadower) -> String {
        let routes = &self.routes;
        match s.index {
            Some(m) if routes[s.route].matches.len() > 1 => {
                format!("{} match[{m}]", routes[s.route].label)
            }
            _ => routes[s.route].label.clone(),
        }
    }

    /// The shadowing route or entry with its condition, for a message.
    pub fn shadower_text(&self, s: Shadower) -> String {
        let routes = &self.routes;
        match s.index {
            None => format!(
                "{} (no `match`: every {})",
                routes[s.route].label, self.unit
            ),
            Some(m) => format!("{} ({})", self.match_label(s), routes[s.route].matches[m].0),
        }
    }

    /// Where the shadowing entry is (the route's first line when it has no `match`).
    pub fn shadower_loc(&self, s: Shadower) -> Loc {
        match s.index {
            None => self.routes[s.route].at,
            Some(m) => self.routes[s.route].matches[m].1,
        }
    }
}

/// The shadowing analysis of one VirtualService's three route lists.
pub struct VsShadowing {
    pub http: RouteList<HttpCondition>,
    pub tcp: RouteList<L4Condition>,
    pub tls: RouteList<L4Condition>,
}

/// Runs the analysis over the routes of VirtualService `vs`.
pub fn virtual_service(model: &Model, mesh: &Mesh, vs: VsIdx) -> VsShadowing {
    let res = &model.virtual_services[vs];
    let gateways = vs_gateways(mesh, vs);
    let mut http = http_views(model, res, &gateways);
    let mut tcp = tcp_views(model, res, &gateways);
    // On the only listener port of the VirtualService's services, a match on that port always
    // holds (`Mesh::vs_single_port`): compare the routes without it.
    if let Some(p) = mesh.vs_single_port(model, vs) {
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
    let tls = tls_views(model, res, &gateways);
    VsShadowing {
        http: RouteList::new(http, &HttpCondition::any(&gateways), "request"),
        tcp: RouteList::new(tcp, &L4Condition::any(&gateways), "connection"),
        tls: RouteList::new(tls, &L4Condition::any(&gateways), "connection"),
    }
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
