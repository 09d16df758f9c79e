//! `retries-exceed-timeout`: an HTTP route whose retries cannot all happen within its timeout.
//! Istio sets Envoy's `num_retries` to `attempts`: a request may take `attempts + 1` tries of up
//! to `perTryTimeout` each, and the route `timeout` bounds all of them together. Retry k starts at
//! the earliest at `k × perTryTimeout`, so when `attempts × perTryTimeout` exceeds `timeout` the
//! last retries never start, and when `perTryTimeout ≥ timeout` none does: the caller gets 504
//! `UT` although retries were configured to absorb the failure. A last retry that starts in time
//! but is cut short by the timeout (`(attempts + 1) × perTryTimeout > timeout`) is not reported:
//! the timeout is meant to be the ceiling.

use std::time::Duration;

use crate::diag::{Diagnostic, Severity};
use crate::mesh::duration;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "retries-exceed-timeout",
    code: None,
    codes: &[],
    severity: Severity::Warning,
    summary: "retries that cannot all happen within the route's timeout",
    doc: include_str!("../../rules/retries-exceed-timeout.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn plural(n: i64) -> &'static str {
    if n == 1 { "retry" } else { "retries" }
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for vs in &cx.model.virtual_services {
        for (i, route) in vs.spec.http.iter().enumerate() {
            let (Some(timeout), Some(retries)) = (&route.timeout, &route.retries) else {
                continue;
            };
            let Some(per_try) = &retries.per_try_timeout else {
                continue;
            };
            let attempts = retries.attempts.as_ref().map_or(0, |a| a.value);
            let (Some(t), Some(p)) = (
                duration::parse(&timeout.value),
                duration::parse(&per_try.value),
            ) else {
                continue;
            };
            // Istio rejects a route `timeout` under 1ms (validateHTTPRoute: agent.ValidateDuration),
            // so `timeout: 0s` is an `invalid-value` and not judged again here; `attempts: 0`
            // disables retries.
            if t.is_zero() || p.is_zero() || attempts <= 0 {
                continue;
            }
            let retries = u32::try_from(attempts).unwrap_or(u32::MAX);
            // Retry k starts, at the earliest, when try k times out: at k × perTryTimeout.
            let last_start = p.checked_mul(retries).unwrap_or(Duration::MAX);
            let full = p
                .checked_mul(retries.saturating_add(1))
                .unwrap_or(Duration::MAX);
            let (message, help) = if p >= t {
                (
                    format!(
                        "http[{i}]: perTryTimeout {} is not shorter than the route timeout {}: the first try may use the whole timeout, so its {attempts} {} never happen",
                        per_try.value,
                        timeout.value,
                        plural(attempts)
                    ),
                    format!(
                        "lower perTryTimeout below {} (e.g. {}), or raise timeout to {}",
                        timeout.value,
                        duration::show(t / retries.saturating_add(1)),
                        duration::show(full)
                    ),
                )
            } else if last_start > t {
                // Retries that can start before the timeout: k × perTryTimeout < timeout.
                let fit = (t.as_nanos() - 1) / p.as_nanos();
                (
                    format!(
                        "http[{i}]: {attempts} {} of up to {} each do not fit in the route timeout {}: the last would start at {}, after the timeout, so only {fit} of them can ever happen",
                        plural(attempts),
                        per_try.value,
                        timeout.value,
                        duration::show(last_start)
                    ),
                    format!(
                        "raise timeout to more than {} ({} lets every try run fully), or lower attempts to {fit}",
                        duration::show(last_start),
                        duration::show(full)
                    ),
                )
            } else {
                continue;
            };
            out.push(
                Diagnostic::new(&RULE, per_try.loc, message)
                    .help(help)
                    .related(
                        timeout.loc,
                        format!("the route timeout is {}", timeout.value),
                    )
                    .resource(Some(vs.resource_ref())),
            );
        }
    }
}
