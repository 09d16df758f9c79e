//! `root-sidecar-selector`: a Sidecar in the root namespace with a `workloadSelector` (Kiali
//! KIA1006). The root namespace's selector-less Sidecar is the mesh-wide default; a selector
//! there only selects workloads of the root namespace itself.

use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "root-sidecar-selector",
    code: None,
    codes: &["KIA1006"],
    severity: Severity::Warning,
    summary: "a Sidecar in the root namespace with a workloadSelector: it is not a mesh-wide default",
    doc: include_str!("../../rules/root-sidecar-selector.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let root = cx.mesh.root_namespace.as_str();
    for sc in cx.model.sidecars.iter().filter(|s| s.namespace() == root) {
        let Some(sel) = sc.spec.workload_selector.as_ref().filter(|s| !s.labels.is_empty()) else {
            continue;
        };
        out.push(
            Diagnostic::new(
                &RULE,
                sel.at,
                format!(
                    "this Sidecar is in the root namespace {root} but has a workloadSelector: it applies only to matching \
                     workloads of {root} itself, not mesh-wide"
                ),
            )
            .help("remove `workloadSelector` to make it the mesh-wide default, or move it to the workloads' namespace")
            .resource(Some(sc.resource_ref())),
        );
    }
}
