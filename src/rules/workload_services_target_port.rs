//! `workload-services-target-port`: Services selecting the same workload map different ports
//! to one targetPort (istioctl `deployment.MultiServiceAnalyzer`, IST0137
//! `DeploymentConflictingPorts`).

use std::collections::BTreeMap;

use crate::diag::{Diagnostic, Severity};
use crate::model::node::IntOrString;
use crate::rules::workload_services_protocol::in_mesh_services;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "workload-services-target-port",
    code: Some("IST0137"),
    codes: &["IST0137"],
    severity: Severity::Warning,
    summary: "Services selecting the same workload send different ports to one targetPort",
    doc: include_str!("../../rules/workload-services-target-port.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (w, services) in in_mesh_services(cx) {
        // targetPort → port → service
        let mut targets: BTreeMap<String, BTreeMap<u32, &str>> = BTreeMap::new();
        for s in &services {
            for p in &s.spec.spec.ports {
                let Some(n) = p.port.as_ref() else { continue };
                let target = match p.target_port.as_ref().map(|t| &t.value) {
                    Some(IntOrString::Int(0)) | None => n.value.to_string(),
                    Some(IntOrString::Int(t)) => t.to_string(),
                    Some(IntOrString::String(t)) if t.is_empty() => n.value.to_string(),
                    Some(IntOrString::String(t)) => t.clone(),
                };
                targets.entry(target).or_default().insert(n.value, s.name());
            }
        }
        for (target, ports) in targets.into_iter().filter(|(_, p)| p.len() > 1) {
            let listed: Vec<String> = ports.iter().map(|(p, s)| format!("{p} ({s})")).collect();
            out.push(
                Diagnostic::new(
                    &RULE,
                    w.loc(),
                    format!(
                        "{} {} is selected by Services that send ports {} to the same targetPort {target}: Istio builds \
                         the inbound listener from one of them, so the other port's protocol and settings may be wrong",
                        w.kind(),
                        w.name(),
                        listed.join(", ")
                    ),
                )
                .help("use the same port number for that targetPort in every Service, or give each Service its own targetPort")
                .resource(Some(w.resource_ref())),
            );
        }
    }
}
