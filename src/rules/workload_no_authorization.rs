//! `workload-no-authorization` (info, off by default; Kiali KIA1301): a workload with a sidecar
//! that no AuthorizationPolicy applies to (none of its namespace or of the root namespace selects
//! it), so every caller that reaches it is allowed. Uses the policy index of `authz`: one lookup
//! per workload label.

use crate::authz::PolicyIndex;
use crate::diag::{Diagnostic, Severity};
use crate::mesh::{Injection, SYSTEM_NAMESPACES, WorkloadId, WorkloadSource};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "workload-no-authorization",
    code: None,
    codes: &["KIA1301"],
    severity: Severity::Info,
    summary: "a workload that no AuthorizationPolicy covers: every caller is allowed (off by default)",
    doc: include_str!("../../rules/workload-no-authorization.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let (model, mesh) = (cx.model, cx.mesh);
    let index = PolicyIndex::build(model, mesh);
    for (id, w) in mesh.workloads.iter().enumerate() {
        let WorkloadSource::Pod(i) = w.source else { continue };
        if w.injection == Injection::NotInjected || SYSTEM_NAMESPACES.contains(&w.namespace.as_str()) {
            continue;
        }
        let id = WorkloadId(id as u32);
        let applied = index.for_workload(model, mesh, id);
        if applied.iter().any(|p| p.applies && !p.dry_run) {
            continue;
        }
        let Some(res) = model.workloads.get(i) else { continue };
        let dry = applied.iter().any(|p| p.applies && p.dry_run);
        let note = if dry { " (only dry-run policies select it, and they enforce nothing)" } else { "" };
        out.push(
            Diagnostic::new(
                &RULE,
                w.loc,
                format!(
                    "no AuthorizationPolicy of namespace {} or of the root namespace {} covers this workload{note}: \
                     Istio allows every request that reaches it",
                    w.namespace,
                    mesh.root_namespace
                ),
            )
            .help(format!(
                "add an AuthorizationPolicy for it, or a namespace-wide one in {} (an empty `spec: {{}}` denies everything; \
                 then allow what it needs)",
                w.namespace
            ))
            .resource(Some(res.resource_ref())),
        );
    }
}
