//! `retries-exceed-timeout`: an HTTP route whose retry budget does not fit in its timeout. Istio
//! sets Envoy's `num_retries` to `attempts`, so a request may take `attempts + 1` tries of up to
//! `perTryTimeout` each, but the route `timeout` bounds all of them together: when
//! `(attempts + 1) × perTryTimeout` exceeds `timeout`, the last tries are cut short (or never
//! start) and the caller gets 504 `UT` although retries were configured to absorb the failure.

use std::time::Duration;

use crate::diag::{Diagnostic, Severity};
use crate::mesh::duration;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "retries-exceed-timeout",
    code: None,
    severity: Severity::Warning,
    summary: "retries whose total per-try time exceeds the route's timeout",
    doc: include_str!("../../rules/retries-exceed-timeout.md"),
    check: Some(check),
};

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
            // `timeout: 0s` disables the route timeout; `attempts: 0` disables retries.
            if t.is_zero() || p.is_zero() || attempts <= 0 {
                continue;
            }
            let tries = u32::try_from(attempts.saturating_add(1)).unwrap_or(u32::MAX);
            let budget = p.checked_mul(tries).unwrap_or(Duration::MAX);
            if budget <= t {
                continue;
            }
            let fit = (t.as_nanos() / p.as_nanos().max(1)) as u64;
            let message = if p >= t {
                format!(
                    "http[{i}]: perTryTimeout {} is not shorter than the route timeout {}: the first try already uses the whole timeout, so the {attempts} retr{} never happen",
                    per_try.value,
                    timeout.value,
                    if attempts == 1 { "y" } else { "ies" }
                )
            } else {
                format!(
                    "http[{i}]: 1 try + {attempts} retr{} of up to {} each need {}, but the route timeout is {}: only {fit} tr{} fit, later retries are cut off with 504",
                    if attempts == 1 { "y" } else { "ies" },
                    per_try.value,
                    duration::show(budget),
                    timeout.value,
                    if fit == 1 { "y" } else { "ies" }
                )
            };
            let suggested_per_try = t / tries;
            let mut help = format!(
                "raise timeout to at least {}, or lower perTryTimeout to {}",
                duration::show(budget),
                duration::show(suggested_per_try)
            );
            if fit >= 2 {
                help.push_str(&format!(" or attempts to {}", fit - 1));
            }
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
