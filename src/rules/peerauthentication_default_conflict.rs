//! `peerauthentication-default-conflict` (Kiali KIA0002): several PeerAuthentications without
//! selector in one namespace (several mesh-wide ones in the root namespace). Istio applies only
//! the oldest (`ComposePeerAuthentication`). Found by the workload-scope pass of the index
//! (`mesh::workloads::scope`), as for Sidecars.

use crate::diag::{Diagnostic, Severity};
use crate::mesh::workloads::{Scoped, labels_of, scope};
use crate::model::Model;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "peerauthentication-default-conflict",
    code: None,
    codes: &["KIA0002"],
    severity: Severity::Error,
    summary: "several PeerAuthentications without selector in one namespace: only the oldest applies",
    doc: include_str!("../../rules/peerauthentication-default-conflict.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

/// The PeerAuthentications of the model as workload-scoped resources, in model order.
pub fn peer_authentications(model: &Model) -> Vec<Scoped<'_>> {
    model
        .peer_authentications
        .iter()
        .map(|p| Scoped {
            namespace: p.namespace(),
            selector: p.spec.selector.as_ref().map(|s| labels_of(&s.match_labels)),
            targeted: false,
        })
        .collect()
}

fn mode(p: &crate::model::Res<crate::model::security::PeerAuthentication>) -> &str {
    p.spec.mtls.as_ref().and_then(|m| m.mode.as_ref()).map_or("UNSET", |m| m.value.as_str())
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let model = cx.model;
    if model.peer_authentications.len() < 2 {
        return;
    }
    let found = scope(cx.mesh, &peer_authentications(model));
    for (ns, list) in found.namespace_wide {
        let scope_name =
            if ns == cx.mesh.root_namespace { "mesh-wide (root namespace)".to_string() } else { format!("namespace {ns}") };
        for &i in &list {
            let Some(pa) = model.peer_authentications.get(i) else { continue };
            let others: Vec<String> = list
                .iter()
                .filter(|&&o| o != i)
                .filter_map(|&o| model.peer_authentications.get(o).map(|p| format!("{} ({})", p.name(), mode(p))))
                .collect();
            let mut d = Diagnostic::new(
                &RULE,
                pa.loc(),
                format!(
                    "{scope_name} has other PeerAuthentications without selector ({}): Istio applies only the oldest \
                     one, which the files do not show, so this one's mTLS mode {} may be ignored",
                    others.join(", "),
                    mode(pa)
                ),
            )
            .help("keep one PeerAuthentication without selector per namespace; give the others a `selector`")
            .resource(Some(pa.resource_ref()));
            if let Some(o) = list.iter().find(|&&o| o != i).and_then(|&o| model.peer_authentications.get(o)) {
                d = d.related(o.loc(), "another PeerAuthentication without selector");
            }
            out.push(d);
        }
    }
}
