//! `gateway-api-crd-version`: a Gateway API CRD whose bundle version is below what Istio needs
//! (istioctl `k8sgateway.CRDVersionAnalyzer`, IST0176 `GatewayAPICRDVersionBelowMinimum`).
//!
//! Only minimums meshlint knows are checked: TLSRoute needs bundle v1.5.0 (upstream: "TLSRoute
//! v1.4 with Istio 1.30 causes TLS passthrough Gateways to report attachedRoutes: 0").

use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "gateway-api-crd-version",
    code: Some("IST0176"),
    codes: &["IST0176"],
    severity: Severity::Warning,
    summary: "a Gateway API CRD older than Istio requires: resources of that kind are ignored",
    doc: include_str!("../../rules/gateway-api-crd-version.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

/// CRD name → minimum bundle version (major, minor, patch).
const MINIMUM: &[(&str, (u64, u64, u64))] = &[("tlsroutes.gateway.networking.k8s.io", (1, 5, 0))];

/// `v1.4.1`, `1.4.1-rc.1` → (1, 4, 1), ignoring any pre-release.
fn version(text: &str) -> Option<(u64, u64, u64)> {
    let core = text.trim().trim_start_matches('v');
    let core = core.split(['-', '+']).next()?;
    let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
    let major = parts.next()??;
    let minor = parts.next().unwrap_or(Some(0))?;
    let patch = parts.next().unwrap_or(Some(0))?;
    Some((major, minor, patch))
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for crd in cx.model.opaque.iter().filter(|r| r.kind() == "CustomResourceDefinition") {
        let Some(&(_, minimum)) = MINIMUM.iter().find(|(n, _)| *n == crd.name()) else { continue };
        let Some(bundle) = crd.meta.annotations.get("gateway.networking.k8s.io/bundle-version") else {
            continue;
        };
        let Some(installed) = version(&bundle.value) else { continue };
        if installed >= minimum {
            continue;
        }
        let (a, b, c) = minimum;
        out.push(
            Diagnostic::new(
                &RULE,
                bundle.loc,
                format!(
                    "CRD {} is at Gateway API bundle version {}, and Istio requires at least v{a}.{b}.{c}: its CRD watcher \
                     ignores the CRD, so resources of this kind are never processed",
                    crd.name(),
                    bundle.value
                ),
            )
            .help(format!("install the Gateway API CRDs v{a}.{b}.{c} or later"))
            .resource(Some(crd.resource_ref())),
        );
    }
}
