//! `unknown-service-registry`: a network of the MeshNetworks takes its endpoints `fromRegistry`
//! a registry istiod does not have (istioctl `meshnetworks.MeshNetworksAnalyzer`, IST0126
//! `UnknownMeshNetworksServiceRegistry`). The registries are the local cluster (`Kubernetes`,
//! or the istiod Deployment's `CLUSTER_ID`), `External` (ServiceEntries), `Mock`, and every
//! remote cluster a remote-cluster Secret (labelled `istio/multiCluster: "true"`) of the inputs
//! adds, named by its keys. Names are case-sensitive.
//!
//! Remote-cluster Secrets hold credentials and are rarely kept with the manifests: without any
//! in the inputs, an unknown registry may be a remote cluster, and the finding is an info.

use std::collections::BTreeSet;

use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "unknown-service-registry",
    code: Some("IST0126"),
    codes: &["IST0126"],
    severity: Severity::Error,
    summary: "a MeshNetworks network takes endpoints from a registry (cluster) istiod does not have",
    doc: include_str!("../../rules/unknown-service-registry.md"),
};

pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let model = cx.model;
    let Some(networks) = &model.mesh_networks else {
        return;
    };
    let mut known: BTreeSet<&str> = ["Kubernetes", "External", "Mock"].into();
    let remote: Vec<_> = model
        .secrets
        .iter()
        .filter(|s| {
            s.meta
                .labels
                .get("istio/multiCluster")
                .is_some_and(|v| v.value == "true")
        })
        .collect();
    for s in &remote {
        known.extend(s.spec.data.keys().map(String::as_str));
        known.extend(s.spec.string_data.keys().map(String::as_str));
    }
    // The local cluster's name, where the istiod Deployment sets it.
    for d in model.workloads.iter().filter(|w| w.kind() == "Deployment") {
        if d.meta.labels.get("app").map(|v| v.value.as_str()) != Some("istiod") {
            continue;
        }
        let ids = d.spec.spec.containers.iter().flat_map(|c| c.env.iter());
        for e in ids {
            if e.name.as_ref().is_some_and(|n| n.value == "CLUSTER_ID") {
                known.extend(e.value.as_ref().map(|v| v.value.as_str()));
            }
        }
    }
    for net in &networks.networks {
        for registry in &net.from_registry {
            if known.contains(registry.value.as_str()) {
                continue;
            }
            let same_but_case = known
                .iter()
                .find(|k| k.eq_ignore_ascii_case(&registry.value))
                .copied();
            let help = match same_but_case.or_else(|| {
                crate::diag::did_you_mean(&registry.value, known.iter().copied())
            }) {
                Some(s) => format!("did you mean {s:?}? Registry names are case-sensitive"),
                None => "name the cluster as its remote-cluster Secret does (`istioctl create-remote-secret --name`), or `Kubernetes` for the local cluster".to_string(),
            };
            let mut d = Diagnostic::new(
                &RULE,
                registry.loc,
                format!(
                    "network {} takes its endpoints from registry {:?}, which istiod does not have (it knows {}): the network gets no endpoints, and cross-network traffic to it fails",
                    net.name.value,
                    registry.value,
                    known.iter().copied().collect::<Vec<_>>().join(", ")
                ),
            )
            .help(help)
            .resource(Some(networks.resource.clone()));
            if remote.is_empty() {
                d.message.push_str(
                    " (no remote-cluster Secret, labelled istio/multiCluster: \"true\", is in the inputs: if the registry is a remote cluster, its Secret would add it)",
                );
                d = d.severity(Severity::Info);
            }
            out.push(d);
        }
    }
}
