//! `serviceentry-addresses-required`: a ServiceEntry with a TCP (or undeclared) port and no
//! `addresses` (istioctl `serviceentry.Analyzer`, IST0134 `ServiceEntryAddressesRequired`).

use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "serviceentry-addresses-required",
    code: Some("IST0134"),
    codes: &["IST0134"],
    severity: Severity::Warning,
    summary: "a ServiceEntry with a TCP or undeclared port and no addresses: sidecars cannot tell its traffic apart",
    doc: include_str!("../../rules/serviceentry-addresses-required.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // With DNS auto-allocation the control plane gives every ServiceEntry a virtual IP.
    if cx
        .model
        .mesh_config
        .default_config_str(&["proxyMetadata", "ISTIO_META_DNS_AUTO_ALLOCATE"])
        == Some("true")
    {
        return;
    }
    for se in &cx.model.service_entries {
        if !se.spec.addresses.is_empty()
            || se
                .meta
                .status
                .as_ref()
                .is_some_and(|s| !s.addresses.is_empty())
        {
            continue;
        }
        let Some(port) = se.spec.ports.iter().find(|p| {
            p.protocol
                .as_ref()
                .is_none_or(|pr| pr.value.is_empty() || pr.value.eq_ignore_ascii_case("TCP"))
        }) else {
            continue;
        };
        let number = port
            .number
            .as_ref()
            .map_or_else(|| "this port".to_string(), |n| format!("port {}", n.value));
        let what = match &port.protocol {
            Some(p) if !p.value.is_empty() => "is TCP",
            _ => "declares no protocol (so Istio treats it as TCP)",
        };
        let loc = port
            .protocol
            .as_ref()
            .map(|p| p.loc)
            .or(port.number.as_ref().map(|n| n.loc))
            .unwrap_or(port.at);
        out.push(
            Diagnostic::new(
                &RULE,
                loc,
                format!(
                    "{number} {what} and the ServiceEntry has no `addresses`: TCP traffic is matched by destination IP \
                     and port only, so sidecars cannot tell this service's connections apart from others on {number}"
                ),
            )
            .help(
                "add `addresses:` with the service's IPs or CIDR, declare an HTTP/TLS protocol if that is what the \
                 port carries, or enable DNS auto-allocation (`ISTIO_META_DNS_AUTO_ALLOCATE: \"true\"`)",
            )
            .resource(Some(se.resource_ref())),
        );
    }
}
