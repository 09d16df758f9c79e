//! `port-tls-no-ca-certificate`: a DestinationRule `portLevelSettings` entry that originates TLS
//! without `caCertificates` (istioctl `destinationrule.CaCertificateAnalyzer`, IST0129
//! `NoServerCertificateVerificationPortLevel`).

use crate::diag::{Diagnostic, Severity};
use crate::rules::tls_no_ca_certificate::{credential_help, unverified};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "port-tls-no-ca-certificate",
    code: Some("IST0129"),
    codes: &["IST0129"],
    severity: Severity::Warning,
    summary: "a DestinationRule port originating TLS without caCertificates: the server's certificate is not verified",
    doc: include_str!("../../rules/port-tls-no-ca-certificate.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for dr in &cx.model.destination_rules {
        let Some(policy) = dr.spec.traffic_policy.as_deref() else {
            continue;
        };
        for p in &policy.port_level_settings {
            let Some(tls) = p.tls.as_deref() else { continue };
            let Some(mode) = unverified(tls, dr) else { continue };
            let host = dr.spec.host.as_ref().map_or("the host", |h| h.value.as_str());
            let port = p
                .port
                .as_ref()
                .and_then(|p| p.number.as_ref())
                .map_or_else(|| "this port".to_string(), |n| format!("port {}", n.value));
            let loc = tls.mode.as_ref().map_or(tls.at, |m| m.loc);
            out.push(
                Diagnostic::new(
                    &RULE,
                    loc,
                    format!(
                        "TLS mode {mode} to {host} on {port} without `caCertificates`: the sidecar accepts any server \
                         certificate, so a man in the middle goes unnoticed"
                    ),
                )
                .help(credential_help(tls, dr))
                .resource(Some(dr.resource_ref())),
            );
        }
    }
}
