//! `route-backend-not-found` (Kiali KIA1402): an HTTPRoute or GRPCRoute `backendRefs` entry of
//! kind Service naming a Service that is not in the inputs, or one in another namespace that no
//! ReferenceGrant of that namespace lets the route use. Index lookups and one map of grants:
//! linear.

use std::collections::HashMap;

use crate::diag::{Diagnostic, Severity, Subject};
use crate::mesh::host;
use crate::model::Meta;
use crate::model::other::HttpBackendRef;
use crate::rules::route_parent_not_found::{service_exists, similar_service};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "route-backend-not-found",
    code: None,
    codes: &["KIA1402"],
    severity: Severity::Error,
    summary: "an HTTPRoute or GRPCRoute backendRef names a Service that does not exist or that no ReferenceGrant allows",
    doc: include_str!("../../rules/route-backend-not-found.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

/// namespace → (from namespace, from kind, to Service name or `None` for all).
type Grants<'m> = HashMap<&'m str, Vec<(&'m str, &'m str, Option<&'m str>)>>;

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let model = cx.model;
    if model.http_routes.is_empty() && model.grpc_routes.is_empty() {
        return;
    }
    let mut grants: Grants<'_> = HashMap::new();
    for g in &model.reference_grants {
        for from in &g.spec.from {
            let group = from.group.as_ref().map_or("", |x| x.value.as_str());
            let (Some(kind), Some(ns)) = (from.kind.as_ref(), from.namespace.as_ref()) else { continue };
            if group != "gateway.networking.k8s.io" {
                continue;
            }
            for to in &g.spec.to {
                let to_group = to.group.as_ref().map_or("", |x| x.value.as_str());
                let to_kind = to.kind.as_ref().map_or("", |x| x.value.as_str());
                if !to_group.is_empty() && to_group != "core" || to_kind != "Service" {
                    continue;
                }
                grants.entry(g.namespace()).or_default().push((
                    ns.value.as_str(),
                    kind.value.as_str(),
                    to.name.as_ref().map(|n| n.value.as_str()),
                ));
            }
        }
    }
    for r in &model.http_routes {
        for b in r.spec.rules.iter().flat_map(|x| x.backend_refs.iter()) {
            check_backend(cx, &grants, &r.meta, b, out);
        }
    }
    for r in &model.grpc_routes {
        for b in r.spec.rules.iter().flat_map(|x| x.backend_refs.iter()) {
            check_backend(cx, &grants, &r.meta, b, out);
        }
    }
}

fn check_backend(cx: &Context<'_>, grants: &Grants<'_>, meta: &Meta, b: &HttpBackendRef, out: &mut Vec<Diagnostic>) {
    let Some(name) = b.name.as_ref().filter(|n| !n.value.is_empty()) else { return };
    let group = b.group.as_ref().map_or("", |g| g.value.as_str());
    let kind = b.kind.as_ref().map_or("Service", |k| k.value.as_str());
    if kind != "Service" || !(group.is_empty() || group == "core") {
        return;
    }
    let route_kind = meta.kind.info().kind;
    let route_ns = meta.namespace.as_str();
    let ns = b.namespace.as_ref().map_or(route_ns, |n| n.value.as_str());
    let resource = Some(crate::model::resource_ref(meta));
    if name.value.contains('.') || !service_exists(cx, &name.value, ns) {
        let help = if name.value.contains('.') {
            format!(
                "a Service backendRef takes the Service's name, not a host: write `name: {}` (and `namespace:` for another namespace)",
                name.value.split('.').next().unwrap_or_default()
            )
        } else if let Some(s) = similar_service(cx, &name.value, ns) {
            format!("did you mean Service {s:?}?")
        } else {
            "fix the backend's name (or `namespace`: it defaults to the route's), or add the Service".to_string()
        };
        out.push(
            Diagnostic::new(
                &RULE,
                name.loc,
                format!(
                    "backend Service {ns}/{} is not in the inputs: requests for this backend get 500 (its \
                     weight of the traffic fails)",
                    name.value
                ),
            )
            .help(help)
            .resource(resource)
            .subject(Subject::Host(host::resolve(&name.value, ns))),
        );
        return;
    }
    if ns == route_ns {
        return;
    }
    let granted = grants.get(ns).into_iter().flatten().any(|&(from_ns, from_kind, to)| {
        from_ns == route_ns && from_kind == route_kind && to.is_none_or(|t| t == name.value)
    });
    if granted {
        return;
    }
    let loc = b.namespace.as_ref().map_or(name.loc, |n| n.loc);
    out.push(
        Diagnostic::new(
            &RULE,
            loc,
            format!(
                "backend Service {ns}/{} is in another namespace, and no ReferenceGrant in {ns} lets \
                 {route_kind}s of namespace {route_ns} use it: the reference is refused (ResolvedRefs=False, \
                 RefNotPermitted) and requests for it get 500",
                name.value
            ),
        )
        .help(format!(
            "add a ReferenceGrant in namespace {ns} with `from: [{{group: gateway.networking.k8s.io, kind: {route_kind}, namespace: {route_ns}}}]` and `to: [{{group: \"\", kind: Service}}]`"
        ))
        .resource(resource),
    );
}
