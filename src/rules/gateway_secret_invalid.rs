//! `gateway-secret-invalid`: the Secret a Gateway server's `credentialName` names is in the
//! inputs, but the gateway cannot serve it (istioctl `gateway.SecretAnalyzer`, IST0161
//! `InvalidGatewayCredential`): it has neither `tls.crt` and `tls.key` nor `cert` and `key` with
//! values, its certificate value holds no PEM certificate that parses, or the certificate has
//! expired or is not yet valid (against the clock of the run).

use crate::diag::{Diagnostic, Severity};
use crate::model::cert::{CertCheck, date};
use crate::model::k8s::Secret;
use crate::rules::gateway_secret_not_found::credentials;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "gateway-secret-invalid",
    code: Some("IST0161"),
    codes: &["IST0161"],
    severity: Severity::Error,
    summary: "a Gateway credential Secret without a usable certificate and key, or with an expired certificate",
    doc: include_str!("../../rules/gateway-secret-invalid.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

/// Why the gateway cannot use the Secret, as Istio reads a credential, `None` if it can.
fn problem(secret: &Secret, now: i64) -> Option<String> {
    let filled = |k: &str| secret.value(k).is_some_and(|v| !v.empty);
    let cert_key = if filled("cert") && filled("key") {
        "cert"
    } else if filled("tls.crt") && filled("tls.key") {
        "tls.crt"
    } else if secret.has_key("cert") && secret.has_key("key") {
        return Some("its keys `cert` and `key` are empty".to_string());
    } else if secret.has_key("tls.crt") && secret.has_key("tls.key") {
        return Some("its keys `tls.crt` and `tls.key` are empty".to_string());
    } else {
        let mut keys: Vec<&str> = secret
            .data
            .keys()
            .chain(secret.string_data.keys())
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        keys.dedup();
        return Some(format!(
            "it has neither `tls.crt` and `tls.key` nor `cert` and `key` (its keys: {})",
            if keys.is_empty() {
                "none".to_string()
            } else {
                keys.join(", ")
            }
        ));
    };
    match secret.value(cert_key).and_then(|v| v.cert.as_deref()) {
        Some(CertCheck::Unreadable(why)) => Some(format!("its `{cert_key}` cannot be read as a certificate: {why}")),
        Some(CertCheck::Valid { not_after, .. }) if now > *not_after => Some(format!(
            "the certificate in `{cert_key}` expired on {}",
            date(*not_after)
        )),
        Some(CertCheck::Valid { not_before, .. }) if now < *not_before => Some(format!(
            "the certificate in `{cert_key}` is not valid before {}",
            date(*not_before)
        )),
        _ => None,
    }
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let credentials = credentials(cx);
    if credentials.is_empty() {
        return;
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    for c in credentials {
        let Some(secret) = c.secret else { continue };
        let Some(why) = problem(&secret.spec, now) else {
            continue;
        };
        let gw = &cx.model.gateways[c.gateway];
        out.push(
            Diagnostic::new(
                &RULE,
                c.at,
                format!(
                    "credentialName {:?}: the gateway cannot serve Secret {}/{}: {why}; TLS handshakes on this server fail",
                    c.written, c.namespace, c.name
                ),
            )
            .help(if why.contains("expired") || why.contains("not valid before") {
                "renew the certificate and update the Secret (`kubectl create secret tls ... --dry-run=client -o yaml`)"
            } else {
                "put the PEM certificate chain under `tls.crt` and its private key under `tls.key` (a `kubernetes.io/tls` Secret)"
            })
            .related(secret.loc(), format!("Secret {}/{}", c.namespace, c.name))
            .resource(Some(gw.resource_ref())),
        );
    }
}
