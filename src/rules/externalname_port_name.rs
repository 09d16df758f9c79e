use crate::diag::{Diagnostic, Severity};
use crate::mesh::{Protocol, ports};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "externalname-port-name",
    code: Some("IST0150"),
    codes: &["IST0150"],
    severity: Severity::Warning,
    summary: "an ExternalName Service port that is plain TCP or undeclared, which sidecars cannot tell apart from other traffic on that port",
    doc: include_str!("../../rules/externalname-port-name.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for svc in &cx.model.services {
        let spec = &svc.spec.spec;
        if crate::mesh::SYSTEM_NAMESPACES.contains(&svc.namespace())
            || svc.meta.labels.contains_key("istio")
            || spec
                .service_type
                .as_ref()
                .is_none_or(|t| t.value != "ExternalName")
        {
            continue;
        }
        let target = spec
            .external_name
            .as_ref()
            .map_or("the external name", |n| n.value.as_str());
        for p in &spec.ports {
            let Some(number) = p.port.as_ref().map(|n| n.value) else {
                continue;
            };
            let name = p.name.as_ref().map(|n| n.value.as_str());
            let declared = ports::declared_protocol(
                number,
                name,
                p.protocol.as_ref().map(|n| n.value.as_str()),
                p.app_protocol.as_ref().map(|n| n.value.as_str()),
            );
            let what = match declared {
                Some(Protocol::Tcp) => "is plain TCP",
                None => "has no protocol Istio knows",
                Some(_) => continue,
            };
            let loc = p
                .name
                .as_ref()
                .map_or_else(|| cx.model.sources.first_line(p.at), |n| n.loc);
            out.push(
                Diagnostic::new(
                    &RULE,
                    loc,
                    format!(
                        "port {number} of this ExternalName Service {what}: the Service has no cluster IP, so sidecars \
                         can only match its TCP traffic by port, and connections to other destinations on port {number} \
                         may be sent to {target} or not forwarded correctly"
                    ),
                )
                .help(
                    "name the port after the protocol it carries (`https`, `http`, `tls`, …, or set appProtocol), so that \
                     Istio matches the traffic by host or SNI instead of by port alone",
                )
                .resource(Some(svc.resource_ref())),
            );
        }
    }
}
