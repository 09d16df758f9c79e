//! `serviceentry-protocol-conflict`: ServiceEntries visible in a common namespace that declare
//! the same host and port with different protocols (istioctl
//! `serviceentry.ConflictingServiceEntryProtocolAnalyzer`, IST0177
//! `ConflictingServiceEntryProtocol`). Grouped by (host, port) in a map: linear.

use crate::diag::{Diagnostic, Severity};
use crate::mesh::ports::{ServiceEntryPort, service_entry_ports_by_host_port};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "serviceentry-protocol-conflict",
    code: Some("IST0177"),
    codes: &["IST0177", "KIA1212"],
    severity: Severity::Warning,
    summary: "ServiceEntries define the same host and port with different protocols",
    doc: include_str!("../../rules/serviceentry-protocol-conflict.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let model = cx.model;
    let groups = service_entry_ports_by_host_port(cx.mesh, model);
    for ((host, number), entries) in groups {
        if entries.iter().all(|e| e.protocol == entries[0].protocol) {
            continue;
        }
        for e in &entries {
            let others: Vec<&ServiceEntryPort> = entries
                .iter()
                .filter(|o| {
                    o.se != e.se && o.protocol != e.protocol && o.export.overlaps(e.export)
                })
                .collect();
            let Some(first) = others.first() else { continue };
            let se = &model.service_entries[e.se];
            let Some(port) = se.spec.ports.get(e.port) else { continue };
            let other = &model.service_entries[first.se];
            let names: Vec<String> = others
                .iter()
                .map(|o| {
                    let s = &model.service_entries[o.se];
                    format!("{}/{} ({})", s.namespace(), s.name(), shown(&o.protocol))
                })
                .collect();
            let loc = port.protocol.as_ref().map_or(port.at, |p| p.loc);
            let mut d = Diagnostic::new(
                &RULE,
                loc,
                format!(
                    "{host}:{number} is {} here but {} in {}: Istio builds one listener per host and port, so only one \
                     protocol wins and the other ServiceEntry's traffic is handled wrongly",
                    shown(&e.protocol),
                    shown(&first.protocol),
                    names.join(", ")
                ),
            )
            .help("declare the same protocol for this host and port in every ServiceEntry, or merge them")
            .resource(Some(se.resource_ref()));
            if let Some(p) = other.spec.ports.get(first.port) {
                d = d.related(p.protocol.as_ref().map_or(p.at, |x| x.loc), "the other protocol");
            }
            out.push(d);
        }
    }
}

fn shown(protocol: &str) -> &str {
    if protocol.is_empty() { "undeclared" } else { protocol }
}
