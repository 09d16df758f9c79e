//! The security section: effective mTLS per workload and port, and authorization decisions
//! that flip.
//!
//! mTLS is compared for every workload on both sides (one lookup per workload and per port a
//! PeerAuthentication names: linear). Authorization is decided, on both sides, for the workloads
//! a changed AuthorizationPolicy selects (before or after), for one representative request per
//! distinct condition set of the changed policies' rules (source principal or namespace,
//! method, path, port, header conditions) and one request none of them names; a decision that
//! flips is one sentence naming the policy and rule that decide it.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::Place;
use super::changes::Changes;
use crate::authz::{self, Outcome, Peer, PolicyIndex};
use crate::engine::Analysis;
use crate::mesh::mtls::ServerMtls;
use crate::mesh::{WorkloadId, WorkloadSource};
use crate::model::security::AuthzRule;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MtlsChange {
    /// `reviews-v1.default`.
    pub workload: String,
    /// `None`: the workload-wide mode.
    pub port: Option<u32>,
    pub before: String,
    pub after: String,
    pub at: Option<Place>,
    pub sentence: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AuthzChange {
    /// The workloads alike in this change (`ratings-v1.default`).
    pub workloads: Vec<String>,
    /// `POST /admin from namespace web`.
    pub request: String,
    pub before: String,
    pub after: String,
    /// The policy and rule that decide the new outcome (else the old one).
    pub policy: Option<String>,
    pub rule: Option<usize>,
    pub at: Option<Place>,
    pub sentence: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SecurityDiff {
    pub mtls: Vec<MtlsChange>,
    pub authz: Vec<AuthzChange>,
}

impl SecurityDiff {
    pub fn is_empty(&self) -> bool {
        self.mtls.is_empty() && self.authz.is_empty()
    }
}

/// `name.namespace` → workload, for the workloads of the files (the first of a name).
fn workloads(a: &Analysis) -> BTreeMap<String, WorkloadId> {
    let mut out = BTreeMap::new();
    for (i, w) in a.mesh.workloads.iter().enumerate() {
        if matches!(w.source, WorkloadSource::Pod(_)) {
            out.entry(format!("{}.{}", w.name, w.namespace))
                .or_insert(WorkloadId(i as u32));
        }
    }
    out
}

fn mode_place(a: &Analysis, m: &ServerMtls, side: &'static str) -> Option<Place> {
    let loc = m.loc?;
    let resource = m
        .policy
        .and_then(|i| a.model.peer_authentications.get(i))
        .map(|p| format!("PeerAuthentication {}/{}", p.namespace(), p.name()));
    Place::of(a, resource, loc, side)
}

fn mtls(base: &Analysis, head: &Analysis) -> Vec<MtlsChange> {
    let (wb, wh) = (workloads(base), workloads(head));
    let mut out = Vec::new();
    for (name, &h) in &wh {
        let Some(&b) = wb.get(name) else {
            continue;
        };
        let ports = |a: &Analysis, id: WorkloadId| -> Vec<u32> {
            a.mesh
                .workload_mtls(id)
                .map(|w| w.ports.iter().map(|(p, _)| *p).collect())
                .unwrap_or_default()
        };
        let mut all: BTreeSet<Option<u32>> = BTreeSet::from([None]);
        all.extend(ports(base, b).into_iter().map(Some));
        all.extend(ports(head, h).into_iter().map(Some));
        for port in all {
            let (mb, mh) = (
                base.mesh.server_mtls(b, port),
                head.mesh.server_mtls(h, port),
            );
            if mb.mode == mh.mode {
                continue;
            }
            let at = mode_place(head, &mh, "head").or_else(|| mode_place(base, &mb, "base"));
            let which = port.map_or("(all ports)".to_string(), |p| format!("port {p}"));
            let place = at
                .as_ref()
                .map_or(String::new(), |p| format!(" ({})", p.describe()));
            out.push(MtlsChange {
                workload: name.clone(),
                port,
                before: mb.mode.as_str().to_string(),
                after: mh.mode.as_str().to_string(),
                sentence: format!(
                    "{name} {which}: mTLS {} → {}{place}",
                    mb.mode.as_str(),
                    mh.mode.as_str()
                ),
                at,
            });
        }
    }
    out
}

/// A request, and how it is described.
#[derive(Debug, Clone)]
struct Probe {
    desc: String,
    req: authz::Request,
}

/// A value a pattern with `*` at one end takes.
fn fill(pattern: &str) -> String {
    if pattern == "*" {
        return "x".into();
    }
    let p = pattern
        .strip_suffix('*')
        .map_or(pattern.to_string(), |s| format!("{s}x"));
    p.strip_prefix('*').map_or(p.clone(), |s| format!("x{s}"))
}

fn peer_in(ns: &str, trust_domain: &str) -> Peer {
    Peer {
        principal: format!("{trust_domain}/ns/{ns}/sa/default"),
        namespace: ns.to_string(),
        service_account: "default".into(),
        trust_domain: trust_domain.to_string(),
    }
}

/// The requests that stand for one rule: the first alternative of every field, then each other
/// alternative of one field at a time (source principal, namespace or service account; method;
/// path; port), so a list of values costs one request per value, not their product.
fn probes_of(rule: &AuthzRule, trust_domain: &str) -> Vec<Probe> {
    let mut sources: Vec<(String, Peer)> = Vec::new();
    let mut request_principal: Option<String> = None;
    for src in rule.from.iter().filter_map(|f| f.source.as_ref()) {
        for p in &src.principals {
            let principal = fill(&p.value);
            let peer = Peer::parse(&principal).unwrap_or(Peer {
                principal: principal.clone(),
                ..peer_in("other", trust_domain)
            });
            sources.push((format!("principal {principal}"), peer));
        }
        for ns in &src.namespaces {
            let ns = fill(&ns.value);
            sources.push((format!("namespace {ns}"), peer_in(&ns, trust_domain)));
        }
        for sa in &src.service_accounts {
            let (ns, name) = sa.value.split_once('/').unwrap_or(("other", &sa.value));
            let mut peer = peer_in(ns, trust_domain);
            peer.service_account = name.to_string();
            peer.principal = format!("{trust_domain}/ns/{ns}/sa/{name}");
            sources.push((format!("service account {ns}/{name}"), peer));
        }
        if request_principal.is_none() {
            request_principal = src.request_principals.first().map(|r| fill(&r.value));
        }
    }
    if sources.is_empty() {
        sources.push(("any source".into(), peer_in("other", trust_domain)));
    }
    let op = rule.to.iter().find_map(|t| t.operation.as_ref());
    let list = |f: &dyn Fn(&crate::model::security::Operation) -> Vec<String>, default: &str| {
        let v = op.map(f).unwrap_or_default();
        if v.is_empty() {
            vec![default.to_string()]
        } else {
            v
        }
    };
    let methods = list(
        &|o| {
            o.methods
                .iter()
                .map(|m| {
                    if m.value == "*" {
                        "GET".into()
                    } else {
                        fill(&m.value)
                    }
                })
                .collect()
        },
        "GET",
    );
    let paths = list(&|o| o.paths.iter().map(|p| fill(&p.value)).collect(), "/");
    let ports: Vec<Option<u32>> = {
        let v: Vec<Option<u32>> = op
            .map(|o| {
                o.ports
                    .iter()
                    .filter_map(|p| p.value.parse().ok())
                    .map(Some)
                    .collect()
            })
            .unwrap_or_default();
        if v.is_empty() { vec![None] } else { v }
    };
    let host = op.and_then(|o| o.hosts.first()).map(|h| fill(&h.value));
    let build = |s: usize, m: usize, p: usize, po: usize| -> Probe {
        let (from_desc, peer) = &sources[s];
        let mut from = from_desc.clone();
        let mut req = authz::Request {
            http: true,
            peer: Some(peer.clone()),
            method: Some(methods[m].clone()),
            path: Some(paths[p].clone()),
            port: ports[po],
            host: host.clone(),
            request_principal: request_principal.clone(),
            ..authz::Request::default()
        };
        let mut to = Vec::new();
        if let Some(port) = ports[po] {
            to.push(format!("on port {port}"));
        }
        if let Some(h) = &host {
            to.push(format!("with host {h}"));
        }
        if let Some(rp) = &request_principal {
            to.push(format!("with request principal {rp}"));
        }
        for c in &rule.when {
            let (Some(key), Some(v)) = (&c.key, c.values.first()) else {
                continue;
            };
            let v = fill(&v.value);
            if let Some(name) = key
                .value
                .strip_prefix("request.headers[")
                .and_then(|k| k.strip_suffix(']'))
            {
                req.headers.push((name.to_string(), v.clone()));
                to.push(format!("with header {name}={v}"));
            } else if key.value == "source.namespace" {
                req.peer = Some(peer_in(&v, trust_domain));
                from = format!("namespace {v}");
            } else if key.value == "source.principal" {
                req.peer = Peer::parse(&v).or(req.peer.take());
                from = format!("principal {v}");
            } else if key.value == "request.auth.principal" {
                req.request_principal = Some(v.clone());
                to.push(format!("with request principal {v}"));
            }
        }
        let mut desc = format!("{} {} from {from}", methods[m], paths[p]);
        for t in to {
            desc.push(' ');
            desc.push_str(&t);
        }
        Probe { desc, req }
    };
    let mut out = vec![build(0, 0, 0, 0)];
    out.extend((1..sources.len()).map(|i| build(i, 0, 0, 0)));
    out.extend((1..methods.len()).map(|i| build(0, i, 0, 0)));
    out.extend((1..paths.len()).map(|i| build(0, 0, i, 0)));
    out.extend((1..ports.len()).map(|i| build(0, 0, 0, i)));
    out
}

fn verdict(d: &authz::Decision) -> &'static str {
    match d.outcome {
        Outcome::Allowed => "allowed",
        Outcome::Denied => "denied",
        Outcome::Provider => "decided by the external authorizer",
    }
}

fn decider(
    a: &Analysis,
    d: &authz::Decision,
    side: &'static str,
) -> Option<(String, usize, Option<Place>)> {
    let p = a.model.authorization_policies.get(d.policy?)?;
    let rule = d.rule.unwrap_or(0);
    let name = format!("AuthorizationPolicy {}/{}", p.namespace(), p.name());
    let loc = p.spec.rules.get(rule).map_or(p.loc(), |r| r.at);
    let place = Place::of(a, Some(name.clone()), loc, side);
    Some((name, rule, place))
}

/// The first changed ALLOW policy that applies to a workload (what an implicit deny comes from).
fn changed_allow(
    a: &Analysis,
    applied: &[authz::AppliedPolicy],
    changes: &Changes,
) -> Option<Place> {
    applied
        .iter()
        .filter(|p| p.enforced() && p.action == authz::Action::Allow)
        .map(|p| &a.model.authorization_policies[p.index])
        .find(|p| changes.is_changed("AuthorizationPolicy", p.namespace(), p.name()))
        .and_then(|p| {
            let name = format!("AuthorizationPolicy {}/{}", p.namespace(), p.name());
            Place::of(a, Some(name), p.loc(), "head")
        })
}

fn authz_flips(
    base: &Analysis,
    head: &Analysis,
    changes: &Changes,
    [pb, ph]: [&PolicyIndex; 2],
) -> Vec<AuthzChange> {
    let changed = |a: &Analysis| -> Vec<usize> {
        a.model
            .authorization_policies
            .iter()
            .enumerate()
            .filter(|(_, p)| changes.is_changed("AuthorizationPolicy", p.namespace(), p.name()))
            .map(|(i, _)| i)
            .collect()
    };
    let (cb, ch) = (changed(base), changed(head));
    if cb.is_empty() && ch.is_empty() {
        return Vec::new();
    }
    let (wb, wh) = (workloads(base), workloads(head));
    let name_of = |a: &Analysis, id: WorkloadId| {
        let w = a.mesh.workload(id);
        format!("{}.{}", w.name, w.namespace)
    };
    // Workloads a changed policy selects, on either side, with the probes of those policies.
    let mut targets: BTreeMap<String, BTreeMap<String, Probe>> = BTreeMap::new();
    for (a, list) in [(base, &cb), (head, &ch)] {
        let td = a.mesh.mtls.trust_domain.clone();
        for &i in list {
            let p = &a.model.authorization_policies[i];
            let mut probes: Vec<Probe> = p
                .spec
                .rules
                .iter()
                .flat_map(|r| probes_of(r, &td))
                .collect();
            probes.push(Probe {
                desc: "GET / from any source".into(),
                req: authz::Request {
                    http: true,
                    method: Some("GET".into()),
                    path: Some("/".into()),
                    peer: Some(peer_in("other", &td)),
                    ..authz::Request::default()
                },
            });
            for w in PolicyIndex::selected_workloads(&a.model, &a.mesh, i) {
                let entry = targets.entry(name_of(a, w)).or_default();
                for pr in &probes {
                    entry.entry(pr.desc.clone()).or_insert_with(|| pr.clone());
                }
            }
        }
    }
    let mut out = Vec::new();
    for (workload, probes) in targets {
        let (Some(&b), Some(&h)) = (wb.get(&workload), wh.get(&workload)) else {
            continue;
        };
        let (applied_b, applied_h) = (
            pb.for_workload(&base.model, &base.mesh, b),
            ph.for_workload(&head.model, &head.mesh, h),
        );
        for probe in probes.values() {
            let db = authz::evaluate(&base.model, &applied_b, &probe.req);
            let dh = authz::evaluate(&head.model, &applied_h, &probe.req);
            if db.outcome == dh.outcome {
                continue;
            }
            let now = decider(head, &dh, "head");
            let then = decider(base, &db, "base");
            let (policy, rule, at) = match now.clone().or(then.clone()) {
                Some((p, r, at)) => (Some(p), Some(r), at),
                None => (None, None, None),
            };
            let place = |d: &(String, usize, Option<Place>)| match &d.2 {
                Some(at) => format!("{} rule {}, {}:{}", d.0, d.1, at.file, at.line),
                None => format!("{} rule {}", d.0, d.1),
            };
            let why = match (&now, &then) {
                (Some(n), _) => format!(" ({})", place(n)),
                (None, Some(t)) => match changed_allow(head, &applied_h, changes) {
                    Some(p) => format!(
                        " (now no rule of {} ({}:{}) matches; before: {})",
                        p.resource.as_deref().unwrap_or("the policy"),
                        p.file,
                        p.line,
                        place(t)
                    ),
                    None => format!(
                        " (now {}; before: {})",
                        dh.reason.trim_end_matches('.'),
                        place(t)
                    ),
                },
                (None, None) => format!(" ({})", dh.reason.trim_end_matches('.')),
            };
            let c = AuthzChange {
                workloads: vec![workload.clone()],
                request: probe.desc.clone(),
                before: verdict(&db).to_string(),
                after: verdict(&dh).to_string(),
                policy,
                rule,
                at,
                sentence: why,
            };
            match out.iter_mut().find(|o: &&mut AuthzChange| {
                o.request == c.request
                    && o.before == c.before
                    && o.after == c.after
                    && o.policy == c.policy
                    && o.rule == c.rule
                    && o.sentence == c.sentence
            }) {
                Some(o) => o.workloads.push(workload.clone()),
                None => out.push(c),
            }
        }
    }
    for c in &mut out {
        c.sentence = format!(
            "{} to {}: {} → {}{}",
            c.request,
            super::traffic::and_list(&c.workloads),
            c.before,
            c.after,
            c.sentence
        );
    }
    out
}

pub fn compare(
    base: &Analysis,
    head: &Analysis,
    changes: &Changes,
    policies: [&PolicyIndex; 2],
) -> SecurityDiff {
    SecurityDiff {
        mtls: mtls(base, head),
        authz: authz_flips(base, head, changes, policies),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_filled_at_their_wildcard() {
        assert_eq!(fill("/api/*"), "/api/x");
        assert_eq!(fill("*.example.com"), "x.example.com");
        assert_eq!(fill("*"), "x");
        assert_eq!(fill("GET"), "GET");
    }
}
