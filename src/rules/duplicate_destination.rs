//! `duplicate-destination`: the same host and subset twice among one route's destinations
//! (Kiali KIA1105).

use std::collections::HashMap;

use crate::diag::{Diagnostic, Severity};
use crate::model::networking::Destination;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "duplicate-destination",
    code: None,
    codes: &["KIA1105"],
    severity: Severity::Warning,
    summary: "a route lists the same host and subset twice among its destinations",
    doc: include_str!("../../rules/duplicate-destination.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for vs in &cx.model.virtual_services {
        let spec = &vs.spec;
        let http = spec.http.iter().map(|r| r.route.iter().filter_map(|d| d.destination.as_ref()).collect::<Vec<_>>());
        let tls = spec.tls.iter().map(|r| r.route.iter().filter_map(|d| d.destination.as_ref()).collect::<Vec<_>>());
        let tcp = spec.tcp.iter().map(|r| r.route.iter().filter_map(|d| d.destination.as_ref()).collect::<Vec<_>>());
        for dests in http.chain(tls).chain(tcp) {
            let mut seen: HashMap<(String, &str, Option<u32>), &Destination> = HashMap::new();
            for d in dests {
                let Some(host) = d.host.as_ref() else { continue };
                let key = (
                    crate::mesh::host::resolve(&host.value, vs.namespace()),
                    d.subset.as_ref().map_or("", |s| s.value.as_str()),
                    d.port.as_ref().and_then(|p| p.number.as_ref()).map(|n| n.value),
                );
                if let Some(first) = seen.get(&key) {
                    let subset = if key.1.is_empty() { String::new() } else { format!(" subset {}", key.1) };
                    let mut diag = Diagnostic::new(
                        &RULE,
                        host.loc,
                        format!(
                            "{}{subset} is already a destination of this route: the two entries' weights simply add up, \
                             which is rarely what was meant",
                            host.value
                        ),
                    )
                    .help("merge the two destinations into one, with the sum of their weights")
                    .resource(Some(vs.resource_ref()));
                    if let Some(h) = first.host.as_ref() {
                        diag = diag.related(h.loc, "the first entry");
                    }
                    out.push(diag);
                } else {
                    seen.insert(key, d);
                }
            }
        }
    }
}
