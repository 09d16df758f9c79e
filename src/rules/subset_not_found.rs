//! `subset-not-found`: a route or mirror destination names a subset that the DestinationRule the
//! client actually uses for that host does not define (istioctl
//! `virtualservice.DestinationRuleAnalyzer`, IST0101 — which only asks whether *any* DR anywhere
//! defines it). Subset clusters exist only for the DR selected by the lookup path (client
//! namespace, then the service's namespace, then the root namespace), so the route points at a
//! cluster that does not exist: 503 `NC`.

use crate::diag::{Diagnostic, Severity};
use crate::mesh::routes::destinations;
use crate::mesh::{DrSelection, Mesh, SubsetRef};
use crate::model::Model;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "subset-not-found",
    code: Some("IST0101"),
    codes: &["IST0101"],
    severity: Severity::Error,
    summary: "a destination subset that the DestinationRule used for that host does not define",
    doc: include_str!("../../rules/subset-not-found.md"),
    check: Some(check),
};

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
            let failing: Vec<(&String, Option<DrSelection>)> = clients
                .iter()
                .map(|c| (c, mesh.destination_rule_for(c, &found.host, service_ns)))
                .filter(|(_, selection)| {
                    selection.as_ref().is_none_or(|s| {
                        !mesh
                            .subsets(model, s)
                            .iter()
                            .any(|(n, _)| *n == subset.value)
                    })
                })
                .collect();
            let Some((client, selection)) = failing.first() else {
                continue;
            };
            let unknown_host = found.is_unknown(mesh);
            let for_clients = failing
                .iter()
                .map(|(c, _)| c.as_str())
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
                let why = unseen_reason(mesh, model, other, client, selection.as_ref());
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

/// Why a client in `client` does not use the DR of `other`.
fn unseen_reason(
    mesh: &Mesh,
    model: &Model,
    other: &SubsetRef,
    client: &str,
    selection: Option<&DrSelection>,
) -> String {
    let info = &mesh.destination_rules[other.dr];
    let dr = &model.destination_rules[other.dr];
    if info.has_selector {
        return "has a workloadSelector, so only the workloads it selects use it".to_string();
    }
    if dr.namespace() != client && !info.export_to.visible_to(client) {
        return format!("is not exported to namespace {client}");
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
