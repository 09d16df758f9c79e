//! `sidecar-selector-conflict`: several Sidecars whose selectors pick the same workload
//! (istioctl `sidecar.SelectorAnalyzer`, IST0110 `ConflictingSidecarWorkloadSelectors`).

use crate::diag::{Diagnostic, Severity};
use crate::mesh::workloads::{scope, sidecars};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "sidecar-selector-conflict",
    code: Some("IST0110"),
    codes: &["IST0110", "KIA0003"],
    severity: Severity::Error,
    summary: "several Sidecars select the same workload; which one applies is undefined",
    doc: include_str!("../../rules/sidecar-selector-conflict.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let model = cx.model;
    let found = scope(cx.mesh, &sidecars(model));
    for (i, conflicts) in found.conflicts {
        let Some(sc) = model.sidecars.get(i) else { continue };
        let loc = sc.spec.workload_selector.as_ref().map_or(sc.loc(), |s| s.at);
        for (w, others) in conflicts {
            let names: Vec<&str> = others
                .iter()
                .filter_map(|&o| model.sidecars.get(o).map(|s| s.name()))
                .collect();
            let mut d = Diagnostic::new(
                &RULE,
                loc,
                format!(
                    "workload {} is also selected by Sidecar {} in namespace {}: Istio applies only one Sidecar per \
                     workload and which one is undefined",
                    cx.mesh.workload(w).name,
                    names.join(", "),
                    sc.namespace()
                ),
            )
            .help("make the selectors disjoint, or merge the Sidecars into one")
            .resource(Some(sc.resource_ref()));
            if let Some(o) = others.first().and_then(|&o| model.sidecars.get(o)) {
                let at = o.spec.workload_selector.as_ref().map_or(o.loc(), |s| s.at);
                d = d.related(at, "the other Sidecar's selector");
            }
            out.push(d);
        }
    }
}
