//! `serviceentry-duplicate-port` (Kiali KIA1211): several ServiceEntries visible in a common
//! namespace declare the same host and port with the same protocol (with different protocols it
//! is `serviceentry-protocol-conflict`). Grouped by (host, port) in a map: linear.

use crate::diag::{Diagnostic, Severity};
use crate::mesh::ports::{ServiceEntryPort, service_entry_ports_by_host_port};
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

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let model = cx.model;
    let groups = service_entry_ports_by_host_port(cx.mesh, model)
        .into_iter()
        .filter(|(_, v)| v.len() > 1);
    for ((host, number), entries) in groups {
        for e in &entries {
            let others: Vec<&ServiceEntryPort> = entries
                .iter()
                .filter(|o| o.se != e.se && o.protocol == e.protocol && o.export.overlaps(e.export))
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
