//! `workloadgroup-duplicate-labels` (Kiali KIA1702): two WorkloadGroups of one namespace whose
//! `metadata.labels` are the same. Grouped by (namespace, labels) in a map: linear.

use std::collections::HashMap;

use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "workloadgroup-duplicate-labels",
    code: None,
    codes: &["KIA1702"],
    severity: Severity::Warning,
    summary: "two WorkloadGroups of one namespace give their workloads the same labels",
    doc: include_str!("../../rules/workloadgroup-duplicate-labels.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let model = cx.model;
    if model.workload_groups.len() < 2 {
        return;
    }
    let mut groups: HashMap<(&str, String), Vec<usize>> = HashMap::new();
    for (i, wg) in model.workload_groups.iter().enumerate() {
        let Some(meta) = wg.spec.metadata.as_ref() else { continue };
        let key: String = meta.labels.iter().map(|(k, v)| format!("{k}={},", v.value)).collect();
        groups.entry((wg.namespace(), key)).or_default().push(i);
    }
    let mut groups: Vec<_> = groups.into_iter().filter(|(_, v)| v.len() > 1).collect();
    groups.sort();
    for ((ns, labels), list) in groups {
        for &i in &list {
            let wg = &model.workload_groups[i];
            let others: Vec<&str> =
                list.iter().filter(|&&o| o != i).map(|&o| model.workload_groups[o].name()).collect();
            let Some(meta) = wg.spec.metadata.as_ref() else { continue };
            let shown = if labels.is_empty() {
                "no labels".to_string()
            } else {
                format!("the labels {}", labels.trim_end_matches(',').replace(',', ", "))
            };
            let first = model.workload_groups[list.iter().copied().find(|&o| o != i).unwrap_or(i)].loc();
            out.push(
                Diagnostic::new(
                    &RULE,
                    meta.at,
                    format!(
                        "this WorkloadGroup gives its workloads {shown}, as WorkloadGroup {ns}/{} does: \
                         the WorkloadEntries registered from both look alike, so every Service, DestinationRule subset \
                         and policy that selects one group selects the other too",
                        others.join(", ")
                    ),
                )
                .help("give each WorkloadGroup a label of its own (for example `app: <name>`)")
                .related(first, "the other WorkloadGroup")
                .resource(Some(wg.resource_ref())),
            );
        }
    }
}
