//! `peerauthentication-selector-conflict` (Kiali KIA0003): several PeerAuthentications whose
//! selectors pick the same workload. Istio applies only the oldest (`ComposePeerAuthentication`);
//! selector policies of the root namespace are ignored by Istio and left out. Found by the
//! workload-scope pass of the index (`mesh::workloads::scope`): linear.

use crate::diag::{Diagnostic, Severity};
use crate::mesh::workloads::scope;
use crate::rules::peerauthentication_default_conflict::peer_authentications;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "peerauthentication-selector-conflict",
    code: None,
    codes: &["KIA0003"],
    severity: Severity::Error,
    summary: "several PeerAuthentications select the same workload: only the oldest applies",
    doc: include_str!("../../rules/peerauthentication-selector-conflict.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let model = cx.model;
    if model.peer_authentications.len() < 2 {
        return;
    }
    let mut items = peer_authentications(model);
    // Istio ignores workload-level policies of the root namespace: they conflict with nothing.
    for item in &mut items {
        if item.namespace == cx.mesh.root_namespace && item.selector.as_ref().is_some_and(|s| !s.is_empty()) {
            item.targeted = true;
        }
    }
    let found = scope(cx.mesh, &items);
    for (i, conflicts) in found.conflicts {
        let Some(pa) = model.peer_authentications.get(i) else { continue };
        let loc = pa.spec.selector.as_ref().map_or(pa.loc(), |s| s.at);
        for (w, others) in conflicts {
            let names: Vec<&str> = others.iter().filter_map(|&o| model.peer_authentications.get(o).map(|p| p.name())).collect();
            let mut d = Diagnostic::new(
                &RULE,
                loc,
                format!(
                    "workload {} is also selected by PeerAuthentication {} in namespace {}: Istio applies only the oldest \
                     of them, which the files do not show, so the mTLS mode of the others is ignored for it",
                    cx.mesh.workload(w).name,
                    names.join(", "),
                    pa.namespace()
                ),
            )
            .help("make the selectors disjoint, or merge the PeerAuthentications into one")
            .resource(Some(pa.resource_ref()));
            if let Some(o) = others.first().and_then(|&o| model.peer_authentications.get(o)) {
                let at = o.spec.selector.as_ref().map_or(o.loc(), |s| s.at);
                d = d.related(at, "the other PeerAuthentication's selector");
            }
            out.push(d);
        }
    }
}
