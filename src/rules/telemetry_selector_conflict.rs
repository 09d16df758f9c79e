//! `telemetry-selector-conflict`: several Telemetries whose selectors pick the same workload
//! (istioctl `telemetry.SelectorAnalyzer`, IST0159 `ConflictingTelemetryWorkloadSelectors`).

use crate::diag::{Diagnostic, Severity};
use crate::mesh::workloads::{scope, telemetries};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "telemetry-selector-conflict",
    code: Some("IST0159"),
    codes: &["IST0159"],
    severity: Severity::Error,
    summary: "several Telemetries select the same workload; which one applies is undefined",
    doc: include_str!("../../rules/telemetry-selector-conflict.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let model = cx.model;
    let found = scope(cx.mesh, &telemetries(model));
    for (i, conflicts) in found.conflicts {
        let Some(sc) = model.telemetries.get(i) else { continue };
        let loc = sc.spec.selector.as_ref().map_or(sc.loc(), |s| s.at);
        for (w, others) in conflicts {
            let names: Vec<&str> = others
                .iter()
                .filter_map(|&o| model.telemetries.get(o).map(|s| s.name()))
                .collect();
            let mut d = Diagnostic::new(
                &RULE,
                loc,
                format!(
                    "workload {} is also selected by Telemetry {} in namespace {}: Istio applies only one Telemetry per \
                     workload and which one is undefined",
                    cx.mesh.workload(w).name,
                    names.join(", "),
                    sc.namespace()
                ),
            )
            .help("make the selectors disjoint, or merge the Telemetries into one")
            .resource(Some(sc.resource_ref()));
            if let Some(o) = others.first().and_then(|&o| model.telemetries.get(o)) {
                let at = o.spec.selector.as_ref().map_or(o.loc(), |s| s.at);
                d = d.related(at, "the other Telemetry's selector");
            }
            out.push(d);
        }
    }
}
