//! `referencegrant-unknown-namespace` (Kiali KIA1601): a ReferenceGrant `from[].namespace` that
//! no resource of the inputs lives in. Without Namespace objects in the inputs the files cannot
//! show every namespace, so the finding is an info; with them, a warning.

use crate::diag::{self, Diagnostic, Severity};
use crate::rules::export_to_unknown_namespace::known_namespaces;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "referencegrant-unknown-namespace",
    code: None,
    codes: &["KIA1601"],
    severity: Severity::Warning,
    summary: "a ReferenceGrant allows references from a namespace that is not in the inputs",
    doc: include_str!("../../rules/referencegrant-unknown-namespace.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let model = cx.model;
    if model.reference_grants.is_empty() {
        return;
    }
    let known = known_namespaces(cx);
    let declared = !model.namespaces.is_empty();
    for g in &model.reference_grants {
        for from in &g.spec.from {
            let Some(ns) = from.namespace.as_ref().filter(|n| !n.value.is_empty()) else { continue };
            if known.contains(ns.value.as_str()) {
                continue;
            }
            let help = match diag::did_you_mean(&ns.value, known.iter().copied()) {
                Some(s) => format!("did you mean {s:?}?"),
                None => "name the namespace of the routes (or Gateways) that refer to this namespace's objects".to_string(),
            };
            let (severity, basis) = if declared {
                (Severity::Warning, "no Namespace of the inputs is named so")
            } else {
                (Severity::Info, "no resource of the inputs lives there")
            };
            let kind = from.kind.as_ref().map_or("objects".to_string(), |k| format!("{}s", k.value));
            out.push(
                Diagnostic::new(
                    &RULE,
                    ns.loc,
                    format!(
                        "this grant lets {kind} of namespace {:?} refer to objects of {}, but {basis}: the \
                         grant allows nothing (unless the namespace exists in the cluster outside these files), and the \
                         references it was written for are still refused",
                        ns.value,
                        g.namespace()
                    ),
                )
                .severity(severity)
                .help(help)
                .resource(Some(g.resource_ref())),
            );
        }
    }
}
