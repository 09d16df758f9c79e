//! `authz-no-workload` (istioctl IST0127 `NoMatchingWorkloadsFound`, Kiali KIA0004): the
//! `selector` of an AuthorizationPolicy, RequestAuthentication or PeerAuthentication matches no
//! workload in the inputs. A root-namespace AuthorizationPolicy selector is looked up in every
//! namespace, as Istio applies it there. A selector-less AuthorizationPolicy outside the root
//! namespace applies to its whole namespace: when the inputs hold Pods (a cluster dump, which
//! shows what runs), it is reported if no workload of that namespace is among them (as upstream,
//! which looks for the namespace's pods); manifests alone cannot show an empty namespace.

use crate::diag::{self, Diagnostic, Severity, Subject};
use crate::mesh::Labels;
use crate::model::networking::WorkloadSelector;
use crate::model::{Meta, resource_ref};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "authz-no-workload",
    code: Some("IST0127"),
    codes: &["IST0127", "KIA0004"],
    severity: Severity::Warning,
    summary: "a security policy whose selector matches no workload in the inputs",
    doc: include_str!("../../rules/authz-no-workload.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let (model, mesh) = (cx.model, cx.mesh);
    let aps = model
        .authorization_policies
        .iter()
        .map(|p| (&p.meta, p.spec.selector.as_ref(), true, p.loc()));
    let ras = model
        .request_authentications
        .iter()
        .map(|p| (&p.meta, p.spec.selector.as_ref(), false, p.loc()));
    let pas = model
        .peer_authentications
        .iter()
        .map(|p| (&p.meta, p.spec.selector.as_ref(), false, p.loc()));
    // Pods in the inputs (`kubectl get pods` output) show what runs; manifests alone cannot show
    // that a namespace has no workloads.
    let cluster_pods = model.workloads.iter().any(|w| w.kind() == "Pod");
    for (meta, selector, any_ns_from_root, at) in aps.chain(ras).chain(pas) {
        let Some(sel) = selector.filter(|s| !s.match_labels.is_empty()) else {
            let ns = meta.namespace.as_str();
            if any_ns_from_root
                && cluster_pods
                && ns != mesh.root_namespace
                && mesh.select(ns, &Labels::default()).is_empty()
            {
                report_namespace_wide(meta, at, out);
            }
            continue;
        };
        let labels: Labels = sel
            .match_labels
            .iter()
            .map(|(k, v)| (k.clone(), v.value.clone()))
            .collect();
        let ns = meta.namespace.as_str();
        let everywhere = any_ns_from_root && ns == mesh.root_namespace;
        let found = if everywhere {
            mesh.select_in_any_namespace(&labels)
        } else {
            mesh.select(ns, &labels)
        };
        if !found.is_empty() {
            continue;
        }
        report(cx, meta, sel, &labels, everywhere, out);
    }
}

/// A selector-less AuthorizationPolicy in a namespace none of whose workloads is in the inputs.
fn report_namespace_wide(meta: &Meta, loc: crate::source::Loc, out: &mut Vec<Diagnostic>) {
    let ns = meta.namespace.as_str();
    out.push(
        Diagnostic::new(
            &RULE,
            loc,
            format!(
                "this AuthorizationPolicy applies to every workload of namespace {ns}, but no workload of namespace {ns} is in the inputs, so it applies to nothing here"
            ),
        )
        .help(format!(
            "add the Deployments (or Pods) of namespace {ns} to the analysis, or move the policy to the namespace of the workloads it is meant for"
        ))
        .resource(Some(resource_ref(meta)))
        // Any workload `.meshlint.yaml` declares `external:` in the namespace runs there.
        .subject(Subject::Workload {
            namespace: Some(ns.to_string()),
            labels: Vec::new(),
        }),
    );
}

fn report(
    cx: &Context<'_>,
    meta: &Meta,
    sel: &WorkloadSelector,
    labels: &Labels,
    everywhere: bool,
    out: &mut Vec<Diagnostic>,
) {
    let mesh = cx.mesh;
    let ns = meta.namespace.as_str();
    let text = labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    let workloads = mesh.select(ns, &Labels::default());
    // Point at the first label no workload of the namespace carries, and suggest a value.
    let missing = sel.match_labels.iter().find(|(k, v)| {
        !workloads
            .iter()
            .any(|&id| mesh.workload(id).labels.get(*k) == Some(&v.value))
    });
    let loc = missing
        .or_else(|| sel.match_labels.iter().next())
        .map_or(sel.at, |(_, v)| v.loc);
    let kind = meta.kind.info().kind;
    let where_ = if everywhere {
        "in any namespace".to_string()
    } else {
        format!("in namespace {ns}")
    };
    let help = missing
        .and_then(|(k, v)| {
            let values: Vec<&str> = workloads
                .iter()
                .filter_map(|&id| mesh.workload(id).labels.get(k).map(String::as_str))
                .collect();
            diag::did_you_mean(&v.value, values).map(|s| format!("did you mean {k}: {s}?"))
        })
        .unwrap_or_else(|| {
            if workloads.is_empty() {
                format!(
                    "no workload of namespace {ns} is in the inputs: add its Deployment (or Pod) to the analysis, or fix the selector"
                )
            } else {
                format!(
                    "make the selector match the pod labels of a workload of namespace {ns}, or remove the {kind}"
                )
            }
        });
    out.push(
        Diagnostic::new(
            &RULE,
            loc,
            format!("the selector {text} matches no workload {where_}, so this {kind} applies to nothing"),
        )
        .help(help)
        .resource(Some(resource_ref(meta)))
        // A workload `.meshlint.yaml` declares `external:` is in the cluster, only not in these
        // files.
        .subject(Subject::Workload {
            namespace: (!everywhere).then(|| ns.to_string()),
            labels: labels.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        }),
    );
}
