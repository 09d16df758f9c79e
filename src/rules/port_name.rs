use crate::diag::{Diagnostic, Severity};
use crate::mesh::ports;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "port-name",
    code: Some("IST0118"),
    codes: &["IST0118", "KIA0601"],
    severity: Severity::Info,
    summary: "a Service port whose name (or appProtocol) does not tell Istio its protocol",
    doc: include_str!("../../rules/port-name.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

/// Values of `gateway.istio.io/managed` on Services Istio creates itself.
const MANAGED: &[&str] = &[
    "istio.io-gateway-controller",
    "istio.io-mesh-controller",
    "istio.io-eastwest-controller",
];

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for svc in &cx.model.services {
        let labels = &svc.meta.labels;
        // The control plane (`istio` label or `release: istio`), Services Istio manages, and
        // ExternalName Services (istioctl reports those under IST0150) are skipped.
        if crate::mesh::SYSTEM_NAMESPACES.contains(&svc.namespace())
            || labels.contains_key("istio")
            || labels.get("release").is_some_and(|r| r.value == "istio")
            || labels
                .get("gateway.istio.io/managed")
                .is_some_and(|m| MANAGED.contains(&m.value.as_str()))
            || svc
                .spec
                .spec
                .service_type
                .as_ref()
                .is_some_and(|t| t.value == "ExternalName")
        {
            continue;
        }
        for p in &svc.spec.spec.ports {
            let Some(number) = p.port.as_ref().map(|n| n.value) else {
                continue;
            };
            let declared = ports::declared_protocol(
                number,
                p.name.as_ref().map(|n| n.value.as_str()),
                p.protocol.as_ref().map(|n| n.value.as_str()),
                p.app_protocol.as_ref().map(|n| n.value.as_str()),
            );
            if declared.is_some() {
                continue;
            }
            let (loc, message) = match (&p.app_protocol, &p.name) {
                (Some(app), _) => (
                    app.loc,
                    format!(
                        "appProtocol {:?} of port {number} is not a protocol Istio knows, so Istio sniffs the protocol",
                        app.value
                    ),
                ),
                (None, Some(name)) => (
                    name.loc,
                    format!(
                        "port name {:?} (port {number}) does not follow Istio's `<protocol>[-<suffix>]` convention and there is no appProtocol, so Istio sniffs the protocol",
                        name.value
                    ),
                ),
                (None, None) => (
                    cx.model.sources.first_line(p.at),
                    format!(
                        "port {number} has no name and no appProtocol, so Istio cannot tell its protocol and sniffs it"
                    ),
                ),
            };
            out.push(
                Diagnostic::new(&RULE, loc, message)
                    .help(
                        "name the port `<protocol>[-<suffix>]` (http, http2, https, grpc, grpc-web, tcp, tls, mongo, mysql, redis), \
                         e.g. `http-web`, or set `appProtocol: http`; sniffing adds latency and cannot recognise server-first protocols",
                    )
                    .resource(Some(svc.resource_ref())),
            );
        }
    }
}
