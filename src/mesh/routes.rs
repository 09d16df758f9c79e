//! Every destination a VirtualService names, in one walk: `http[].route[]`, `tls[].route[]`,
//! `tcp[].route[]`, `http[].mirror` and `http[].mirrors[]` (the same set istioctl's
//! `getRouteDestinations` + `getHTTPMirrorDestinations` visit).

use crate::model::networking::{Destination, VirtualService};
use crate::model::node::Spanned;
use crate::source::Loc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteKind {
    Http,
    Tls,
    Tcp,
}

impl RouteKind {
    pub fn key(self) -> &'static str {
        match self {
            RouteKind::Http => "http",
            RouteKind::Tls => "tls",
            RouteKind::Tcp => "tcp",
        }
    }
}

/// What a destination is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DestRole {
    /// `route[j].destination`: receives the traffic.
    Route,
    /// `http[i].mirror`: receives a copy.
    Mirror,
    /// `http[i].mirrors[j].destination`: receives a copy.
    Mirrors,
}

impl DestRole {
    pub fn is_mirror(self) -> bool {
        !matches!(self, DestRole::Route)
    }
}

/// One destination and where it sits in the VirtualService.
#[derive(Debug, Clone, Copy)]
pub struct DestinationRef<'m> {
    pub kind: RouteKind,
    pub role: DestRole,
    /// Index of the rule in `http`/`tls`/`tcp`.
    pub rule: usize,
    /// Index in `route` or `mirrors` (0 for `mirror`).
    pub index: usize,
    pub destination: &'m Destination,
    pub weight: Option<&'m Spanned<i64>>,
}

impl DestinationRef<'_> {
    /// `http[0].route[1]`, `http[2].mirror`, `tcp[0].route[0]`.
    pub fn path(&self) -> String {
        let rule = format!("{}[{}]", self.kind.key(), self.rule);
        match self.role {
            DestRole::Route => format!("{rule}.route[{}]", self.index),
            DestRole::Mirror => format!("{rule}.mirror"),
            DestRole::Mirrors => format!("{rule}.mirrors[{}]", self.index),
        }
    }

    /// The host as written, if any.
    pub fn host(&self) -> Option<&Spanned<String>> {
        self.destination
            .host
            .as_ref()
            .filter(|h| !h.value.is_empty())
    }
}

/// Every destination of a VirtualService, in document order per section (http, tls, tcp).
pub fn destinations(vs: &VirtualService) -> Vec<DestinationRef<'_>> {
    let mut out = Vec::new();
    for (i, rule) in vs.http.iter().enumerate() {
        for (j, rd) in rule.route.iter().enumerate() {
            if let Some(destination) = &rd.destination {
                out.push(DestinationRef {
                    kind: RouteKind::Http,
                    role: DestRole::Route,
                    rule: i,
                    index: j,
                    destination,
                    weight: rd.weight.as_ref(),
                });
            }
        }
        if let Some(destination) = &rule.mirror {
            out.push(DestinationRef {
                kind: RouteKind::Http,
                role: DestRole::Mirror,
                rule: i,
                index: 0,
                destination,
                weight: None,
            });
        }
        for (j, m) in rule.mirrors.iter().enumerate() {
            if let Some(destination) = &m.destination {
                out.push(DestinationRef {
                    kind: RouteKind::Http,
                    role: DestRole::Mirrors,
                    rule: i,
                    index: j,
                    destination,
                    weight: None,
                });
            }
        }
    }
    for (kind, rules) in [
        (
            RouteKind::Tls,
            vs.tls.iter().map(|r| &r.route).collect::<Vec<_>>(),
        ),
        (
            RouteKind::Tcp,
            vs.tcp.iter().map(|r| &r.route).collect::<Vec<_>>(),
        ),
    ] {
        for (i, route) in rules.into_iter().enumerate() {
            for (j, rd) in route.iter().enumerate() {
                if let Some(destination) = &rd.destination {
                    out.push(DestinationRef {
                        kind,
                        role: DestRole::Route,
                        rule: i,
                        index: j,
                        destination,
                        weight: rd.weight.as_ref(),
                    });
                }
            }
        }
    }
    out
}

/// Route entries and mirrors that name no destination host at all (`- {}`, `destination: {}`,
/// `mirror: {}`), with their path and where they are written. Istio rejects them ("destination is
/// required"); istioctl reports them as a missing host `""`.
pub fn hostless(vs: &VirtualService) -> Vec<(String, Loc)> {
    let no_host = |d: &Option<Destination>| {
        d.as_ref()
            .is_none_or(|d| d.host.as_ref().is_none_or(|h| h.value.is_empty()))
    };
    let mut out = Vec::new();
    for (i, rule) in vs.http.iter().enumerate() {
        for (j, rd) in rule.route.iter().enumerate() {
            if no_host(&rd.destination) {
                out.push((
                    format!("http[{i}].route[{j}]"),
                    rd.destination.as_ref().map_or(rd.at, |d| d.at),
                ));
            }
        }
        if let Some(m) = &rule.mirror
            && m.host.as_ref().is_none_or(|h| h.value.is_empty())
        {
            out.push((format!("http[{i}].mirror"), m.at));
        }
        for (j, m) in rule.mirrors.iter().enumerate() {
            if no_host(&m.destination) {
                out.push((
                    format!("http[{i}].mirrors[{j}]"),
                    m.destination.as_ref().map_or(m.at, |d| d.at),
                ));
            }
        }
    }
    for (i, rule) in vs.tls.iter().enumerate() {
        for (j, rd) in rule.route.iter().enumerate() {
            if no_host(&rd.destination) {
                out.push((
                    format!("tls[{i}].route[{j}]"),
                    rd.destination.as_ref().map_or(rd.at, |d| d.at),
                ));
            }
        }
    }
    for (i, rule) in vs.tcp.iter().enumerate() {
        for (j, rd) in rule.route.iter().enumerate() {
            if no_host(&rd.destination) {
                out.push((
                    format!("tcp[{i}].route[{j}]"),
                    rd.destination.as_ref().map_or(rd.at, |d| d.at),
                ));
            }
        }
    }
    out
}
