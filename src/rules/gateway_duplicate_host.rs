//! `gateway-duplicate-host` (Kiali KIA0301, within one server): a Gateway server that lists the
//! same host twice, as the index reads server hosts (case-insensitive, `./` as the Gateway's
//! namespace). Across Gateways the same host is `conflicting-gateways`.

use std::collections::HashMap;

use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "gateway-duplicate-host",
    code: None,
    codes: &["KIA0301"],
    severity: Severity::Warning,
    summary: "a Gateway server lists the same host twice (hosts are case-insensitive)",
    doc: include_str!("../../rules/gateway-duplicate-host.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (g, gw) in cx.model.gateways.iter().enumerate() {
        for server in cx.mesh.gateway_hosts.get(g).into_iter().flatten() {
            let mut seen: HashMap<(Option<&str>, &str), usize> = HashMap::new();
            for (i, h) in server.iter().enumerate() {
                let key = (h.namespace.as_deref(), h.host.as_str());
                let Some(&first) = seen.get(&key) else {
                    seen.insert(key, i);
                    continue;
                };
                let shown = match &h.namespace {
                    Some(ns) => format!("{ns}/{}", h.host),
                    None => h.host.clone(),
                };
                out.push(
                    Diagnostic::new(
                        &RULE,
                        h.loc,
                        format!(
                            "this server already lists {shown} (hosts are case-insensitive): the second entry adds \
                             nothing (if another host or namespace was meant, that one is missing)"
                        ),
                    )
                    .help("remove the duplicate, or correct it to the host that was meant")
                    .related(server[first].loc, "the first entry")
                    .resource(Some(gw.resource_ref())),
                );
            }
        }
    }
}
