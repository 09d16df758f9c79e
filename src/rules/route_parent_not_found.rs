//! `route-parent-not-found` (Kiali KIA1401): an HTTPRoute or GRPCRoute `parentRefs` entry naming
//! a Gateway API Gateway that is not in the inputs, or one in another namespace whose listeners
//! do not admit routes from the route's namespace (`allowedRoutes.namespaces`: `Same` by
//! default, `All`, or a `Selector` over the namespace's labels). Also a `kind: Service` parent
//! (GAMMA mesh routing) naming a Service that is not in the inputs. Index lookups only: linear.

use crate::diag::{Diagnostic, Severity, Subject};
use crate::mesh::{GatewayRef, ServiceSource, host};
use crate::model::other::{K8sGateway, ParentReference};
use crate::model::{Meta, Res};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "route-parent-not-found",
    code: None,
    codes: &["KIA1401"],
    severity: Severity::Error,
    summary: "an HTTPRoute or GRPCRoute parentRef names a Gateway that does not exist or does not admit the route",
    doc: include_str!("../../rules/route-parent-not-found.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

const GATEWAY_GROUP: &str = "gateway.networking.k8s.io";

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let model = cx.model;
    for r in &model.http_routes {
        for p in &r.spec.parent_refs {
            check_parent(cx, &r.meta, p, out);
        }
    }
    for r in &model.grpc_routes {
        for p in &r.spec.parent_refs {
            check_parent(cx, &r.meta, p, out);
        }
    }
}

/// "did you mean" among the Kubernetes Services of namespace `ns` (one pass over the services,
/// only when a finding needs it).
pub fn similar_service(cx: &Context<'_>, name: &str, ns: &str) -> Option<String> {
    let names: Vec<String> = cx
        .mesh
        .services
        .iter()
        .filter(|s| s.namespace == ns && matches!(s.source, ServiceSource::Kubernetes(_)))
        .map(|s| s.name.clone())
        .collect();
    crate::diag::did_you_mean(name, names.iter().map(String::as_str)).map(str::to_string)
}

/// Whether a Service of that name is in namespace `ns` of the inputs.
pub fn service_exists(cx: &Context<'_>, name: &str, ns: &str) -> bool {
    let fqdn = host::resolve(name, ns);
    cx.mesh
        .services_for_host(&fqdn)
        .into_iter()
        .any(|s| matches!(cx.mesh.service(s).source, ServiceSource::Kubernetes(_)))
}

fn check_parent(cx: &Context<'_>, meta: &Meta, p: &ParentReference, out: &mut Vec<Diagnostic>) {
    let Some(name) = p.name.as_ref().filter(|n| !n.value.is_empty()) else { return };
    let group = p.group.as_ref().map_or(GATEWAY_GROUP, |g| g.value.as_str());
    let kind = p.kind.as_ref().map_or("Gateway", |k| k.value.as_str());
    let route_ns = meta.namespace.as_str();
    let ns = p.namespace.as_ref().map_or(route_ns, |n| n.value.as_str());
    let route = "this route";
    let resource = Some(crate::model::resource_ref(meta));
    if kind == "Service" && (group.is_empty() || group == "core") {
        if !service_exists(cx, &name.value, ns) {
            out.push(
                Diagnostic::new(
                    &RULE,
                    name.loc,
                    format!(
                        "attached to Service {ns}/{}, which is not in the inputs: the mesh routes of {route} apply to no service",
                        name.value
                    ),
                )
                .help(match similar_service(cx, &name.value, ns) {
                    Some(s) => format!("did you mean Service {s:?}?"),
                    None => "fix the parent's name (or namespace), or add the Service".to_string(),
                })
                .resource(resource)
                .subject(Subject::Host(host::resolve(&name.value, ns))),
            );
        }
        return;
    }
    if kind != "Gateway" || group != GATEWAY_GROUP {
        return;
    }
    let reference = GatewayRef::Named { namespace: ns.to_string(), name: name.value.clone() };
    let Some(gi) = cx.mesh.k8s_gateway(&reference) else {
        out.push(
            Diagnostic::new(
                &RULE,
                name.loc,
                format!(
                    "attached to Gateway {ns}/{}, which is not in the inputs: the route is accepted by no \
                     gateway and serves no traffic",
                    name.value
                ),
            )
            .help(if service_exists(cx, &name.value, ns) {
                format!(
                    "{ns}/{} is a Service: to attach mesh routes to it, write `kind: Service` and `group: \"\"` (the kind \
                     defaults to Gateway)",
                    name.value
                )
            } else {
                match cx.model.k8s_gateways.iter().find(|g| g.name() == name.value && p.namespace.is_none()) {
                    Some(g) => format!("a Gateway {:?} exists in namespace {}: add `namespace: {}`", name.value, g.namespace(), g.namespace()),
                    None => match crate::diag::did_you_mean(
                    &name.value,
                    cx.model.k8s_gateways.iter().filter(|g| g.namespace() == ns).map(|g| g.name()),
                ) {
                    Some(s) => format!("did you mean Gateway {s:?}?"),
                    None => "fix the parent's name (or `namespace`: it defaults to the route's), or add the Gateway".to_string(),
                    },
                }
            })
            .resource(resource)
            .subject(Subject::Gateway { namespace: ns.to_string(), name: name.value.clone() }),
        );
        return;
    };
    if ns == route_ns {
        return;
    }
    let gw = &cx.model.k8s_gateways[gi];
    if admits(cx, gw, route_ns) {
        return;
    }
    let loc = p.namespace.as_ref().map_or(name.loc, |n| n.loc);
    out.push(
        Diagnostic::new(
            &RULE,
            loc,
            format!(
                "attached to Gateway {ns}/{}, but no listener of it admits routes from namespace {route_ns} \
                 (`allowedRoutes.namespaces.from` is `Same` by default): the route is not accepted",
                name.value
            ),
        )
        .help(format!(
            "set `allowedRoutes: {{namespaces: {{from: All}}}}` (or a Selector matching namespace {route_ns}) on the listener, or move the route to namespace {ns}"
        ))
        .related(gw.loc(), "the Gateway")
        .resource(resource),
    );
}

/// Whether some listener of the Gateway admits routes of namespace `route_ns` (another namespace
/// than the Gateway's). A selector the files cannot decide (expressions, or a namespace not in
/// the inputs) counts as admitting.
fn admits(cx: &Context<'_>, gw: &Res<K8sGateway>, route_ns: &str) -> bool {
    gw.spec.listeners.iter().any(|l| {
        let Some(namespaces) = l.allowed_routes.as_ref().and_then(|a| a.namespaces.as_ref()) else {
            return false;
        };
        match namespaces.from.as_ref().map(|f| f.value.as_str()) {
            Some("All") => true,
            Some("Selector") => {
                let Some(sel) = namespaces.selector.as_ref() else { return false };
                let Some(info) = cx.mesh.namespaces.get(route_ns).filter(|n| n.res.is_some()) else {
                    return true;
                };
                !sel.match_expressions.is_empty()
                    || sel.match_labels.iter().all(|(k, v)| {
                        // Kubernetes labels every namespace with its name.
                        info.labels.get(k) == Some(&v.value) || (k == "kubernetes.io/metadata.name" && v.value == route_ns)
                    })
            }
            _ => false,
        }
    })
}
