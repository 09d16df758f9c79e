//! `gateway-duplicate-certificate`: two Gateways on the same gateway pods serving the same
//! certificate (istioctl `gateway.CertificateAnalyzer`, IST0138 `GatewayDuplicateCertificate`).
//! Like upstream, a Gateway is reported when another Gateway with the same certificate selects
//! at least the pods this one selects (its selector is a superset of this one's). Gateways are
//! grouped by certificate in a map: linear.

use std::collections::HashMap;

use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "gateway-duplicate-certificate",
    code: Some("IST0138"),
    codes: &["IST0138"],
    severity: Severity::Warning,
    summary: "several Gateways on the same pods serve the same certificate: HTTP/2 connection reuse then gives 404s",
    doc: include_str!("../../rules/gateway-duplicate-certificate.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let model = cx.model;
    // certificate → (gateway, server)
    let mut by_cert: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
    for (g, gw) in model.gateways.iter().enumerate() {
        for (s, server) in gw.spec.servers.iter().enumerate() {
            let Some(tls) = server.tls.as_ref() else { continue };
            let cert = if let Some(c) = tls.credential_name.as_ref().filter(|c| !c.value.is_empty()) {
                format!("credential {}", c.value)
            } else if let (Some(c), Some(k)) = (&tls.server_certificate, &tls.private_key) {
                format!("file {} {}", c.value, k.value)
            } else {
                continue;
            };
            let list = by_cert.entry(cert).or_default();
            if list.last().is_none_or(|(last, _)| *last != g) {
                list.push((g, s));
            }
        }
    }
    let mut reported = vec![false; model.gateways.len()];
    let mut groups: Vec<_> = by_cert.into_iter().filter(|(_, l)| l.len() > 1).collect();
    groups.sort();
    for (_, list) in groups {
        for &(g, s) in &list {
            if reported[g] {
                continue;
            }
            let gw = &model.gateways[g];
            let Some(&(o, os)) = list.iter().find(|(o, _)| {
                *o != g
                    && gw.spec.selector.iter().all(|(k, v)| {
                        model.gateways[*o]
                            .spec
                            .selector
                            .get(k)
                            .is_some_and(|ov| ov.value == v.value)
                    })
            }) else {
                continue;
            };
            reported[g] = true;
            let other = &model.gateways[o];
            let Some(server) = gw.spec.servers.get(s) else { continue };
            let Some(tls) = server.tls.as_ref() else { continue };
            let loc = tls
                .credential_name
                .as_ref()
                .or(tls.server_certificate.as_ref())
                .map_or(tls.at, |c| c.loc);
            let mut d = Diagnostic::new(
                &RULE,
                loc,
                format!(
                    "Gateway {}/{} serves the same certificate on the same gateway pods: a client that reuses an HTTP/2 \
                     connection for a host of the other Gateway gets 404, because the connection is bound to this server",
                    other.namespace(),
                    other.name()
                ),
            )
            .help("give each Gateway its own certificate, or merge the servers into one Gateway")
            .resource(Some(gw.resource_ref()));
            if let Some(t) = other.spec.servers.get(os).and_then(|sv| sv.tls.as_ref()) {
                d = d.related(
                    t.credential_name
                        .as_ref()
                        .or(t.server_certificate.as_ref())
                        .map_or(t.at, |c| c.loc),
                    "the same certificate",
                );
            }
            out.push(d);
        }
    }
}
