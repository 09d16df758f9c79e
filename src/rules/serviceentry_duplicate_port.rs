//! `serviceentry-duplicate-port` (Kiali KIA1211): several ServiceEntries visible in a common
//! namespace declare the same host and port with the same protocol (with different protocols it
//! is `serviceentry-protocol-conflict`). Grouped by (host, port) in a map: linear.

use std::collections::HashMap;

use crate::diag::{Diagnostic, Severity};
use crate::mesh::ExportTo;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "serviceentry-duplicate-port",
    code: None,
    codes: &["KIA1211"],
    severity: Severity::Warning,
    summary: "several ServiceEntries declare the same host and port: only one of them configures it",
    doc: include_str!("../../rules/serviceentry-duplicate-port.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

struct Entry {
    se: usize,
    port: usize,
    protocol: String,
    export: ExportTo,
}

fn overlap(a: &ExportTo, b: &ExportTo) -> bool {
    match (a, b) {
        (ExportTo::All, _) | (_, ExportTo::All) => true,
        (ExportTo::Namespaces(x), ExportTo::Namespaces(y)) => x.iter().any(|n| y.contains(n)),
    }
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let model = cx.model;
    let mut groups: HashMap<(String, u32), Vec<Entry>> = HashMap::new();
    for (i, se) in model.service_entries.iter().enumerate() {
        let export = ExportTo::parse(
            se.spec.export_to.iter().flatten().map(|e| e.value.as_str()),
            se.namespace(),
            &model.mesh_config.default_service_export_to,
        );
        for host in &se.spec.hosts {
            for (j, p) in se.spec.ports.iter().enumerate() {
                let Some(number) = p.number.as_ref() else { continue };
                let protocol = p.protocol.as_ref().map_or(String::new(), |p| p.value.to_ascii_uppercase());
                groups.entry((host.value.to_ascii_lowercase(), number.value)).or_default().push(Entry {
                    se: i,
                    port: j,
                    protocol,
                    export: export.clone(),
                });
            }
        }
    }
    let mut groups: Vec<_> = groups.into_iter().filter(|(_, v)| v.len() > 1).collect();
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    for ((host, number), entries) in groups {
        for e in &entries {
            let others: Vec<&Entry> = entries
                .iter()
                .filter(|o| o.se != e.se && o.protocol == e.protocol && overlap(&o.export, &e.export))
                .collect();
            let Some(first) = others.first() else { continue };
            let se = &model.service_entries[e.se];
            let Some(port) = se.spec.ports.get(e.port) else { continue };
            let names: Vec<String> = others
                .iter()
                .map(|o| {
                    let s = &model.service_entries[o.se];
                    format!("{}/{}", s.namespace(), s.name())
                })
                .collect();
            let at = port.number.as_ref().map_or(port.at, |n| n.loc);
            let other = &model.service_entries[first.se];
            let mut d = Diagnostic::new(
                &RULE,
                at,
                format!(
                    "{host}:{number} is also declared by ServiceEntry {}: a proxy keeps one service per host, so the \
                     resolution, endpoints and addresses of only one of these ServiceEntries apply (which one depends on \
                     namespace and creation time, which the files do not show)",
                    names.join(", ")
                ),
            )
            .help("declare each host and port in one ServiceEntry, or give the entries disjoint exportTo")
            .resource(Some(se.resource_ref()));
            if let Some(p) = other.spec.ports.get(first.port) {
                d = d.related(p.number.as_ref().map_or(p.at, |n| n.loc), "the same host and port");
            }
            out.push(d);
        }
    }
}
