//! `namespace-injected-by-default`: a Namespace without injection label while the injector
//! injects every namespace by default (istioctl `injection.Analyzer`, IST0148
//! `NamespaceInjectionEnabledByDefault`).

use crate::diag::{Diagnostic, Severity};
use crate::mesh::injection::{mode_labels, namespaces_injected_by_default, skipped_namespace};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "namespace-injected-by-default",
    code: Some("IST0148"),
    codes: &["IST0148"],
    severity: Severity::Info,
    summary: "a Namespace without injection label that Istio injects anyway (enableNamespacesByDefault)",
    doc: include_str!("../../rules/namespace-injected-by-default.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if !namespaces_injected_by_default(cx.model, None) {
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
                format!(
                    "namespace {name} has no injection label, and the injector ConfigMap sets \
                     `enableNamespacesByDefault: true`: its pods get sidecars"
                ),
            )
            .help(format!("label it `istio-injection: disabled` if {name} should stay out of the mesh"))
            .resource(Some(ns.resource_ref())),
        );
    }
}
