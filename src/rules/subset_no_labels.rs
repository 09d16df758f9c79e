//! `subset-no-labels`: a DestinationRule subset without `labels` (Kiali KIA0209). It selects
//! every endpoint of the host, so it is no subset at all.

use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "subset-no-labels",
    code: None,
    codes: &["KIA0209"],
    severity: Severity::Warning,
    summary: "a DestinationRule subset without labels: it selects every endpoint of the host",
    doc: include_str!("../../rules/subset-no-labels.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for dr in &cx.model.destination_rules {
        for s in dr.spec.subsets.iter().filter(|s| s.labels.is_empty()) {
            let name = s.name.as_ref().map_or("(unnamed)", |n| n.value.as_str());
            out.push(
                Diagnostic::new(
                    &RULE,
                    s.name.as_ref().map_or(s.at, |n| n.loc),
                    format!(
                        "subset {name} has no labels: it selects every endpoint of the host, so routing to it splits nothing"
                    ),
                )
                .help("add `labels:` that pick this subset's pods (e.g. `version: v1`)")
                .resource(Some(dr.resource_ref())),
            );
        }
    }
}
