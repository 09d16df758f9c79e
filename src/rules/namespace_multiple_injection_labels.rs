//! `namespace-multiple-injection-labels`: a Namespace with more than one kind of data-plane label
//! (istioctl `injection.Analyzer`, IST0123 `NamespaceMultipleInjectionLabels`).

use crate::diag::{Diagnostic, Severity};
use crate::mesh::injection::{mode_labels, skipped_namespace};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "namespace-multiple-injection-labels",
    code: Some("IST0123"),
    codes: &["IST0123"],
    severity: Severity::Warning,
    summary: "a Namespace with several injection labels (istio-injection, istio.io/rev, ambient): which one wins is easy to get wrong",
    doc: include_str!("../../rules/namespace-multiple-injection-labels.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for ns in &cx.model.namespaces {
        let name = ns.name();
        if skipped_namespace(name) {
            continue;
        }
        let Some(labels) = mode_labels(ns).filter(|l| l.len() > 1) else { continue };
        let loc = ns
            .meta
            .labels
            .get(labels[0].split('=').next().unwrap_or(labels[0]))
            .map_or(ns.loc(), |v| v.key);
        out.push(
            Diagnostic::new(
                &RULE,
                loc,
                format!(
                    "namespace {name} has {}: `istio-injection` wins over `istio.io/rev`, and either puts sidecars into \
                     an ambient namespace, so the pods may not get the data plane you expect",
                    labels.join(" and ")
                ),
            )
            .help("keep one of them: `istio-injection: enabled`, `istio.io/rev: <revision>`, or `istio.io/dataplane-mode: ambient`")
            .resource(Some(ns.resource_ref())),
        );
    }
}
