//! `subset-not-found`: a route or mirror destination names a subset that the DestinationRule the
//! client actually uses for that host does not define (istioctl
//! `virtualservice.DestinationRuleAnalyzer`, IST0101 — which only asks whether *any* DR anywhere
//! defines it). Subset clusters exist only for the DR selected by the lookup path (client
//! namespace, then the service's namespace, then the root namespace), so the route points at a
//! cluster that does not exist: 503 `NC`.

use crate::diag::{Diagnostic, Severity};
use crate::mesh::routes::destinations;
use crate::mesh::{DrLookup, DrSelection, Labels, Mesh, SubsetRef, WorkloadId};
use crate::model::Model;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "subset-not-found",
    code: Some("IST0101"),
    codes: &["IST0101", "KIA1107"],
    severity: Severity::Error,
    summary: "a destination subset that the DestinationRule used for that host does not define",
    doc: include_str!("../../rules/subset-not-found.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let (model, mesh) = (cx.model, cx.mesh);
    for (i, vs) in model.virtual_services.iter().enumerate() {
        let ns = vs.namespace();
        let scopes = mesh.vs_scope_namespaces(model, i);
        let mut clients = mesh.vs_client_namespaces(model, i);
        if clients.is_empty() {
            // Bound only to gateways that do not exist (`unknown-gateway` says so); still check
            // the subsets as a client of the VirtualService's own namespace would see them.
            clients.push(ns.to_string());
        }
        for d in destinations(&vs.spec) {
            let Some(subset) = d
                .destination
                .subset
                .as_ref()
                .filter(|s| !s.value.is_empty())
            else {
                continue;
            };
            let Some(written) = d.host() else { continue };
            let found = mesh.lookup_host(&written.value, ns, &scopes);
            let services: Vec<_> = if found.visible.is_empty() {
                found.hidden_exact(mesh).into_iter().collect()
            } else {
                found.visible.clone()
            };
            let service_ns = mesh.service_namespace_of(&found.host, &services, ns);
            // One lookup per client namespace; where workloadSelector rules make the outcome
            // depend on the workload (`SidecarScope.DestinationRule`), one per workload there.
            let mut failing: Vec<Failing> = Vec::new();
            for c in &clients {
                let lookup = mesh.destination_rule_lookup(c, None, &found.host, service_ns);
                let workloads = if lookup.selectors.is_empty() {
                    Vec::new()
                } else {
                    client_workloads(mesh, i, c)
                };
                let outcomes: Vec<(Option<WorkloadId>, DrLookup)> = if workloads.is_empty() {
                    vec![(None, lookup)]
                } else {
                    workloads
                        .into_iter()
                        .map(|w| {
                            let labels = &mesh.workload(w).labels;
                            let l = mesh.destination_rule_lookup(c, Some(labels), &found.host, service_ns);
                            (Some(w), l)
                        })
                        .collect()
                };
                for (workload, lookup) in outcomes {
                    let missing = lookup.selection.as_ref().is_none_or(|s| {
                        !mesh.subsets(model, s).iter().any(|(n, _)| *n == subset.value)
                    });
                    if !missing {
                        continue;
                    }
                    // Workloads with the same outcome are reported together.
                    match failing.iter_mut().find(|f| f.client == *c && f.lookup == lookup) {
                        Some(f) => f.workloads.extend(workload),
                        None => failing.push(Failing {
                            client: c.clone(),
                            workloads: workload.into_iter().collect(),
                            lookup,
                        }),
                    }
                }
            }
            let Some(first) = failing.first() else {
                continue;
            };
            let (client, selection) = (&first.client, &first.lookup.selection);
            let unknown_host = found.is_unknown(mesh);
            let for_clients = failing
                .iter()
                .map(|f| f.describe(mesh))
                .collect::<Vec<_>>()
                .join(", ");
            let elsewhere: Vec<SubsetRef> = mesh
                .subset_definitions(model, &found.host, &subset.value)
                .into_iter()
                .filter(|r| selection.as_ref().is_none_or(|s| !s.rules.contains(&r.dr)))
                .collect();
            if unknown_host && selection.is_none() && elsewhere.is_empty() {
                // Neither the host nor any DestinationRule for it exists: `unknown-host` says so,
                // and there is nothing a subset could be checked against.
                continue;
            }
            let mut diagnostic = match selection {
                Some(selection) => {
                    let names: Vec<&str> = mesh.subsets(model, selection).into_iter().map(|(n, _)| n).collect();
                    let dr = dr_names(model, selection);
                    let message = format!(
                        "subset \"{}\" is not defined by {dr}, the DestinationRule that clients in namespace {for_clients} use for host {}",
                        subset.value, found.host
                    );
                    let help = if names.is_empty() {
                        format!("define subset \"{}\" in {dr}", subset.value)
                    } else {
                        format!("define subset \"{}\" in {dr}, or route to one of: {}", subset.value, names.join(", "))
                    };
                    let first = &model.destination_rules[selection.rules[0]];
                    let at = first.spec.subsets.iter().find_map(|s| s.name.as_ref()).map_or(first.loc(), |n| n.loc);
                    Diagnostic::new(&RULE, subset.loc, message)
                        .help(help)
                        .related(at, format!("{dr} defines subsets here"))
                }
                None => Diagnostic::new(
                    &RULE,
                    subset.loc,
                    format!(
                        "subset \"{}\" is not defined by any DestinationRule for host {} that clients in namespace {for_clients} use",
                        subset.value, found.host
                    ),
                )
                .help(format!(
                    "define subset \"{}\" in a DestinationRule for host {} (in namespace {service_ns}, exported to {client}), or remove the subset",
                    subset.value, found.host
                )),
            };
            if let Some(other) = elsewhere.first() {
                let dr = &model.destination_rules[other.dr];
                let why = unseen_reason(mesh, model, other, client, &first.lookup);
                diagnostic.message.push_str(&format!(
                    "; it is defined only in DestinationRule {}/{}, which {why}",
                    dr.namespace(),
                    dr.name()
                ));
                let at = dr
                    .spec
                    .subsets
                    .get(other.index)
                    .and_then(|s| s.name.as_ref())
                    .map_or(dr.loc(), |n| n.loc);
                diagnostic = diagnostic.related(
                    at,
                    format!(
                        "subset \"{}\" of DestinationRule {}/{}, not used by this client",
                        subset.value,
                        dr.namespace(),
                        dr.name()
                    ),
                );
            }
            out.push(diagnostic.resource(Some(vs.resource_ref())));
        }
    }
}

fn dr_names(model: &Model, selection: &DrSelection) -> String {
    let names: Vec<String> = selection
        .rules
        .iter()
        .map(|&i| {
            let dr = &model.destination_rules[i];
            format!("{}/{}", dr.namespace(), dr.name())
        })
        .collect();
    match names.as_slice() {
        [one] => format!("DestinationRule {one}"),
        _ => format!("DestinationRules {} (merged)", names.join(" + ")),
    }
}

/// The proxies in namespace `ns` that apply VirtualService `vs`: its sidecars there when it binds
/// the `mesh` gateway, and the gateway proxies there of the Gateways it binds.
fn client_workloads(mesh: &Mesh, vs: usize, ns: &str) -> Vec<WorkloadId> {
    let info = &mesh.virtual_services[vs];
    let mut out: Vec<WorkloadId> = if info.binds_mesh() {
        mesh.select(ns, &Labels::new())
    } else {
        Vec::new()
    };
    for (reference, _) in &info.gateways {
        if let Some(gw) = mesh.gateway(reference) {
            out.extend(
                mesh.gateway_workloads[gw]
                    .iter()
                    .copied()
                    .filter(|&w| mesh.workload(w).namespace == ns),
            );
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Clients that miss the subset with the same lookup outcome.
struct Failing {
    client: String,
    /// Empty: every client of the namespace (the outcome does not depend on the workload).
    workloads: Vec<WorkloadId>,
    lookup: DrLookup,
}

impl Failing {
    fn describe(&self, mesh: &Mesh) -> String {
        if self.workloads.is_empty() {
            return self.client.clone();
        }
        let names: Vec<&str> = self
            .workloads
            .iter()
            .map(|&w| mesh.workload(w).name.as_str())
            .collect();
        format!("{} (workloads {})", self.client, names.join(", "))
    }
}

/// Why a client in `client` does not use the DR of `other`, given how its lookup went.
fn unseen_reason(
    mesh: &Mesh,
    model: &Model,
    other: &SubsetRef,
    client: &str,
    lookup: &DrLookup,
) -> String {
    let info = &mesh.destination_rules[other.dr];
    let dr = &model.destination_rules[other.dr];
    let selection = lookup.selection.as_ref();
    if info.has_selector {
        if dr.namespace() == client && lookup.selectors.contains(&other.dr) {
            return "has a workloadSelector that does not select these workloads; for them it still ends the lookup in their namespace, so they use no rule from the service's or the root namespace".to_string();
        }
        return "has a workloadSelector, so only the workloads it selects in its own namespace use it".to_string();
    }
    if lookup.hidden.contains(&other.dr) {
        return format!(
            "is not exported to namespace {client}; being the most specific rule for the host in namespace {}, it also hides that namespace's less specific rules from {client} (the host is matched before exportTo is checked)",
            dr.namespace()
        );
    }
    if let Some(&hider) = lookup
        .hidden
        .iter()
        .find(|&&h| model.destination_rules[h].namespace() == dr.namespace())
    {
        let h = &model.destination_rules[hider];
        return format!(
            "is hidden by DestinationRule {}/{}: that rule is the most specific for the host in namespace {} but is not exported to namespace {client}, and Istio matches the host before it checks exportTo, with no fallback to a less specific rule",
            h.namespace(),
            h.name(),
            dr.namespace()
        );
    }
    if dr.namespace() == client && !info.local {
        return format!(
            "is exported only to other namespaces, so namespace {client} itself does not use it"
        );
    }
    if dr.namespace() != client && !info.exported_to(client) {
        return format!("is not exported to namespace {client}");
    }
    if dr.namespace() == client
        && client == mesh.root_namespace
        && !info.private_only
        && let Some(s) = selection
    {
        return format!(
            "is a public rule of the root namespace, which its own clients consult last (after their private rules and the service's namespace): {} for host {} comes first",
            dr_names(model, s),
            s.host
        );
    }
    match selection {
        Some(s) => format!(
            "is shadowed: the lookup path (client namespace, service namespace, root namespace; most specific host first) picks {} for host {} first",
            dr_names(model, s),
            s.host
        ),
        None => format!(
            "is written for host {} and is not on the lookup path of namespace {client}",
            info.host
        ),
    }
}
