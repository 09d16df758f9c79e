//! `telemetry-default-conflict`: several Telemetries without `selector` or `targetRefs` in one namespace
//! (istioctl `telemetry.DefaultSelectorAnalyzer`, IST0160 `MultipleTelemetriesWithoutWorkloadSelectors`).

use crate::diag::{Diagnostic, Severity};
use crate::mesh::workloads::{scope, telemetries};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "telemetry-default-conflict",
    code: Some("IST0160"),
    codes: &["IST0160"],
    severity: Severity::Error,
    summary: "several Telemetries without selector in one namespace; which one applies is undefined",
    doc: include_str!("../../rules/telemetry-default-conflict.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let model = cx.model;
    let found = scope(cx.mesh, &telemetries(model));
    for (ns, list) in found.namespace_wide {
        for &i in &list {
            let Some(sc) = model.telemetries.get(i) else { continue };
            let others: Vec<&str> = list
                .iter()
                .filter(|&&o| o != i)
                .filter_map(|&o| model.telemetries.get(o).map(|s| s.name()))
                .collect();
            let mut d = Diagnostic::new(
                &RULE,
                sc.loc(),
                format!(
                    "namespace {ns} has other Telemetries without `selector` or `targetRefs` ({}): only one namespace-wide \
                     Telemetry is applied and which one is undefined",
                    others.join(", ")
                ),
            )
            .help("keep one Telemetry without selector per namespace; give the others a `selector`")
            .resource(Some(sc.resource_ref()));
            if let Some(o) = list.iter().find(|&&o| o != i).and_then(|&o| model.telemetries.get(o)) {
                d = d.related(o.loc(), "another namespace-wide Telemetry");
            }
            out.push(d);
        }
    }
}
