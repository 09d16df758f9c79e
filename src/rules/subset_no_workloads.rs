//! `subset-no-workloads`: a DestinationRule subset whose labels (with the service's selector)
//! select none of the host's workloads (istioctl `destinationrule.SubsetSelectPodAnalyzer`,
//! IST0173). Traffic routed to it gets 503 `UH` (no healthy upstream).
//!
//! Only said when the files can tell: the host's endpoints are selected by labels, at least one of
//! them is in the inputs, and the subset does not key on node topology labels (Istio adds those
//! from the Node, which manifests do not carry). An error when a route sends traffic to the
//! subset, info when nothing routes to it yet. When the inputs hold Pods (a cluster dump) and the
//! host's Service selects none of them nor any other workload, each subset with labels is an info
//! (upstream, reading the cluster's pods, reports them).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::diag::{Diagnostic, Severity, Subject};
use crate::mesh::routes::destinations;
use crate::mesh::{WorkloadId, host};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "subset-no-workloads",
    code: Some("IST0173"),
    codes: &["IST0173", "KIA0203"],
    severity: Severity::Error,
    summary: "a DestinationRule subset that selects none of the host's workloads",
    doc: include_str!("../../rules/subset-no-workloads.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

/// The subsets of a DestinationRule whose host's Service selects no workload of the inputs.
fn no_workloads_at_all(
    cx: &Context<'_>,
    dr: &crate::model::Res<crate::model::networking::DestinationRule>,
    service: crate::mesh::ServiceId,
    used: &HashSet<(String, &str)>,
    dr_host: &str,
    out: &mut Vec<Diagnostic>,
) {
    let svc = cx.mesh.service(service);
    for subset in &dr.spec.subsets {
        let Some(name) = subset.name.as_ref() else {
            continue;
        };
        if subset.labels.is_empty()
            || subset
                .labels
                .iter()
                .any(|(k, v)| TOPOLOGY_KEYS.contains(&k.as_str()) && !v.value.is_empty())
        {
            continue;
        }
        let wanted = subset
            .labels
            .iter()
            .map(|(k, v)| format!("{k}={}", v.value))
            .collect::<Vec<_>>()
            .join(", ");
        let routed = used.contains(&(dr_host.to_string(), name.value.as_str()));
        out.push(
            Diagnostic::new(
                &RULE,
                name.loc,
                format!(
                    "subset \"{}\" ({wanted}) selects no workload of the inputs: {} selects none either{}",
                    name.value,
                    svc.describe(),
                    if routed {
                        ", so unless its pods are deployed from elsewhere, traffic routed to the subset fails with 503 UH (no healthy upstream)"
                    } else {
                        " (no route sends traffic to the subset yet)"
                    }
                ),
            )
            .help(format!(
                "add the workloads of {} to the analysis, or fix the selector or the subset's labels",
                svc.describe()
            ))
            .related(svc.loc, format!("{} selects the host's workloads", svc.describe()))
            .resource(Some(dr.resource_ref()))
            .subject(wanted_workload(
                svc,
                &subset
                    .labels
                    .iter()
                    .map(|(k, v)| (k.clone(), v.value.clone()))
                    .collect::<Vec<_>>(),
            ))
            .severity(Severity::Info),
        );
    }
}

/// The workloads a subset wants: the Service's selector and the subset's labels, in the
/// Service's namespace. A workload `.meshlint.yaml` declares `external:` with those labels is in
/// the cluster, only not in these files.
fn wanted_workload(svc: &crate::mesh::ServiceInfo, subset_labels: &[(String, String)]) -> Subject {
    let mut labels: Vec<(String, String)> = svc
        .selector
        .iter()
        .flat_map(|s| s.iter().map(|(k, v)| (k.clone(), v.clone())))
        .collect();
    labels.extend(subset_labels.iter().cloned());
    Subject::Workload {
        namespace: Some(svc.namespace.clone()),
        labels,
    }
}

/// Labels Istio derives from the Node (or the network/cluster), not from the pod template.
const TOPOLOGY_KEYS: &[&str] = &[
    "topology.kubernetes.io/region",
    "topology.kubernetes.io/zone",
    "topology.istio.io/subzone",
    "topology.istio.io/network",
    "topology.istio.io/cluster",
    "kubernetes.io/hostname",
    "failure-domain.beta.kubernetes.io/region",
    "failure-domain.beta.kubernetes.io/zone",
];

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let (model, mesh) = (cx.model, cx.mesh);
    // (resolved host, subset) pairs some route or mirror sends traffic to.
    let mut used: HashSet<(String, &str)> = HashSet::new();
    for vs in &model.virtual_services {
        for d in destinations(&vs.spec) {
            if let (Some(h), Some(s)) = (d.host(), d.destination.subset.as_ref()) {
                used.insert((host::resolve(&h.value, vs.namespace()), s.value.as_str()));
            }
        }
    }
    let cluster_pods = model.workloads.iter().any(|w| w.kind() == "Pod");
    for (i, dr) in model.destination_rules.iter().enumerate() {
        let dr_host = &mesh.destination_rules[i].host;
        if dr.spec.subsets.is_empty() || dr_host.is_empty() || host::is_wildcard(dr_host) {
            continue;
        }
        // The first service of the host whose endpoints the files show.
        let services = mesh.services_for_host(dr_host);
        let Some((service, endpoints)) = services.iter().find_map(|&id| {
            mesh.endpoints(id)
                .filter(|e| !e.is_empty())
                .map(|e| (id, e))
        }) else {
            // Inputs that hold Pods (`kubectl get pods` output: manifests hold pod templates)
            // show what runs. Then a Service of the inputs that selects its endpoints by labels,
            // none of which is in the inputs, has no pods, and no subset selects one (upstream,
            // reading the cluster's pods, reports each); an info, as a dump may be partial.
            if !cluster_pods {
                continue;
            }
            if let Some(&id) = services
                .iter()
                .find(|&&id| mesh.endpoints(id).is_some_and(|e| e.is_empty()))
            {
                no_workloads_at_all(cx, dr, id, &used, dr_host, out);
            }
            continue;
        };
        let svc = mesh.service(service);
        for subset in &dr.spec.subsets {
            let Some(name) = subset.name.as_ref() else {
                continue;
            };
            let labels: BTreeMap<&str, &str> = subset
                .labels
                .iter()
                .map(|(k, v)| (k.as_str(), v.value.as_str()))
                .collect();
            if labels
                .iter()
                .any(|(k, v)| TOPOLOGY_KEYS.contains(k) && !v.is_empty())
            {
                continue;
            }
            let selects = |w: &WorkloadId| {
                let wl = &mesh.workload(*w).labels;
                labels
                    .iter()
                    .all(|(k, v)| wl.get(*k).is_some_and(|x| x == v))
            };
            if endpoints.iter().any(selects) {
                continue;
            }
            let wanted = labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", ");
            // What the workloads carry for the subset's label keys, to show the likely fix.
            let mut present: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
            for w in &endpoints {
                for k in labels.keys() {
                    if let Some(v) = mesh.workload(*w).labels.get(*k) {
                        present.entry(k).or_default().insert(v.as_str());
                    }
                }
            }
            let carried = if present.is_empty() {
                format!(
                    "none of them has the label{} {}",
                    if labels.len() > 1 { "s" } else { "" },
                    labels.keys().copied().collect::<Vec<_>>().join(", ")
                )
            } else {
                let shown: Vec<String> = present
                    .iter()
                    .map(|(k, vs)| {
                        format!("{k}={}", vs.iter().copied().collect::<Vec<_>>().join("|"))
                    })
                    .collect();
                format!("they carry {}", shown.join(", "))
            };
            let routed = used.contains(&(dr_host.clone(), name.value.as_str()));
            let message = format!(
                "subset \"{}\" ({wanted}) selects none of the {} workload{} of {}; {carried}{}",
                name.value,
                endpoints.len(),
                if endpoints.len() == 1 { "" } else { "s" },
                svc.describe(),
                if routed {
                    ": traffic routed to it fails with 503 UH (no healthy upstream)"
                } else {
                    " (no route sends traffic to it yet)"
                }
            );
            let mut diagnostic = Diagnostic::new(&RULE, name.loc, message)
                .help(format!(
                    "fix the subset's labels to match the workloads of {}, or deploy workloads labelled {wanted}",
                    svc.describe()
                ))
                .related(svc.loc, format!("{} selects the host's workloads", svc.describe()))
                .resource(Some(dr.resource_ref()))
                .subject(wanted_workload(
                    svc,
                    &labels
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect::<Vec<_>>(),
                ));
            if !routed {
                diagnostic = diagnostic.severity(Severity::Info);
            }
            out.push(diagnostic);
        }
    }
}
