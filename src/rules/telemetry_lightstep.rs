//! `telemetry-lightstep`: a Telemetry tracing through a `lightstep` extension provider, which
//! Istio deprecated (istioctl `telemetry.LightstepAnalyzer`, IST0002 `Deprecated`).

use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "telemetry-lightstep",
    code: Some("IST0002"),
    codes: &["IST0002"],
    severity: Severity::Warning,
    summary: "a Telemetry traces through the deprecated Lightstep provider",
    doc: include_str!("../../rules/telemetry-lightstep.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mesh = &cx.model.mesh_config;
    for t in &cx.model.telemetries {
        for tracing in &t.spec.tracing {
            for p in &tracing.providers {
                let Some(name) = p.name.as_ref() else { continue };
                let Some(provider) = mesh.extension_provider(&name.value) else { continue };
                if provider.kind != "lightstep" {
                    continue;
                }
                let mut d = Diagnostic::new(
                    &RULE,
                    name.loc,
                    format!(
                        "provider {} is a Lightstep provider, which Istio deprecated: it may be removed in a future release",
                        name.value
                    ),
                )
                .help("configure an `opentelemetry` extension provider pointing at your collector and trace through it")
                .resource(Some(t.resource_ref()));
                if let Some(loc) = provider.loc {
                    d = d.related(loc, "the Lightstep provider in the mesh config");
                }
                out.push(d);
            }
        }
    }
}
