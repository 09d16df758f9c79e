//! `external-webhook-ip`: an Istio webhook of a remote cluster that reaches the external control
//! plane by IP address (istioctl `externalcontrolplane.ExternalControlPlaneAnalyzer`, IST0164
//! `ExternalControlPlaneAddressIsNotAHostname`).

use crate::diag::{Diagnostic, Severity};
use crate::rules::external_webhook_url::istio_webhooks;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "external-webhook-ip",
    code: Some("IST0164"),
    codes: &["IST0164"],
    severity: Severity::Info,
    summary: "an Istio webhook of a remote cluster that reaches the external control plane by IP address",
    doc: include_str!("../../rules/external-webhook-ip.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

/// The host of an `https://host:port/path` URL.
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split(']').next().unwrap_or(v6);
    }
    authority.split(':').next().unwrap_or(authority)
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (config, hooks) in istio_webhooks(cx) {
        let found = hooks.into_iter().find_map(|h| {
            let url = h.client_config.as_ref()?.url.as_ref()?;
            let host = host_of(url.value.trim());
            host.parse::<std::net::IpAddr>().is_ok().then_some((h, url, host))
        });
        let Some((hook, url, host)) = found else { continue };
        let name = hook.name.as_ref().map_or("(unnamed)", |n| n.value.as_str());
        out.push(
            Diagnostic::new(
                &RULE,
                url.loc,
                format!(
                    "webhook {name} reaches the external control plane at the IP address {host}: the serving certificate \
                     must then carry that IP, and the address changes when the gateway in front of istiod is recreated"
                ),
            )
            .help("use a DNS name for the external istiod's ingress gateway")
            .resource(Some(config.resource_ref())),
        );
    }
}
