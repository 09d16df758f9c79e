//! `gateway-api-listener-conflict` (Kiali KIA1501, KIA1502): Gateway API Gateways that declare
//! the same listener (hostname, port and protocol) or request the same IP address. Grouped by
//! listener and by address in maps: linear.

use std::collections::HashMap;

use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "gateway-api-listener-conflict",
    code: None,
    codes: &["KIA1501", "KIA1502"],
    severity: Severity::Warning,
    summary: "Gateway API Gateways with the same listener hostname, port and protocol, or the same IP address",
    doc: include_str!("../../rules/gateway-api-listener-conflict.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn address_key(a: &crate::model::other::GatewayAddress) -> Option<(String, String)> {
    let value = a.value.as_ref().filter(|v| !v.value.is_empty())?;
    let kind = a.address_type.as_ref().map_or("IPAddress", |t| t.value.as_str());
    Some((kind.to_string(), value.value.clone()))
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let gws = &cx.model.k8s_gateways;
    if gws.len() < 2 {
        return;
    }
    let mut listeners: HashMap<(String, u32, String), Vec<(usize, usize)>> = HashMap::new();
    let mut addresses: HashMap<(String, String), Vec<(usize, usize)>> = HashMap::new();
    for (g, gw) in gws.iter().enumerate() {
        for (l, listener) in gw.spec.listeners.iter().enumerate() {
            let (Some(h), Some(p), Some(proto)) = (&listener.hostname, &listener.port, &listener.protocol) else {
                continue;
            };
            listeners
                .entry((h.value.to_ascii_lowercase(), p.value, proto.value.clone()))
                .or_default()
                .push((g, l));
        }
        for (a, address) in gw.spec.addresses.iter().enumerate() {
            if let Some(key) = address_key(address) {
                addresses.entry(key).or_default().push((g, a));
            }
        }
    }
    let shares_address = |a: usize, b: usize| {
        // A shared `Hostname` address is one gateway Service serving both (manual deployment).
        let keys = |g: usize| {
            gws[g].spec.addresses.iter().filter_map(address_key).filter(|(kind, _)| kind == "Hostname").collect::<Vec<_>>()
        };
        let kb = keys(b);
        keys(a).iter().any(|k| kb.contains(k))
    };
    let mut listeners: Vec<_> = listeners.into_iter().collect();
    listeners.sort();
    for ((hostname, port, protocol), found) in listeners {
        for &(g, l) in &found {
            let others: Vec<usize> = found.iter().map(|&(o, _)| o).filter(|&o| o != g).collect();
            let Some(&first) = others.first() else { continue };
            let gw = &gws[g];
            let Some(at) = gw.spec.listeners[l].hostname.as_ref().map(|h| h.loc) else { continue };
            let names: Vec<String> = others.iter().map(|&o| format!("{}/{}", gws[o].namespace(), gws[o].name())).collect();
            let why = if others.iter().any(|&o| shares_address(g, o)) {
                "both Gateways are bound to the same gateway Service, so the two listeners are one: which Gateway's TLS \
                 settings and routes apply to it is undefined"
            } else {
                "the Gateways have their own addresses and the host's DNS name points at one of them, so the \
                 clients of this host reach one Gateway and the routes attached to the other's listener serve nothing \
                 (unless the DNS of each client sends it to a different Gateway on purpose)"
            };
            let other_l = found.iter().find(|&&(o, _)| o == first).map(|&(_, ol)| ol).unwrap_or(0);
            let mut d = Diagnostic::new(
                &RULE,
                at,
                format!(
                    "listener {hostname}:{port} ({protocol}) is also declared by Gateway {} (KIA1501): {why}",
                    names.join(", ")
                ),
            )
            .help("serve each hostname and port from one Gateway, and attach the routes of both to it")
            .resource(Some(gw.resource_ref()));
            if let Some(h) = gws[first].spec.listeners.get(other_l).and_then(|x| x.hostname.as_ref()) {
                d = d.related(h.loc, "the same listener");
            }
            out.push(d);
        }
    }
    let mut addresses: Vec<_> = addresses.into_iter().filter(|((kind, _), _)| kind == "IPAddress").collect();
    addresses.sort();
    for ((_, value), found) in addresses {
        for &(g, a) in &found {
            let others: Vec<usize> = found.iter().map(|&(o, _)| o).filter(|&o| o != g).collect();
            let Some(&first) = others.first() else { continue };
            let gw = &gws[g];
            let Some(at) = gw.spec.addresses[a].value.as_ref().map(|v| v.loc) else { continue };
            let names: Vec<String> = others.iter().map(|&o| format!("{}/{}", gws[o].namespace(), gws[o].name())).collect();
            out.push(
                Diagnostic::new(
                    &RULE,
                    at,
                    format!(
                        "IP address {value} is also requested by Gateway {} (KIA1502): each Gateway \
                         gets its own load balancer, only one can hold the address, and the other is not programmed \
                         (`Programmed: False`, `AddressNotAssigned`)",
                        names.join(", ")
                    ),
                )
                .help("give each Gateway its own address, or merge their listeners into one Gateway")
                .related(gws[first].loc(), "the other Gateway")
                .resource(Some(gw.resource_ref())),
            );
        }
    }
}
