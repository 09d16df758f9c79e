//! `unknown-host`: a route or mirror destination whose host is no Service or ServiceEntry visible
//! to the namespaces that use the VirtualService (istioctl `virtualservice.DestinationHostAnalyzer`,
//! IST0101). Envoy gets a route to a cluster that does not exist: 503 `NC` for HTTP, a reset for TCP.

use std::collections::HashMap;

use crate::diag::{Diagnostic, Severity, did_you_mean};
use crate::mesh::routes::{destinations, hostless};
use crate::mesh::{Mesh, host};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "unknown-host",
    code: Some("IST0101"),
    severity: Severity::Error,
    summary: "a route or mirror destination host that is no Service or ServiceEntry visible to the VirtualService",
    doc: include_str!("../../rules/unknown-host.md"),
    check: Some(check),
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // "Did you mean" candidates, computed once per namespace that has an unknown host.
    let mut candidates: HashMap<String, Vec<String>> = HashMap::new();
    for (i, vs) in cx.model.virtual_services.iter().enumerate() {
        let ns = vs.namespace();
        let scopes = cx.mesh.vs_scope_namespaces(cx.model, i);
        for (path, loc) in hostless(&vs.spec) {
            out.push(
                Diagnostic::new(&RULE, loc, format!("{path} names no destination host: Istio rejects it (\"destination is required\")"))
                    .help("add `destination: {host: <service>}`, or remove the entry")
                    .resource(Some(vs.resource_ref())),
            );
        }
        for d in destinations(&vs.spec) {
            let Some(written) = d.host() else { continue };
            let found = cx.mesh.lookup_host(&written.value, ns, &scopes);
            if found.is_known() {
                continue;
            }
            let what = if d.role.is_mirror() {
                "mirror host"
            } else {
                "destination host"
            };
            let seen_from = scopes.join(", ");
            let diagnostic = if let Some(hidden) = found.hidden_exact(cx.mesh) {
                let svc = cx.mesh.service(hidden);
                Diagnostic::new(
                    &RULE,
                    written.loc,
                    format!(
                        "{what} \"{}\" is {}, which is not exported to namespace {seen_from}: proxies there have no cluster for it",
                        written.value,
                        svc.describe()
                    ),
                )
                .help(format!(
                    "export {} to {seen_from} ({}), or route to a host visible there",
                    svc.describe(),
                    if svc.kind() == "Service" {
                        "annotation networking.istio.io/exportTo"
                    } else {
                        "spec.exportTo"
                    }
                ))
                .related(svc.loc, format!("{} is defined here", svc.describe()))
            } else {
                let names = candidates
                    .entry(ns.to_string())
                    .or_insert_with(|| cx.mesh.visible_host_names(ns));
                let resolved = if found.host != written.value.to_ascii_lowercase() {
                    format!(" (resolved as {})", found.host)
                } else {
                    String::new()
                };
                let mut diagnostic = Diagnostic::new(
                    &RULE,
                    written.loc,
                    format!(
                        "{what} \"{}\"{resolved} is not a Service or ServiceEntry visible from namespace {seen_from}",
                        written.value
                    ),
                );
                diagnostic = match suggestion(cx.mesh, &written.value, &found.host, ns, &scopes, names) {
                    Suggestion::Fqdn(fqdn) => diagnostic.help(format!(
                        "Istio takes a host containing a dot literally (only dot-less names are expanded); write \"{fqdn}\""
                    )),
                    Suggestion::Similar(s) => diagnostic.help(format!("did you mean \"{s}\"?")),
                    Suggestion::None => diagnostic.help(format!(
                        "fix the host, or add a Service or ServiceEntry for {} (short names resolve in the VirtualService's namespace)",
                        found.host
                    )),
                };
                diagnostic
            };
            out.push(diagnostic.resource(Some(vs.resource_ref())));
        }
    }
}

enum Suggestion {
    /// `reviews.default` where `reviews.default.svc.cluster.local` exists.
    Fqdn(String),
    Similar(String),
    None,
}

fn suggestion(
    mesh: &Mesh,
    written: &str,
    resolved: &str,
    ns: &str,
    scopes: &[String],
    names: &[String],
) -> Suggestion {
    if !host::is_wildcard(resolved) && !resolved.ends_with(host::CLUSTER_DOMAIN) {
        for suffix in [".svc.cluster.local", ".cluster.local"] {
            let fqdn = format!("{resolved}{suffix}");
            if mesh.lookup_host(&fqdn, ns, scopes).is_known() {
                return Suggestion::Fqdn(fqdn);
            }
        }
    }
    if !written.contains('.') {
        return did_you_mean(written, names.iter().map(String::as_str))
            .map_or(Suggestion::None, |s| Suggestion::Similar(s.to_string()));
    }
    // A dotted host: compare `name.ns` forms, suggest in the style it was written.
    let expanded: Vec<String> = names
        .iter()
        .map(|n| {
            if n.contains('.') {
                n.clone()
            } else {
                format!("{n}.{ns}")
            }
        })
        .collect();
    let short = host::short(resolved);
    match did_you_mean(short, expanded.iter().map(String::as_str)) {
        Some(s) if resolved.ends_with(".svc.cluster.local") => {
            let fqdn = format!("{s}.svc.cluster.local");
            if mesh.services_for_host(&fqdn).is_empty() {
                Suggestion::Similar(s.to_string())
            } else {
                Suggestion::Similar(fqdn)
            }
        }
        Some(s) => Suggestion::Similar(s.to_string()),
        None => Suggestion::None,
    }
}
