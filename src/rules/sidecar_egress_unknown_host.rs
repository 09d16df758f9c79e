//! `sidecar-egress-unknown-host` (Kiali KIA1004): a Sidecar `egress.hosts` entry `ns/dnsName`
//! with a concrete dnsName that no Service or ServiceEntry of that namespace matches. Wildcard
//! names (`ns/*`, `*/*.example.com`) and `./host` in the root namespace's Sidecar (read per proxy
//! namespace) are left alone. Each entry is one host lookup in the index: linear.

use std::collections::HashMap;

use crate::diag::{self, Diagnostic, Severity, Subject};
use crate::mesh::host;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "sidecar-egress-unknown-host",
    code: None,
    codes: &["KIA1004"],
    severity: Severity::Warning,
    summary: "a Sidecar egress host that no Service or ServiceEntry of its namespace matches: it imports nothing",
    doc: include_str!("../../rules/sidecar-egress-unknown-host.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let (model, mesh) = (cx.model, cx.mesh);
    let mut by_ns: Option<HashMap<&str, Vec<&str>>> = None;
    for sc in &model.sidecars {
        let own = sc.namespace();
        for written in sc.spec.egress.iter().flat_map(|e| &e.hosts) {
            let Some((ns, dns)) = written.value.split_once('/') else { continue };
            let ns = match ns {
                "." if own == mesh.root_namespace => continue,
                "." => own,
                "~" => continue,
                n => n,
            };
            let dns = dns.to_ascii_lowercase();
            if dns.is_empty() || host::is_wildcard(&dns) {
                continue;
            }
            let in_ns = |h: &str| {
                mesh.services_for_host(h)
                    .into_iter()
                    .any(|s| ns == "*" || mesh.service(s).namespace == ns)
            };
            let resolved = if ns == "*" { dns.clone() } else { host::resolve(&dns, ns) };
            if in_ns(&dns) || in_ns(&resolved) {
                continue;
            }
            let names = by_ns.get_or_insert_with(|| {
                let mut m: HashMap<&str, Vec<&str>> = HashMap::new();
                for s in &mesh.services {
                    m.entry(s.namespace.as_str()).or_default().push(s.host.as_str());
                }
                m
            });
            let candidates: Vec<&str> = if ns == "*" {
                Vec::new()
            } else {
                names.get(ns).cloned().unwrap_or_default()
            };
            let help = match diag::did_you_mean(&resolved, candidates.iter().copied()) {
                Some(s) => format!("did you mean \"{ns}/{s}\"?"),
                None if ns == "*" => format!("fix the host, or add a Service or ServiceEntry for {dns}"),
                None => format!(
                    "fix the host, or add the Service or ServiceEntry for it to namespace {ns} (or write `{ns}/*` to import the whole namespace)"
                ),
            };
            let place = if ns == "*" { "any namespace".to_string() } else { format!("namespace {ns}") };
            out.push(
                Diagnostic::new(
                    &RULE,
                    written.loc,
                    format!(
                        "egress host {:?}: no Service or ServiceEntry in {place} matches {resolved}, so \
                         this entry imports nothing and the workloads it scopes have no route to that host (their \
                         requests fall to outboundTrafficPolicy)",
                        written.value
                    ),
                )
                .help(help)
                .resource(Some(sc.resource_ref()))
                .subject(Subject::Host(resolved)),
            );
        }
    }
}
