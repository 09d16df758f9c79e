//! `image-auto-not-injected`: a Deployment (or other pod controller) whose pod template has an
//! `istio-proxy` container with `image: auto`, while no Istio injection webhook admits its pods
//! (istioctl `injection.ImageAutoAnalyzer`, IST0146 `ImageAutoWithoutInjectionWarning`). The
//! webhooks are those of the inputs; without any, Istio's default injector selectors are assumed,
//! provided the workload's Namespace is in the inputs. A namespace that is not in the inputs makes
//! the finding an info (its labels may inject).

use crate::diag::{Diagnostic, Severity};
use crate::mesh::injection::{default_webhooks_inject, istio_injection_webhooks, webhook_selects};
use crate::rules::pod_image_auto::auto_image;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "image-auto-not-injected",
    code: Some("IST0146"),
    codes: &["IST0146"],
    severity: Severity::Warning,
    summary: "a workload with `image: auto` for istio-proxy whose pods no injection webhook admits",
    doc: include_str!("../../rules/image-auto-not-injected.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let model = cx.model;
    let webhooks = istio_injection_webhooks(model);
    let namespaces: std::collections::HashMap<&str, _> = model
        .namespaces
        .iter()
        .map(|n| (n.name(), &n.meta.labels))
        .collect();
    for w in model.workloads.iter().filter(|w| w.kind() != "Pod") {
        let Some(image) = auto_image(&w.spec.spec) else {
            continue;
        };
        let ns = w.namespace();
        let ns_labels = namespaces.get(ns).copied();
        // Without webhooks or the Namespace in the inputs, the namespace's labels (set elsewhere)
        // decide: the files cannot tell.
        if webhooks.is_empty() && ns_labels.is_none() {
            continue;
        }
        let pod_labels = &w.spec.pod_labels;
        let injected = if webhooks.is_empty() {
            default_webhooks_inject(ns_labels, pod_labels)
        } else {
            webhooks
                .iter()
                .any(|h| webhook_selects(h, ns_labels, pod_labels))
        };
        if injected {
            continue;
        }
        let against = if webhooks.is_empty() {
            "Istio's default injection webhooks (none is in the inputs)".to_string()
        } else {
            format!(
                "any of the {} Istio injection webhook{} of the inputs",
                webhooks.len(),
                if webhooks.len() == 1 { "" } else { "s" }
            )
        };
        let mut message = format!(
            "{} {} runs an istio-proxy container with `image: auto`, but its pods match none of the selectors of {against}: \
             they will not be injected and the proxy container cannot pull an image called \"auto\"",
            w.kind(),
            w.name()
        );
        let mut d = Diagnostic::new(&RULE, image.loc, String::new());
        if ns_labels.is_none() {
            message.push_str(&format!(
                " (namespace {ns} is not in the inputs: if it is labelled for injection, the pods are injected)"
            ));
            d = d.severity(Severity::Info);
        }
        d.message = message;
        out.push(
            d.help(format!(
                "label the pod template `sidecar.istio.io/inject: \"true\"`, or label namespace {ns} `istio-injection: enabled`"
            ))
            .resource(Some(w.resource_ref())),
        );
    }
}
