//! `gateway-api-duplicate-listener` (Kiali KIA1503): two listeners of one Gateway API Gateway
//! with the same port, protocol and hostname (both without hostname counts as the same). The
//! Gateway API CRD rejects it ("Combination of port, protocol and hostname must be unique for
//! each listener"). Grouped per Gateway in a map.

use std::collections::HashMap;

use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "gateway-api-duplicate-listener",
    code: None,
    codes: &["KIA1503"],
    severity: Severity::Error,
    summary: "two listeners of one Gateway API Gateway with the same port, protocol and hostname",
    doc: include_str!("../../rules/gateway-api-duplicate-listener.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for gw in &cx.model.k8s_gateways {
        let mut seen: HashMap<(u32, &str, String), usize> = HashMap::new();
        for (i, l) in gw.spec.listeners.iter().enumerate() {
            let (Some(port), Some(proto)) = (&l.port, &l.protocol) else { continue };
            let hostname = l.hostname.as_ref().map_or(String::new(), |h| h.value.to_ascii_lowercase());
            let key = (port.value, proto.value.as_str(), hostname);
            if let Some(&first) = seen.get(&key) {
                let other = &gw.spec.listeners[first];
                let name = |x: &crate::model::other::Listener| {
                    x.name.as_ref().map_or("(unnamed)".to_string(), |n| format!("{:?}", n.value))
                };
                let shown = if key.2.is_empty() { "no hostname".to_string() } else { format!("hostname {}", key.2) };
                let at = l.name.as_ref().map_or(l.at, |n| n.loc);
                out.push(
                    Diagnostic::new(
                        &RULE,
                        at,
                        format!(
                            "listener {} has the same port {}, protocol {} and {shown} as listener {}: \
                             the Gateway API rejects the Gateway (\"Combination of port, protocol and hostname must be \
                             unique for each listener\")",
                            name(l),
                            port.value,
                            proto.value,
                            name(other)
                        ),
                    )
                    .help("remove one of the listeners, or give them different hostnames or ports")
                    .related(other.name.as_ref().map_or(other.at, |n| n.loc), "the first listener")
                    .resource(Some(gw.resource_ref())),
                );
            } else {
                seen.insert(key, i);
            }
        }
    }
}
