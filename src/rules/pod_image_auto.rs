//! `pod-image-auto`: a Pod whose `istio-proxy` container still has `image: auto` (istioctl
//! `injection.ImageAutoAnalyzer`, IST0147 `ImageAutoWithoutInjectionError`). `auto` is a
//! placeholder the injector replaces when it admits the pod; a Pod that still carries it was not
//! injected, and its proxy container cannot start.

use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "pod-image-auto",
    code: Some("IST0147"),
    codes: &["IST0147"],
    severity: Severity::Error,
    summary: "a Pod whose istio-proxy container still has `image: auto`, so it was never injected",
    doc: include_str!("../../rules/pod-image-auto.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

/// The `istio-proxy` container's `image: auto`, if the pod spec has one.
pub fn auto_image(spec: &crate::model::k8s::PodSpec) -> Option<&crate::model::Spanned<String>> {
    spec.containers
        .iter()
        .filter(|c| c.name.as_ref().is_some_and(|n| n.value == "istio-proxy"))
        .find_map(|c| c.image.as_ref().filter(|i| i.value == "auto"))
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for pod in cx.model.workloads.iter().filter(|w| w.kind() == "Pod") {
        let Some(image) = auto_image(&pod.spec.spec) else {
            continue;
        };
        out.push(
            Diagnostic::new(
                &RULE,
                image.loc,
                format!(
                    "Pod {} has `image: auto` on its istio-proxy container: the injector replaces that placeholder when it \
                     admits the pod, so this pod was not injected and its proxy container cannot pull an image called \"auto\"",
                    pod.name()
                ),
            )
            .help(format!(
                "label namespace {} `istio-injection: enabled` (or the pod `sidecar.istio.io/inject: \"true\"`) so the injector admits it, \
                 then recreate the pod; or set a real proxy image",
                pod.namespace()
            ))
            .resource(Some(pod.resource_ref())),
        );
    }
}
