//! Workload-scoped resources (Sidecar, Telemetry…): which workloads each one selects, and where
//! several of them claim the same workload or the same namespace (istioctl's
//! `sidecar.SelectorAnalyzer` and `telemetry.SelectorAnalyzer` / `DefaultSelectorAnalyzer`).
//! One pass over the resources and one map from workload to claimants: linear.

use std::collections::{BTreeMap, HashMap};

use super::{Labels, Mesh, WorkloadId, WorkloadSource};
use crate::model::Model;

/// One workload-scoped resource, as the analysis needs it.
pub struct Scoped<'a> {
    pub namespace: &'a str,
    /// `None`: applies to the whole namespace (no selector and no `targetRef`). `Some(empty)` is
    /// treated like `None` by Istio, and here too.
    pub selector: Option<Labels>,
    /// Attached by `targetRef(s)` instead: neither namespace-wide nor selector-based.
    pub targeted: bool,
}

/// What `scope` finds.
#[derive(Debug, Default)]
pub struct Scopes {
    /// Resources whose selector picks no workload, although their namespace has workloads in the
    /// inputs (in a namespace without any, the files cannot tell).
    pub selects_nothing: Vec<usize>,
    /// Per resource: the workloads it selects together with the other resources that select them.
    pub conflicts: BTreeMap<usize, Vec<(WorkloadId, Vec<usize>)>>,
    /// Per namespace with several namespace-wide resources: those resources.
    pub namespace_wide: BTreeMap<String, Vec<usize>>,
}

pub fn scope(mesh: &Mesh, items: &[Scoped<'_>]) -> Scopes {
    let mut out = Scopes::default();
    let mut claims: HashMap<WorkloadId, Vec<usize>> = HashMap::new();
    let mut wide: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        if item.targeted {
            continue;
        }
        match &item.selector {
            Some(sel) if !sel.is_empty() => {
                let picked = mesh.select(item.namespace, sel);
                if picked.is_empty() {
                    if !mesh.select(item.namespace, &Labels::new()).is_empty() {
                        out.selects_nothing.push(i);
                    }
                    continue;
                }
                for w in picked {
                    claims.entry(w).or_default().push(i);
                }
            }
            _ => wide.entry(item.namespace).or_default().push(i),
        }
    }
    let mut claims: Vec<_> = claims.into_iter().filter(|(_, c)| c.len() > 1).collect();
    claims.sort();
    for (w, claimants) in claims {
        for &i in &claimants {
            let others = claimants.iter().copied().filter(|&o| o != i).collect();
            out.conflicts.entry(i).or_default().push((w, others));
        }
    }
    out.namespace_wide = wide
        .into_iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|(ns, v)| (ns.to_string(), v))
        .collect();
    out
}

/// Whether a namespace is in ambient mode: labelled `istio.io/dataplane-mode: ambient` and not
/// also labelled for sidecar injection (`istio-injection` or `istio.io/rev`, which win).
pub fn namespace_is_ambient(mesh: &Mesh, namespace: &str) -> bool {
    mesh.namespaces.get(namespace).is_some_and(|ns| {
        ns.labels.get("istio.io/dataplane-mode").map(String::as_str) == Some("ambient")
            && !ns.labels.contains_key("istio-injection")
            && !ns.labels.contains_key("istio.io/rev")
    })
}

/// Whether a workload is captured by ztunnel rather than a sidecar: its pod is annotated
/// `ambient.istio.io/redirection: enabled`, or its namespace is ambient and the pod does not opt
/// out (`istio.io/dataplane-mode: none`) or ask for a sidecar (`sidecar.istio.io/inject: "true"`).
pub fn workload_is_ambient(model: &Model, mesh: &Mesh, id: WorkloadId) -> bool {
    let w = mesh.workload(id);
    let WorkloadSource::Pod(i) = w.source else {
        return false;
    };
    let Some(res) = model.workloads.get(i) else {
        return false;
    };
    let annotated = res
        .meta
        .annotations
        .get("ambient.istio.io/redirection")
        .or(res.spec.pod_annotations.get("ambient.istio.io/redirection"))
        .is_some_and(|v| v.value == "enabled");
    if annotated {
        return true;
    }
    namespace_is_ambient(mesh, &w.namespace)
        && w.labels.get("istio.io/dataplane-mode").map(String::as_str) != Some("none")
        && w.labels.get("sidecar.istio.io/inject").map(String::as_str) != Some("true")
}

/// A selector of the model as the index stores labels.
pub fn labels_of(map: &crate::model::Map<crate::model::Spanned<String>>) -> Labels {
    map.iter()
        .map(|(k, v)| (k.clone(), v.value.clone()))
        .collect()
}

/// The Sidecars of the model as workload-scoped resources, in model order.
pub fn sidecars(model: &Model) -> Vec<Scoped<'_>> {
    model
        .sidecars
        .iter()
        .map(|s| Scoped {
            namespace: s.namespace(),
            selector: s
                .spec
                .workload_selector
                .as_ref()
                .map(|w| labels_of(&w.labels)),
            targeted: false,
        })
        .collect()
}

/// The Telemetries of the model as workload-scoped resources, in model order.
pub fn telemetries(model: &Model) -> Vec<Scoped<'_>> {
    model
        .telemetries
        .iter()
        .map(|t| Scoped {
            namespace: t.namespace(),
            selector: t.spec.selector.as_ref().map(|w| labels_of(&w.match_labels)),
            targeted: t.spec.target_ref.is_some() || !t.spec.target_refs.is_empty(),
        })
        .collect()
}
