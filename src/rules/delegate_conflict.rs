use crate::diag::{Diagnostic, Severity};
use crate::mesh::matching::{HttpCondition, delegate_conflict_in};
use crate::mesh::shadowing::vs_gateways;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "delegate-conflict",
    code: None,
    codes: &[],
    severity: Severity::Warning,
    summary: "a delegate VirtualService route whose match is not within its root route's match; Istio drops it",
    doc: include_str!("../../rules/delegate-conflict.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (ri, root) in cx.model.virtual_services.iter().enumerate() {
        if cx.mesh.virtual_services[ri].is_delegate {
            continue;
        }
        for (i, route) in root.spec.http.iter().enumerate() {
            let Some(delegate) = &route.delegate else {
                continue;
            };
            // A root route without match takes the delegate's matches as they are.
            if route.matches.is_empty() {
                continue;
            }
            let Some(name) = &delegate.name else { continue };
            let ns = delegate
                .namespace
                .as_ref()
                .map_or(root.namespace(), |n| n.value.as_str());
            let Some(di) = cx.mesh.virtual_service_by_name(ns, &name.value) else {
                continue;
            };
            let info = &cx.mesh.virtual_services[di];
            // A missing, non-delegate or invisible delegate is another rule's finding.
            if !info.is_delegate
                || !(ns == root.namespace() || info.export_to.visible_to(root.namespace()))
            {
                continue;
            }
            let leaf_vs = &cx.model.virtual_services[di];
            let gateways = vs_gateways(cx.mesh, ri);
            let root_desc: Vec<String> = route
                .matches
                .iter()
                .map(|m| HttpCondition::from_match(m, root.namespace(), &gateways).to_string())
                .collect();
            for (j, leaf) in leaf_vs.spec.http.iter().enumerate() {
                // Istio drops the delegate route when one of its matches merges under no root match.
                let failing = leaf.matches.iter().enumerate().find_map(|(k, m)| {
                    let reasons: Vec<String> = route
                        .matches
                        .iter()
                        .filter_map(|r| {
                            delegate_conflict_in(r, root.namespace(), m, leaf_vs.namespace())
                        })
                        .collect();
                    (reasons.len() == route.matches.len()).then_some((k, m, reasons))
                });
                let Some((k, m, reasons)) = failing else {
                    continue;
                };
                let leaf_desc = HttpCondition::from_match(m, leaf_vs.namespace(), &gateways);
                let which = if leaf.matches.len() > 1 {
                    format!(" match[{k}]")
                } else {
                    String::new()
                };
                let why = if route.matches.len() == 1 {
                    reasons[0].clone()
                } else {
                    reasons
                        .iter()
                        .zip(&root_desc)
                        .map(|(r, d)| format!("against ({d}): {r}"))
                        .collect::<Vec<_>>()
                        .join("; ")
                };
                let message = format!(
                    "http[{j}]{which} ({leaf_desc}) does not narrow the match of root VirtualService {}/{} http[{i}] ({}), \
                     so Istio drops this delegate route when it merges the two: {why}",
                    root.namespace(),
                    root.name(),
                    root_desc.join(" or "),
                );
                let root_loc = route
                    .matches
                    .first()
                    .map_or(cx.model.sources.first_line(route.at), |m| cx.model.sources.trimmed(m.at));
                out.push(
                    Diagnostic::new(&RULE, cx.model.sources.trimmed(m.at), message)
                        .help(
                            "a delegate's match must be a subset of its root route's match: make the delegate's uri, headers and \
                             other conditions narrower than the root's (a longer prefix, an exact path under it), or widen the root's match",
                        )
                        .related(root_loc, format!("match of root VirtualService {}/{} http[{i}]", root.namespace(), root.name()))
                        .resource(Some(leaf_vs.resource_ref())),
                );
            }
        }
    }
}
