//! `serviceentry-protocol-conflict`: ServiceEntries visible in a common namespace that declare
//! the same host and port with different protocols (istioctl
//! `serviceentry.ConflictingServiceEntryProtocolAnalyzer`, IST0177
//! `ConflictingServiceEntryProtocol`). Grouped by (host, port) in a map: linear.

use std::collections::HashMap;

use crate::diag::{Diagnostic, Severity};
use crate::mesh::ExportTo;
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
            se.spec
                .export_to
                .iter()
                .flatten()
                .map(|e| e.value.as_str()),
            se.namespace(),
            &model.mesh_config.default_service_export_to,
        );
        for host in &se.spec.hosts {
            for (j, p) in se.spec.ports.iter().enumerate() {
                let Some(number) = p.number.as_ref() else { continue };
                let protocol = p
                    .protocol
                    .as_ref()
                    .map_or(String::new(), |p| p.value.to_ascii_uppercase());
                groups
                    .entry((host.value.to_ascii_lowercase(), number.value))
                    .or_default()
                    .push(Entry {
                        se: i,
                        port: j,
                        protocol,
                        export: export.clone(),
                    });
            }
        }
    }
    let mut groups: Vec<_> = groups.into_iter().collect();
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    for ((host, number), entries) in groups {
        if entries.iter().all(|e| e.protocol == entries[0].protocol) {
            continue;
        }
        for e in &entries {
            let others: Vec<&Entry> = entries
                .iter()
                .filter(|o| {
                    o.se != e.se && o.protocol != e.protocol && overlap(&o.export, &e.export)
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
