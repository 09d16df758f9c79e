//! `sidecar-in-ambient`: a Sidecar that applies only to ambient workloads, which have no
//! sidecar proxy to configure (istioctl `sidecar.SelectorAnalyzer`, IST0167 `IneffectivePolicy`).

use crate::diag::{Diagnostic, Severity};
use crate::mesh::workloads::{labels_of, namespace_is_ambient, workload_is_ambient};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "sidecar-in-ambient",
    code: Some("IST0167"),
    codes: &["IST0167"],
    severity: Severity::Warning,
    summary: "a Sidecar in an ambient namespace or selecting only ambient workloads: it has no effect",
    doc: include_str!("../../rules/sidecar-in-ambient.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let (model, mesh) = (cx.model, cx.mesh);
    for sc in &model.sidecars {
        let ns = sc.namespace();
        let selector = sc
            .spec
            .workload_selector
            .as_ref()
            .map(|s| labels_of(&s.labels))
            .filter(|l| !l.is_empty());
        let (loc, what) = match &selector {
            None if namespace_is_ambient(mesh, ns) => (
                sc.loc(),
                format!("namespace {ns} is in ambient mode (`istio.io/dataplane-mode: ambient`)"),
            ),
            None => continue,
            Some(sel) => {
                let picked = mesh.select(ns, sel);
                if picked.is_empty() || !picked.iter().all(|&w| workload_is_ambient(model, mesh, w)) {
                    continue;
                }
                (
                    sc.spec.workload_selector.as_ref().map_or(sc.loc(), |s| s.at),
                    "every workload it selects is captured by ztunnel (ambient mode)".to_string(),
                )
            }
        };
        out.push(
            Diagnostic::new(
                &RULE,
                loc,
                format!("this Sidecar has no effect: {what}, and ambient workloads have no sidecar proxy to configure"),
            )
            .help("delete the Sidecar, or label the namespace or pods for sidecar injection if they should have one")
            .resource(Some(sc.resource_ref())),
        );
    }
}
