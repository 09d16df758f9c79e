//! `sidecar-default-conflict`: several Sidecars without `workloadSelector` in one namespace
//! (istioctl `sidecar.SelectorAnalyzer`, IST0111 `MultipleSidecarsWithoutWorkloadSelectors`).

use crate::diag::{Diagnostic, Severity};
use crate::mesh::workloads::{scope, sidecars};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "sidecar-default-conflict",
    code: Some("IST0111"),
    codes: &["IST0111", "KIA0002"],
    severity: Severity::Error,
    summary: "several Sidecars without workloadSelector in one namespace; which one applies is undefined",
    doc: include_str!("../../rules/sidecar-default-conflict.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let model = cx.model;
    let found = scope(cx.mesh, &sidecars(model));
    for (ns, list) in found.namespace_wide {
        for &i in &list {
            let Some(sc) = model.sidecars.get(i) else { continue };
            let others: Vec<&str> = list
                .iter()
                .filter(|&&o| o != i)
                .filter_map(|&o| model.sidecars.get(o).map(|s| s.name()))
                .collect();
            let mut d = Diagnostic::new(
                &RULE,
                sc.loc(),
                format!(
                    "namespace {ns} has other Sidecars without `workloadSelector` ({}): only one namespace-wide \
                     Sidecar is applied and which one is undefined",
                    others.join(", ")
                ),
            )
            .help("keep one Sidecar without selector per namespace; give the others a `workloadSelector`")
            .resource(Some(sc.resource_ref()));
            if let Some(o) = list.iter().find(|&&o| o != i).and_then(|&o| model.sidecars.get(o)) {
                d = d.related(o.loc(), "another namespace-wide Sidecar");
            }
            out.push(d);
        }
    }
}
