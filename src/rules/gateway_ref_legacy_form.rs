//! `gateway-ref-legacy-form` (info; Kiali KIA1108): a VirtualService `gateways` entry (of the spec
//! or of a route's `match`) written in the old `name.namespace[.svc.cluster.local]` form instead
//! of `namespace/name`. Istio still reads it (`resolveGatewayName`, the index's resolution), so
//! this is advice, not a fault.

use crate::diag::{Diagnostic, Severity};
use crate::mesh::{GatewayRef, resolve_gateway_name};
use crate::model::Spanned;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "gateway-ref-legacy-form",
    code: None,
    codes: &["KIA1108"],
    severity: Severity::Info,
    summary: "a VirtualService gateway reference in the old name.namespace form: prefer namespace/name",
    doc: include_str!("../../rules/gateway-ref-legacy-form.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for vs in &cx.model.virtual_services {
        let spec = &vs.spec;
        let entries = spec
            .gateways
            .iter()
            .chain(spec.http.iter().flat_map(|r| r.matches.iter().flat_map(|m| m.gateways.iter())))
            .chain(spec.tls.iter().flat_map(|r| r.matches.iter().flat_map(|m| m.gateways.iter())))
            .chain(spec.tcp.iter().flat_map(|r| r.matches.iter().flat_map(|m| m.gateways.iter())));
        for g in entries {
            report(vs, g, out);
        }
    }
}

fn report(
    vs: &crate::model::Res<crate::model::networking::VirtualService>,
    g: &Spanned<String>,
    out: &mut Vec<Diagnostic>,
) {
    let written = g.value.as_str();
    if written.contains('/') || !written.contains('.') {
        return;
    }
    let GatewayRef::Named { namespace, name } = resolve_gateway_name(written, vs.namespace()) else {
        return;
    };
    out.push(
        Diagnostic::new(
            &RULE,
            g.loc,
            format!(
                "gateway {written:?} uses the old `name.namespace` form: Istio reads it as {namespace}/{name}, but the \
                 documented form is `namespace/name` (a dotted name is easy to misread as a host)"
            ),
        )
        .help(format!("write \"{namespace}/{name}\""))
        .resource(Some(vs.resource_ref())),
    );
}
