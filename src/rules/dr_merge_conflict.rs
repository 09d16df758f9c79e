//! `dr-merge-conflict` (Kiali KIA0201): several DestinationRules of one namespace for the same
//! host (short name and FQDN alike, as the index resolves them) that define the same subset, or
//! that both set a top-level `trafficPolicy`. Istio merges such rules into one
//! (`mergeDestinationRule`): the first definition wins and the later one is dropped silently.
//! Grouped by (namespace, host, selector, exportTo) in a map: linear.

use std::collections::HashMap;

use crate::diag::{Diagnostic, Severity};
use crate::mesh::{DrIdx, ExportTo};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "dr-merge-conflict",
    code: None,
    codes: &["KIA0201"],
    severity: Severity::Warning,
    summary: "DestinationRules of one namespace for the same host define the same subset or both a trafficPolicy: one of them is ignored",
    doc: include_str!("../../rules/dr-merge-conflict.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let (model, mesh) = (cx.model, cx.mesh);
    // Istio merges only rules with the same workload selector (none, or equal labels) and, with
    // `ENABLE_ENHANCED_DESTINATIONRULE_MERGE` (the default), the same exportTo.
    let mut groups: HashMap<(&str, &str, String, String), Vec<DrIdx>> = HashMap::new();
    for (i, dr) in model.destination_rules.iter().enumerate() {
        let Some(info) = mesh.destination_rules.get(i) else { continue };
        if info.host.is_empty() {
            continue;
        }
        let selector = info
            .selector
            .as_ref()
            .map(|s| s.iter().map(|(k, v)| format!("{k}={v},")).collect::<String>())
            .unwrap_or_else(|| if info.has_selector { "{}".into() } else { String::new() });
        let export = match &info.export_to {
            ExportTo::All => "*".to_string(),
            ExportTo::Namespaces(list) => list.join(","),
        };
        groups
            .entry((dr.namespace(), info.host.as_str(), selector, export))
            .or_default()
            .push(i);
    }
    let mut groups: Vec<_> = groups.into_iter().filter(|(_, v)| v.len() > 1).collect();
    groups.sort_by(|a, b| a.1.cmp(&b.1));
    for ((ns, host, _, _), rules) in groups {
        let mut subsets: HashMap<&str, DrIdx> = HashMap::new();
        let mut policy: Option<DrIdx> = None;
        for &i in &rules {
            let dr = &model.destination_rules[i];
            for s in &dr.spec.subsets {
                let Some(name) = s.name.as_ref().filter(|n| !n.value.is_empty()) else { continue };
                match subsets.get(name.value.as_str()) {
                    Some(&first) if first != i => {
                        let other = &model.destination_rules[first];
                        let at = other
                            .spec
                            .subsets
                            .iter()
                            .find_map(|o| o.name.as_ref().filter(|n| n.value == name.value))
                            .map_or(other.loc(), |n| n.loc);
                        out.push(
                            Diagnostic::new(
                                &RULE,
                                name.loc,
                                format!(
                                    "subset {:?} of {host} is also defined by DestinationRule {ns}/{}: Istio merges the \
                                     DestinationRules of a namespace for one host and keeps the first definition of a \
                                     subset (the older rule; the files show input order, not creation time), so one of \
                                     them is ignored",
                                    name.value,
                                    other.name()
                                ),
                            )
                            .help(format!(
                                "define subset {:?} in one DestinationRule only, or merge the two rules",
                                name.value
                            ))
                            .related(at, "the other definition of the subset")
                            .resource(Some(dr.resource_ref())),
                        );
                    }
                    Some(_) => {}
                    None => {
                        subsets.insert(name.value.as_str(), i);
                    }
                }
            }
            if let Some(tp) = dr.spec.traffic_policy.as_ref() {
                match policy {
                    Some(first) => {
                        let other = &model.destination_rules[first];
                        let at = other.spec.traffic_policy.as_ref().map_or(other.loc(), |t| t.at);
                        out.push(
                            Diagnostic::new(
                                &RULE,
                                tp.at,
                                format!(
                                    "DestinationRule {ns}/{} also sets a top-level `trafficPolicy` for {host}: Istio \
                                     merges the DestinationRules of a namespace for one host and keeps only the first \
                                     rule's trafficPolicy (the older one; the files show input order, not creation time)",
                                    other.name()
                                ),
                            )
                            .help("move the settings into one DestinationRule for this host")
                            .related(at, "the other trafficPolicy")
                            .resource(Some(dr.resource_ref())),
                        );
                    }
                    None => policy = Some(i),
                }
            }
        }
    }
}
