//! `namespace-not-injected`: a Namespace with no injection or data-plane label (istioctl
//! `injection.Analyzer`, IST0102 `NamespaceNotInjected`).

use crate::diag::{Diagnostic, Severity};
use crate::mesh::injection::{mode_labels, namespaces_injected_by_default, skipped_namespace};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "namespace-not-injected",
    code: Some("IST0102"),
    codes: &["IST0102"],
    severity: Severity::Info,
    summary: "a Namespace that says nothing about sidecar injection: its pods join the mesh only if injected by hand",
    doc: include_str!("../../rules/namespace-not-injected.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if namespaces_injected_by_default(cx.model, None) {
        return;
    }
    for ns in &cx.model.namespaces {
        let name = ns.name();
        if skipped_namespace(name) || mode_labels(ns).is_none_or(|l| !l.is_empty()) {
            continue;
        }
        out.push(
            Diagnostic::new(
                &RULE,
                ns.loc(),
                format!("namespace {name} is not labelled for Istio: its pods get no sidecar and stay out of the mesh"),
            )
            .help(format!(
                "label it `istio-injection: enabled` (or `istio.io/rev: <revision>`, or `istio.io/dataplane-mode: ambient`), \
                 or `istio-injection: disabled` to say it stays out on purpose (kubectl label namespace {name} istio-injection=enabled)"
            ))
            .resource(Some(ns.resource_ref())),
        );
    }
}
