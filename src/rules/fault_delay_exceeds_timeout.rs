//! `fault-delay-exceeds-timeout`: a delay injected on one service is longer than the timeout its
//! callers allow for the same requests.
//!
//! A delay fault runs in the caller's sidecar before the router, so it never counts against the
//! timeout of its own route (Envoy starts that timer in the router, after the delay). What it
//! breaks is the timeout one hop up: service A calls B with a 3 s per-try timeout, B calls C, and C
//! is delayed 7 s, so A's call to B times out. The files do not show who calls whom; requests of
//! one user journey are tied together by a propagated header, so the pass links a delay route and
//! a timeout route (in a VirtualService for another host) that match the same header with the same
//! exact value — the Bookinfo fault-injection task's `end-user: jason`. Index: header → delays,
//! header → tightest timeouts; linear.

use std::collections::HashMap;
use std::time::Duration;

use crate::diag::{Diagnostic, Severity};
use crate::mesh::{duration, host};
use crate::model::networking::{HttpFault, HttpRoute};
use crate::rules::{Context, Rule};
use crate::source::Loc;

pub const RULE: Rule = Rule {
    name: "fault-delay-exceeds-timeout",
    code: None,
    codes: &[],
    severity: Severity::Info,
    summary: "an injected delay longer than the timeout callers allow for the same requests",
    doc: include_str!("../../rules/fault-delay-exceeds-timeout.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

struct Delay {
    vs: usize,
    rule: usize,
    delay: Duration,
    written: String,
    loc: Loc,
    /// Percentage of matching requests delayed, when below 100.
    partial: Option<f64>,
}

struct Timeout {
    vs: usize,
    rule: usize,
    /// The time one try may take: min(timeout, perTryTimeout).
    budget: Duration,
    describe: String,
    loc: Loc,
}

/// Exact header conditions of a route, lower-cased names: (name, value).
fn header_keys(route: &HttpRoute) -> Vec<(String, String)> {
    let mut keys: Vec<(String, String)> = route
        .matches
        .iter()
        .flat_map(|m| m.headers.iter())
        .filter_map(|(name, m)| {
            m.exact
                .as_ref()
                .map(|v| (name.to_ascii_lowercase(), v.value.clone()))
        })
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

fn delay_of(fault: &HttpFault) -> Option<(Duration, String, Loc, Option<f64>)> {
    let delay = fault.delay.as_ref()?;
    let fixed = delay.fixed_delay.as_ref()?;
    let d = duration::parse(&fixed.value).filter(|d| !d.is_zero())?;
    // Istio: "If left unspecified, no request will be delayed" (`percentage`, or the deprecated
    // integer `percent`).
    let pct = match (&delay.percentage, &delay.percent) {
        (Some(p), _) => p.value.as_ref().map_or(0.0, |v| v.value),
        (None, Some(p)) => p.value as f64,
        (None, None) => return None,
    };
    if pct <= 0.0 {
        return None;
    }
    Some((
        d,
        fixed.value.clone(),
        fixed.loc,
        (pct < 100.0).then_some(pct),
    ))
}

fn timeout_of(route: &HttpRoute) -> Option<(Duration, String, Loc)> {
    let timeout = route.timeout.as_ref().and_then(|t| {
        duration::parse(&t.value)
            .filter(|d| !d.is_zero())
            .map(|d| (d, t))
    });
    let per_try = route.retries.as_ref().and_then(|r| {
        if r.attempts.as_ref().is_some_and(|a| a.value <= 0) {
            return None;
        }
        let p = r.per_try_timeout.as_ref()?;
        duration::parse(&p.value)
            .filter(|d| !d.is_zero())
            .map(|d| (d, p))
    });
    match (timeout, per_try) {
        (Some((t, tw)), Some((p, pw))) if p < t => Some((
            p,
            format!("the {} per-try timeout ({} overall)", pw.value, tw.value),
            pw.loc,
        )),
        (Some((t, tw)), _) => Some((t, format!("the {} timeout", tw.value), tw.loc)),
        (None, Some((p, pw))) => Some((p, format!("the {} per-try timeout", pw.value), pw.loc)),
        (None, None) => None,
    }
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let model = cx.model;
    let mut delays: HashMap<(String, String), Vec<Delay>> = HashMap::new();
    // Per header, the tightest timeout of each VirtualService.
    let mut tightest: HashMap<(String, String), HashMap<usize, Timeout>> = HashMap::new();
    for (v, vs) in model.virtual_services.iter().enumerate() {
        for (r, route) in vs.spec.http.iter().enumerate() {
            let keys = header_keys(route);
            if keys.is_empty() {
                continue;
            }
            if let Some((delay, written, loc, partial)) = route.fault.as_deref().and_then(delay_of) {
                for key in &keys {
                    delays.entry(key.clone()).or_default().push(Delay {
                        vs: v,
                        rule: r,
                        delay,
                        written: written.clone(),
                        loc,
                        partial,
                    });
                }
            }
            if let Some((budget, describe, loc)) = timeout_of(route) {
                for key in keys {
                    let per_vs = tightest.entry(key).or_default();
                    if per_vs.get(&v).is_none_or(|t| budget < t.budget) {
                        per_vs.insert(
                            v,
                            Timeout {
                                vs: v,
                                rule: r,
                                budget,
                                describe: describe.clone(),
                                loc,
                            },
                        );
                    }
                }
            }
        }
    }
    // Sorted by budget, then VirtualService order, so the first eligible one is the tightest.
    let timeouts: HashMap<(String, String), Vec<Timeout>> = tightest
        .into_iter()
        .map(|(key, per_vs)| {
            let mut list: Vec<Timeout> = per_vs.into_values().collect();
            list.sort_by_key(|t| (t.budget, t.vs));
            (key, list)
        })
        .collect();
    let name = |v: usize| -> String {
        let vs = &model.virtual_services[v];
        let own = format!(".{}.svc.{}", vs.namespace(), host::CLUSTER_DOMAIN);
        cx.mesh.virtual_services[v].hosts.first().map_or_else(
            || vs.name().to_string(),
            |h| {
                h.strip_suffix(&own)
                    .map_or_else(|| host::short(h).to_string(), str::to_string)
            },
        )
    };
    let mut keys: Vec<&(String, String)> = delays.keys().collect();
    keys.sort();
    let mut reported: std::collections::HashSet<(usize, usize)> = std::collections::HashSet::new();
    for key in keys {
        let Some(candidates) = timeouts.get(key) else {
            continue;
        };
        for d in &delays[key] {
            if reported.contains(&(d.vs, d.rule)) {
                continue;
            }
            let delayed_hosts = &cx.mesh.virtual_services[d.vs].hosts;
            let Some(t) = candidates.iter().find(|t| {
                t.vs != d.vs
                    && !cx.mesh.virtual_services[t.vs]
                        .hosts
                        .iter()
                        .any(|h| delayed_hosts.contains(h))
            }) else {
                continue;
            };
            if d.delay < t.budget {
                continue;
            }
            reported.insert((d.vs, d.rule));
            let (callee, caller) = (name(d.vs), name(t.vs));
            let timeout_vs = &model.virtual_services[t.vs];
            let partial = d
                .partial
                .map_or(String::new(), |p| format!(" (on {p} % of them)"));
            out.push(
                Diagnostic::new(
                    &RULE,
                    d.loc,
                    format!(
                        "the {} delay injected on {callee} for requests with {}: {}{partial} exceeds {} that VirtualService {}/{} (http[{}]) gives {caller} for the same requests: if {caller} calls {callee} while serving them, the call to {caller} times out (504) before {callee} answers",
                        d.written,
                        key.0,
                        key.1,
                        t.describe,
                        timeout_vs.namespace(),
                        timeout_vs.name(),
                        t.rule
                    ),
                )
                .help(format!(
                    "if that is the failure you want to test, fine; otherwise keep the delay under {} or raise the timeout of the calls to {caller} above {}",
                    duration::show(t.budget),
                    duration::show(d.delay)
                ))
                .related(t.loc, format!("the timeout of the calls to {caller} for these requests"))
                .resource(Some(model.virtual_services[d.vs].resource_ref())),
            );
        }
    }
}
