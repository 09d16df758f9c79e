//! `telemetry-selects-nothing`: a Telemetry whose `selector` picks no workload of its
//! namespace (istioctl `telemetry.SelectorAnalyzer`, IST0101 `ReferencedResourceNotFound`). Only
//! reported where the namespace has workloads in the inputs: otherwise the files cannot tell.

use crate::diag::{Diagnostic, Severity, Subject};
use crate::mesh::workloads::{scope, telemetries};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "telemetry-selects-nothing",
    code: Some("IST0101"),
    codes: &["IST0101"],
    severity: Severity::Error,
    summary: "a Telemetry whose selector matches none of its namespace's workloads",
    doc: include_str!("../../rules/telemetry-selects-nothing.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let found = scope(cx.mesh, &telemetries(cx.model));
    for i in found.selects_nothing {
        let Some(sc) = cx.model.telemetries.get(i) else { continue };
        let Some(sel) = sc.spec.selector.as_ref() else { continue };
        let labels: Vec<String> = sel
            .match_labels
            .iter()
            .map(|(k, v)| format!("{k}={}", v.value))
            .collect();
        out.push(
            Diagnostic::new(
                &RULE,
                sel.match_labels.iter().next().map_or(sel.at, |(_, v)| v.loc),
                format!(
                    "no workload in namespace {} has the labels {}: this Telemetry applies to nothing (a Telemetry only \
                     selects workloads of its own namespace)",
                    sc.namespace(),
                    labels.join(", ")
                ),
            )
            .help("fix the labels to those of the pod template, or move the Telemetry to the workload's namespace")
            .resource(Some(sc.resource_ref()))
            // A workload `.meshlint.yaml` declares `external:` is in the cluster, only not in
            // these files.
            .subject(Subject::Workload {
                namespace: Some(sc.namespace().to_string()),
                labels: sel.match_labels.iter().map(|(k, v)| (k.clone(), v.value.clone())).collect(),
            }),
        );
    }
}
