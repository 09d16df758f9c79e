//! `unknown-host`: a route or mirror destination whose host is no Service or ServiceEntry visible
//! to the namespaces that use the VirtualService (istioctl `virtualservice.DestinationHostAnalyzer`,
//! IST0101). Envoy gets a route to a cluster that does not exist: 503 `NC` for HTTP, a reset for TCP.

use std::collections::HashMap;

use crate::diag::{Diagnostic, Severity, Subject, did_you_mean};
use crate::mesh::routes::{destinations, hostless};
use crate::mesh::{Mesh, host};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "unknown-host",
    code: Some("IST0101"),
    codes: &["IST0101", "KIA1101"],
    severity: Severity::Error,
    summary: "a route or mirror destination host that is no Service or ServiceEntry visible to the VirtualService",
    doc: include_str!("../../rules/unknown-host.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut suggest = Suggester::default();
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
                diagnostic = match suggest.suggest(cx.mesh, &written.value, &found.host, ns, &scopes) {
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
            out.push(
                diagnostic
                    .resource(Some(vs.resource_ref()))
                    .subject(Subject::Host(found.host.clone())),
            );
        }
    }
}

enum Suggestion {
    /// `reviews.default` where `reviews.default.svc.cluster.local` exists.
    Fqdn(String),
    Similar(String),
    None,
}

/// At most this many "did you mean" comparisons per run (each is a Jaro-Winkler distance); past
/// it, suggestions stop, so the pass stays linear however many hosts are unknown.
const COMPARISON_BUDGET: usize = 200_000;

/// "Did you mean" with bounded work. A host names its namespace — a dot-less name is expanded in
/// the VirtualService's namespace, `name.ns.svc.cluster.local` and the (broken) `name.ns` name
/// `ns` — so it is compared with that namespace's service names only. Any other dotted host (an
/// external name) is compared with the ServiceEntry hosts visible from the namespace.
#[derive(Default)]
struct Suggester {
    visible: HashMap<String, Vec<String>>,
    spent: usize,
}

impl Suggester {
    fn closest<'a>(&mut self, got: &str, candidates: &[&'a str]) -> Option<&'a str> {
        if self.spent + candidates.len() > COMPARISON_BUDGET {
            return None;
        }
        self.spent += candidates.len();
        did_you_mean(got, candidates.iter().copied())
    }

    fn suggest(
        &mut self,
        mesh: &Mesh,
        written: &str,
        resolved: &str,
        ns: &str,
        scopes: &[String],
    ) -> Suggestion {
        if !host::is_wildcard(resolved) && !resolved.ends_with(host::CLUSTER_DOMAIN) {
            for suffix in [".svc.", "."] {
                let fqdn = format!("{resolved}{suffix}{}", host::CLUSTER_DOMAIN);
                if mesh.lookup_host(&fqdn, ns, scopes).is_known() {
                    return Suggestion::Fqdn(fqdn);
                }
            }
        }
        let written = written.to_ascii_lowercase();
        // (name, namespace it names, whether to answer with an FQDN)
        let named = if !written.contains('.') {
            Some((written.as_str(), ns, false))
        } else if let Some(target_ns) = host::service_namespace(resolved) {
            resolved
                .split('.')
                .next()
                .map(|name| (name, target_ns, true))
        } else {
            match written.split('.').collect::<Vec<_>>().as_slice() {
                [name, target_ns] if !mesh.services_in(target_ns).is_empty() => {
                    Some((*name, *target_ns, true))
                }
                _ => None,
            }
        };
        if let Some((name, target_ns, fqdn)) = named {
            let names: Vec<&str> = mesh
                .services_in(target_ns)
                .iter()
                .map(|&id| mesh.service(id))
                .filter(|s| s.kind() == "Service")
                .map(|s| s.name.as_str())
                .collect();
            return match self.closest(name, &names) {
                Some(s) if fqdn => {
                    Suggestion::Similar(format!("{s}.{target_ns}.svc.{}", host::CLUSTER_DOMAIN))
                }
                Some(s) => Suggestion::Similar(s.to_string()),
                None => Suggestion::None,
            };
        }
        // An external name: compare with the ServiceEntry hosts visible from the namespace (built
        // once per namespace; building costs as much budget as comparing with every service).
        if !self.visible.contains_key(ns) {
            if self.spent + mesh.services.len() > COMPARISON_BUDGET {
                return Suggestion::None;
            }
            self.spent += mesh.services.len();
            let mut hosts: Vec<String> = mesh
                .services
                .iter()
                .filter(|s| {
                    s.kind() == "ServiceEntry" && (s.namespace == ns || s.export_to.visible_to(ns))
                })
                .map(|s| s.host.clone())
                .collect();
            hosts.sort();
            hosts.dedup();
            self.visible.insert(ns.to_string(), hosts);
        }
        let hosts = &self.visible[ns];
        if self.spent + hosts.len() > COMPARISON_BUDGET {
            return Suggestion::None;
        }
        self.spent += hosts.len();
        did_you_mean(resolved, hosts.iter().map(String::as_str))
            .map_or(Suggestion::None, |s| Suggestion::Similar(s.to_string()))
    }
}
