//! `jwks-fetch-unrestricted`: RequestAuthentications make istiod fetch JWKS documents from the
//! URIs they name, while the istiod Deployment of the inputs does not set
//! `BLOCKED_CIDRS_IN_JWKS_URIS` (istioctl `authn.BlockedCIDRsAnalyzer`, IST0175
//! `JwksUriFetchUnrestricted`). Only RequestAuthentications that fetch count: a JWT rule with an
//! inline `jwks` fetches nothing. A variable set with `valueFrom` counts as set (its value is not
//! in the files).

use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "jwks-fetch-unrestricted",
    code: Some("IST0175"),
    codes: &["IST0175"],
    severity: Severity::Warning,
    summary: "istiod fetches the JWKS URIs of RequestAuthentications without BLOCKED_CIDRS_IN_JWKS_URIS",
    doc: include_str!("../../rules/jwks-fetch-unrestricted.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

const VAR: &str = "BLOCKED_CIDRS_IN_JWKS_URIS";

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let model = cx.model;
    // RequestAuthentications whose JWT rules make istiod fetch a key set.
    let fetching: Vec<_> = model
        .request_authentications
        .iter()
        .filter(|ra| ra.spec.jwt_rules.iter().any(|r| r.jwks.is_none()))
        .collect();
    if fetching.is_empty() {
        return;
    }
    for d in model.workloads.iter().filter(|w| w.kind() == "Deployment") {
        if d.meta.labels.get("app").map(|v| v.value.as_str()) != Some("istiod") {
            continue;
        }
        let containers = &d.spec.spec.containers;
        let set = containers.iter().flat_map(|c| c.env.iter()).any(|e| {
            e.name.as_ref().is_some_and(|n| n.value == VAR)
                && (e.value.as_ref().is_some_and(|v| !v.value.trim().is_empty())
                    || e.value_from.is_some())
        });
        if set {
            continue;
        }
        const MAX: usize = 5;
        let mut names: Vec<String> = fetching
            .iter()
            .take(MAX)
            .map(|ra| format!("{}/{}", ra.namespace(), ra.name()))
            .collect();
        if fetching.len() > MAX {
            names.push(format!("and {} more", fetching.len() - MAX));
        }
        // Point at the discovery container (istiod's only one, usually), else the Deployment.
        let container = containers
            .iter()
            .find(|c| c.name.as_ref().is_some_and(|n| n.value == "discovery"))
            .or(containers.first());
        let loc = container
            .and_then(|c| c.name.as_ref())
            .map_or(d.loc(), |n| n.loc);
        let mut diagnostic = Diagnostic::new(
            &RULE,
            loc,
            format!(
                "istiod does not set {VAR}, yet {} RequestAuthentication{} ({}) make{} it fetch JWKS URIs: \
                 a policy author can point istiod at any address it reaches, internal ones included",
                fetching.len(),
                if fetching.len() == 1 { "" } else { "s" },
                names.join(", "),
                if fetching.len() == 1 { "s" } else { "" },
            ),
        )
        .help(format!(
            "set the environment variable {VAR} on istiod's container to the ranges it must not fetch from, \
             e.g. `- name: {VAR}` / `value: \"10.0.0.0/8,172.16.0.0/12,192.168.0.0/16\"` \
             (with istioctl or Helm: `--set pilot.env.{VAR}=...`)"
        ))
        .resource(Some(d.resource_ref()));
        for ra in fetching.iter().take(MAX) {
            diagnostic = diagnostic.related(ra.loc(), "a RequestAuthentication whose keys istiod fetches");
        }
        out.push(diagnostic);
    }
}
