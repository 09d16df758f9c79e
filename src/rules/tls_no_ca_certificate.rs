//! `tls-no-ca-certificate`: a DestinationRule that originates TLS (`SIMPLE` or `MUTUAL`) without
//! `caCertificates` (istioctl `destinationrule.CaCertificateAnalyzer`, IST0128
//! `NoServerCertificateVerificationDestinationLevel`). The port-level twin is
//! `port-tls-no-ca-certificate` (IST0129); both share [`unverified`].

use crate::diag::{Diagnostic, Severity};
use crate::model::Res;
use crate::model::networking::{ClientTls, DestinationRule};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "tls-no-ca-certificate",
    code: Some("IST0128"),
    codes: &["IST0128"],
    severity: Severity::Warning,
    summary: "a DestinationRule originating TLS without caCertificates: the server's certificate is not verified",
    doc: include_str!("../../rules/tls-no-ca-certificate.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

/// Whether `tls` originates TLS whose server certificate nothing verifies. A `credentialName`
/// counts as verification only on a DestinationRule with a `workloadSelector` (a gateway reads
/// the CA from that Secret; sidecars ignore `credentialName`). `insecureSkipVerify: true` is an
/// explicit choice and not reported.
pub fn unverified(tls: &ClientTls, dr: &Res<DestinationRule>) -> Option<&'static str> {
    let mode = tls.mode.as_ref()?;
    let mode = match mode.value.as_str() {
        "SIMPLE" => "SIMPLE",
        "MUTUAL" => "MUTUAL",
        _ => return None,
    };
    if tls.ca_certificates.as_ref().is_some_and(|c| !c.value.is_empty())
        || tls.insecure_skip_verify == Some(true)
    {
        return None;
    }
    let credential = tls.credential_name.as_ref().is_some_and(|c| !c.value.is_empty());
    if credential && dr.spec.workload_selector.is_some() {
        return None;
    }
    Some(mode)
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for dr in &cx.model.destination_rules {
        let Some(tls) = dr.spec.traffic_policy.as_ref().and_then(|p| p.tls.as_deref()) else {
            continue;
        };
        let Some(mode) = unverified(tls, dr) else { continue };
        let host = dr.spec.host.as_ref().map_or("the host", |h| h.value.as_str());
        let loc = tls.mode.as_ref().map_or(tls.at, |m| m.loc);
        out.push(
            Diagnostic::new(
                &RULE,
                loc,
                format!(
                    "TLS mode {mode} to {host} without `caCertificates`: the sidecar accepts any server certificate, so a \
                     man in the middle goes unnoticed"
                ),
            )
            .help(credential_help(tls, dr))
            .resource(Some(dr.resource_ref())),
        );
    }
}

/// The fix to suggest, depending on whether a `credentialName` is already there.
pub fn credential_help(tls: &ClientTls, dr: &Res<DestinationRule>) -> String {
    if tls.credential_name.is_some() && dr.spec.workload_selector.is_none() {
        "`credentialName` is only read by gateways: add `workloadSelector` selecting the gateway, or set `caCertificates: /path/to/ca.pem` \
         (or `insecureSkipVerify: true` to accept any certificate on purpose)"
            .into()
    } else {
        "set `caCertificates: /path/to/ca.pem` (or `credentialName` with a `workloadSelector` on a gateway, or \
         `insecureSkipVerify: true` to accept any certificate on purpose)"
            .into()
    }
}
