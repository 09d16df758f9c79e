//! `target-port-not-served` (Kiali KIA0701): a Service port whose `targetPort` no container of
//! the workloads it selects declares. A named targetPort that no container port carries gets
//! those pods no endpoint (Kubernetes resolves names per pod); a numeric one is reported only where
//! a container port carries the Service port's name with another number (declaring container
//! ports is optional and often partial, so a number missing from them proves nothing).
//! The root namespace (the control plane) and gateway proxies are left out, as Kiali does. One
//! pass over the Services and their endpoints.

use crate::diag::{Diagnostic, Severity};
use crate::mesh::{ServiceId, ServiceSource, WorkloadSource};
use crate::model::node::IntOrString;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "target-port-not-served",
    code: None,
    codes: &["KIA0701"],
    severity: Severity::Warning,
    summary: "a Service targetPort that no container of the selected workloads declares",
    doc: include_str!("../../rules/target-port-not-served.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let (model, mesh) = (cx.model, cx.mesh);
    for (id, info) in mesh.services.iter().enumerate() {
        let ServiceSource::Kubernetes(si) = info.source else { continue };
        let Some(svc) = model.services.get(si) else { continue };
        if svc.namespace() == mesh.root_namespace || svc.spec.spec.selector.as_ref().is_none_or(|s| s.is_empty()) {
            continue;
        }
        let Some(endpoints) = mesh.endpoints(ServiceId(id as u32)) else { continue };
        let pods: Vec<_> = endpoints
            .into_iter()
            .filter(|&w| !mesh.is_gateway_workload(model, w))
            .filter_map(|w| match mesh.workload(w).source {
                WorkloadSource::Pod(i) => model.workloads.get(i),
                _ => None,
            })
            .collect();
        if pods.is_empty() {
            continue;
        }
        for p in &svc.spec.spec.ports {
            let Some(number) = p.port.as_ref() else { continue };
            let (named, target) = match p.target_port.as_ref().map(|t| &t.value) {
                Some(IntOrString::String(n)) if !n.is_empty() => (Some(n.as_str()), 0),
                Some(IntOrString::Int(t)) if *t > 0 => (None, *t as u32),
                _ => (None, number.value),
            };
            let at = p.target_port.as_ref().map_or(number.loc, |t| t.loc);
            let mut missing = Vec::new();
            for w in &pods {
                let ports = || w.spec.spec.containers.iter().flat_map(|c| c.ports.iter());
                let served = match named {
                    Some(n) => ports().any(|cp| cp.name.as_ref().is_some_and(|x| x.value == n)),
                    // Declaring container ports is optional and often partial (Istio's own samples
                    // serve undeclared ports): a number is only doubted when a container port
                    // carries the Service port's name with another number, the usual typo.
                    None => {
                        let same_name = |cp: &&crate::model::k8s::ContainerPort| {
                            cp.name.as_ref().zip(p.name.as_ref()).is_some_and(|(a, b)| a.value == b.value)
                        };
                        ports().any(|cp| cp.container_port.as_ref().is_some_and(|c| c.value == target))
                            || !ports().any(|cp| same_name(&cp))
                    }
                };
                if !served {
                    missing.push(*w);
                }
            }
            let Some(first) = missing.first() else { continue };
            let names: Vec<String> = missing.iter().map(|w| format!("{} {}", w.kind(), w.name())).collect();
            let declared: Vec<String> = first
                .spec
                .spec
                .containers
                .iter()
                .flat_map(|c| c.ports.iter())
                .filter_map(|cp| {
                    let n = cp.container_port.as_ref()?.value;
                    Some(match cp.name.as_ref() {
                        Some(name) => format!("{n} ({})", name.value),
                        None => n.to_string(),
                    })
                })
                .collect();
            let (what, effect) = match named {
                Some(n) => (
                    format!("targetPort {n:?}"),
                    "Kubernetes resolves a named targetPort per pod, so these pods get no endpoint for this port and \
                     its traffic finds no backend there"
                        .to_string(),
                ),
                None => (
                    format!("targetPort {target}"),
                    format!(
                        "the container port named {:?} is another number, so this port's traffic probably reaches a port \
                         the application does not listen on (the files cannot show whether it listens there anyway)",
                        p.name.as_ref().map_or("", |n| n.value.as_str())
                    ),
                ),
            };
            let help = match (named, declared.is_empty()) {
                (_, true) => "declare the container port the Service sends this port to".to_string(),
                (Some(_), false) => format!("name the container port, or use one of: {}", declared.join(", ")),
                (None, false) => format!("set targetPort to one of the declared container ports: {}", declared.join(", ")),
            };
            let mut d = Diagnostic::new(
                &RULE,
                at,
                format!(
                    "port {} sends to {what}, which no container of {} declares: {effect}",
                    number.value,
                    names.join(", ")
                ),
            )
            .help(help)
            .resource(Some(svc.resource_ref()));
            let first_port = first.spec.spec.containers.iter().flat_map(|c| c.ports.iter()).next();
            if let Some(at) = first_port.map(|p| p.at).or(first.spec.template_at) {
                d = d.related(at, format!("the container ports of {} {}", first.kind(), first.name()));
            }
            out.push(d);
        }
    }
}
