//! `telemetry-no-provider`: a Telemetry `accessLogging` entry without `providers` while the
//! mesh config names no default access-log provider (istioctl `telemetry.ProviderAnalyzer`,
//! IST0157 `InvalidTelemetryProvider`).

use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "telemetry-no-provider",
    code: Some("IST0157"),
    codes: &["IST0157"],
    severity: Severity::Warning,
    summary: "a Telemetry access-logging entry without providers and no default provider in the mesh config: it is ignored",
    doc: include_str!("../../rules/telemetry-no-provider.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if !cx.model.mesh_config.default_providers.access_logging.is_empty() {
        return;
    }
    for t in &cx.model.telemetries {
        for entry in &t.spec.access_logging {
            if !entry.providers.is_empty() || entry.disabled.is_some() {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &RULE,
                    entry.at,
                    "this accessLogging entry names no provider and the mesh config sets no \
                     `defaultProviders.accessLogging`: Istio ignores it, so its filter or match has no effect",
                )
                .help("add `providers: [{name: envoy}]` (or another configured provider), or set `defaultProviders.accessLogging` in the mesh config")
                .resource(Some(t.resource_ref())),
            );
        }
    }
}
