//! Sidecar injection as the namespace labels and the injector ConfigMap declare it (istioctl
//! `injection.Analyzer`): which kinds of data-plane label a namespace carries, and whether Istio
//! injects unlabelled namespaces (`sidecarInjectorWebhook.enableNamespacesByDefault`).

use crate::model::Model;
use crate::model::Res;
use crate::model::k8s::Namespace;

/// Namespaces istioctl's injection checks skip: the control plane's and Kubernetes' own.
pub fn skipped_namespace(name: &str) -> bool {
    name == "istio-system" || super::SYSTEM_NAMESPACES.contains(&name)
}

/// The data-plane labels of a namespace that ask for something: `istio-injection` (any value but
/// `disabled`), `istio.io/rev`, `istio.io/dataplane-mode: ambient`. `None` when the namespace opts
/// out with `istio-injection: disabled`.
pub fn mode_labels(ns: &Res<Namespace>) -> Option<Vec<&'static str>> {
    let labels = &ns.meta.labels;
    let injection = labels.get("istio-injection").map(|v| v.value.as_str());
    if injection == Some("disabled") {
        return None;
    }
    let mut out = Vec::new();
    if injection.is_some() {
        out.push("istio-injection");
    }
    if labels.contains_key("istio.io/rev") {
        out.push("istio.io/rev");
    }
    if labels
        .get("istio.io/dataplane-mode")
        .map(|v| v.value.as_str())
        == Some("ambient")
    {
        out.push("istio.io/dataplane-mode=ambient");
    }
    Some(out)
}

/// Whether the injector ConfigMap (`istio-sidecar-injector`, or `istio-sidecar-injector-<rev>`)
/// in the inputs sets `sidecarInjectorWebhook.enableNamespacesByDefault: true` in its `values`.
pub fn namespaces_injected_by_default(model: &Model, revision: Option<&str>) -> bool {
    let name = match revision {
        Some(rev) if !rev.is_empty() && rev != "default" => format!("istio-sidecar-injector-{rev}"),
        _ => "istio-sidecar-injector".to_string(),
    };
    model
        .config_maps
        .iter()
        .filter(|cm| cm.name() == name)
        .filter_map(|cm| cm.spec.data.get("values"))
        .filter_map(|v| serde_json::from_str::<serde_json::Value>(&v.value).ok())
        .any(|v| {
            v["sidecarInjectorWebhook"]["enableNamespacesByDefault"]
                == serde_json::Value::Bool(true)
        })
}

/// Whether the pods of a namespace get a sidecar: labelled for injection (`istio-injection:
/// enabled` or a revision), or unlabelled while the injector injects by default.
pub fn namespace_injects(model: &Model, ns: &Res<Namespace>) -> bool {
    let labels = &ns.meta.labels;
    match labels.get("istio-injection").map(|v| v.value.as_str()) {
        Some("enabled") => true,
        Some(_) => false,
        None if labels.contains_key("istio.io/rev") => true,
        None => {
            labels
                .get("istio.io/dataplane-mode")
                .map(|v| v.value.as_str())
                != Some("ambient")
                && namespaces_injected_by_default(model, None)
        }
    }
}

/// The Istio injection webhooks of the inputs: the webhooks of MutatingWebhookConfigurations
/// whose name ends in `istio.io` (`sidecar-injector.istio.io`, `rev.namespace.sidecar-injector.istio.io`…).
pub fn istio_injection_webhooks(model: &Model) -> Vec<&crate::model::k8s::Webhook> {
    model
        .webhook_configurations
        .iter()
        .filter(|c| c.kind() == "MutatingWebhookConfiguration")
        .flat_map(|c| c.spec.webhooks.iter())
        .filter(|w| {
            w.name
                .as_ref()
                .is_some_and(|n| n.value.ends_with("istio.io"))
        })
        .collect()
}

/// Whether a webhook admits a pod with these labels in a namespace with these labels: both its
/// `namespaceSelector` and its `objectSelector` match (an absent selector matches everything).
pub fn webhook_selects(
    webhook: &crate::model::k8s::Webhook,
    namespace_labels: Option<&crate::model::Map<crate::model::Spanned<String>>>,
    pod_labels: &crate::model::Map<crate::model::Spanned<String>>,
) -> bool {
    let ns = |k: &str| {
        namespace_labels
            .and_then(|l| l.get(k))
            .map(|v| v.value.as_str())
    };
    let pod = |k: &str| pod_labels.get(k).map(|v| v.value.as_str());
    webhook
        .namespace_selector
        .as_ref()
        .is_none_or(|s| s.matches(ns))
        && webhook
            .object_selector
            .as_ref()
            .is_none_or(|s| s.matches(pod))
}

/// Whether Istio's default injection webhooks (as `istioctl install` and the Helm charts create
/// them) inject a pod with these labels, for inputs that hold no webhook configuration: the
/// namespace is labelled `istio-injection: enabled` or `istio.io/rev`, or the pod is labelled
/// `sidecar.istio.io/inject: "true"` or `istio.io/rev`, and neither opts out.
pub fn default_webhooks_inject(
    namespace_labels: Option<&crate::model::Map<crate::model::Spanned<String>>>,
    pod_labels: &crate::model::Map<crate::model::Spanned<String>>,
) -> bool {
    let ns = |k: &str| {
        namespace_labels
            .and_then(|l| l.get(k))
            .map(|v| v.value.as_str())
    };
    let pod = |k: &str| pod_labels.get(k).map(|v| v.value.as_str());
    if ns("istio-injection") == Some("disabled") || pod("sidecar.istio.io/inject") == Some("false")
    {
        return false;
    }
    ns("istio-injection") == Some("enabled")
        || ns("istio.io/rev").is_some()
        || pod("sidecar.istio.io/inject") == Some("true")
        || pod("istio.io/rev").is_some()
}
