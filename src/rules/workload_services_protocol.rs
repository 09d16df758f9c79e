//! `workload-services-protocol`: one workload behind several Services that declare the same
//! port with different protocols (istioctl `deployment.MultiServiceAnalyzer`, IST0116
//! `DeploymentAssociatedToMultipleServices`). Upstream reads Deployments; meshlint reads every
//! controller's pod template (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob).
//! [`in_mesh_services`] is shared with `workload-services-target-port` (IST0137).

use std::collections::BTreeMap;

use crate::diag::{Diagnostic, Severity};
use crate::mesh::injection::namespace_injects;
use crate::mesh::{ServiceSource, WorkloadSource};
use crate::model::Res;
use crate::model::k8s::{Service, Workload};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "workload-services-protocol",
    code: Some("IST0116"),
    codes: &["IST0116"],
    severity: Severity::Warning,
    summary: "Services selecting the same workload declare one port with different protocols",
    doc: include_str!("../../rules/workload-services-protocol.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

/// Every controller workload in the mesh (its namespace injects, or its template asks for a
/// sidecar; waypoints excluded) with the Kubernetes Services of its namespace that select it.
pub fn in_mesh_services<'m>(cx: &Context<'m>) -> Vec<(&'m Res<Workload>, Vec<&'m Res<Service>>)> {
    let (model, mesh) = (cx.model, cx.mesh);
    let injecting: std::collections::HashSet<&str> = model
        .namespaces
        .iter()
        .filter(|ns| namespace_injects(model, ns))
        .map(|ns| ns.name())
        .collect();
    let mut out = Vec::new();
    for (id, info) in mesh.workloads.iter().enumerate() {
        let WorkloadSource::Pod(i) = info.source else { continue };
        let Some(w) = model.workloads.get(i) else { continue };
        if w.kind() == "Pod"
            || w.meta.labels.get("gateway.istio.io/managed").map(|v| v.value.as_str())
                == Some("istio.io-mesh-controller")
        {
            continue;
        }
        let inject = w
            .spec
            .pod_labels
            .get("sidecar.istio.io/inject")
            .or(w.spec.pod_annotations.get("sidecar.istio.io/inject"))
            .map(|v| v.value.as_str());
        let in_mesh = match inject {
            Some("true") => true,
            Some("false") => false,
            _ => injecting.contains(w.namespace()),
        };
        if !in_mesh {
            continue;
        }
        let services: Vec<&Res<Service>> = mesh
            .services_selecting(crate::mesh::WorkloadId(id as u32))
            .into_iter()
            .filter_map(|s| match mesh.service(s).source {
                ServiceSource::Kubernetes(k) => model.services.get(k).map(|b| &**b),
                ServiceSource::ServiceEntry(..) => None,
            })
            .collect();
        if services.len() > 1 {
            out.push((&**w, services));
        }
    }
    out
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (w, services) in in_mesh_services(cx) {
        // port → protocol → services
        let mut ports: BTreeMap<u32, BTreeMap<String, Vec<&Res<Service>>>> = BTreeMap::new();
        for s in &services {
            for p in &s.spec.spec.ports {
                let Some(n) = p.port.as_ref() else { continue };
                let protocol = p
                    .protocol
                    .as_ref()
                    .map_or("TCP".to_string(), |x| x.value.to_ascii_uppercase());
                ports.entry(n.value).or_default().entry(protocol).or_default().push(s);
            }
        }
        for (port, protocols) in ports.into_iter().filter(|(_, p)| p.len() > 1) {
            let listed: Vec<String> = protocols
                .iter()
                .map(|(proto, svcs)| {
                    let names: Vec<&str> = svcs.iter().map(|s| s.name()).collect();
                    format!("{proto} in {}", names.join(", "))
                })
                .collect();
            let mut d = Diagnostic::new(
                &RULE,
                w.loc(),
                format!(
                    "{} {} is selected by several Services that declare port {port} with different protocols ({}): the \
                     sidecar builds one inbound listener per port, so one of them is served with the wrong protocol",
                    w.kind(),
                    w.name(),
                    listed.join("; ")
                ),
            )
            .help("use one protocol per port number across the Services of a workload, or give the port another number")
            .resource(Some(w.resource_ref()));
            for svcs in protocols.values() {
                if let Some(s) = svcs.first() {
                    d = d.related(s.loc(), format!("Service {}", s.name()));
                }
            }
            out.push(d);
        }
    }
}
