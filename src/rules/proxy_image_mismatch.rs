//! `proxy-image-mismatch`: pods of an injected namespace whose `istio-proxy` image is not the one
//! the injector ConfigMap would inject now (istioctl `injection.ImageAnalyzer`, IST0158
//! `PodsIstioProxyImageMismatchInNamespace`). Only Pods (as `kubectl get` dumps them) carry the
//! injected image (a native sidecar is an init container); image variants (`-distroless`, `-debug`) are ignored on both sides.

use std::collections::BTreeMap;

use crate::diag::{Diagnostic, Severity};
use crate::mesh::injection::namespace_injects;
use crate::model::Model;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "proxy-image-mismatch",
    code: Some("IST0158"),
    codes: &["IST0158"],
    severity: Severity::Warning,
    summary: "pods of an injected namespace run another proxy image than the injector now injects",
    doc: include_str!("../../rules/proxy-image-mismatch.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

/// The proxy image the injector ConfigMap of `revision` injects: `global.proxy.image` when it is
/// a full reference, else `<global.hub>/<global.proxy.image>:<global.tag>`.
fn injected_image(model: &Model, revision: Option<&str>) -> Option<String> {
    let name = match revision {
        Some(rev) if !rev.is_empty() && rev != "default" => format!("istio-sidecar-injector-{rev}"),
        _ => "istio-sidecar-injector".to_string(),
    };
    let values = model
        .config_maps
        .iter()
        .filter(|cm| cm.name() == name)
        .find_map(|cm| cm.spec.data.get("values"))?;
    let v: serde_json::Value = serde_json::from_str(&values.value).ok()?;
    let global = &v["global"];
    let image = global["proxy"]["image"].as_str()?;
    if image.contains('/') {
        return Some(image.to_string());
    }
    let (hub, tag) = (global["hub"].as_str()?, global["tag"].as_str()?);
    Some(format!("{hub}/{image}:{tag}"))
}

/// An image without its variant suffix (`…:1.3.1-distroless` → `…:1.3.1`).
fn without_variant(image: &str) -> &str {
    ["-distroless", "-debug"]
        .iter()
        .find_map(|v| image.strip_suffix(v))
        .unwrap_or(image)
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let model = cx.model;
    // Pods by namespace, once: linear in the pods.
    let mut pods_by_ns: std::collections::HashMap<&str, Vec<usize>> = Default::default();
    for (i, w) in model.workloads.iter().enumerate() {
        if w.kind() == "Pod" {
            pods_by_ns.entry(w.namespace()).or_default().push(i);
        }
    }
    for ns in &model.namespaces {
        if !namespace_injects(model, ns) {
            continue;
        }
        let revision = ns.meta.labels.get("istio.io/rev").map(|v| v.value.as_str());
        let Some(expected) = injected_image(model, revision) else { continue };
        let mut stale: BTreeMap<&str, &str> = BTreeMap::new();
        let pods = pods_by_ns.get(ns.name()).map_or(&[][..], Vec::as_slice);
        for w in pods.iter().filter_map(|&i| model.workloads.get(i)) {
            if w.meta.annotations.contains_key("sidecar.istio.io/proxyImage") {
                continue;
            }
            let proxy = w
                .spec
                .spec
                .containers
                .iter()
                .chain(w.spec.spec.init_containers.iter())
                .find(|c| c.name.as_ref().is_some_and(|n| n.value == "istio-proxy"));
            let Some(image) = proxy.and_then(|c| c.image.as_ref()) else { continue };
            if without_variant(&image.value) != without_variant(&expected) {
                stale.insert(w.name(), image.value.as_str());
            }
        }
        if stale.is_empty() {
            continue;
        }
        let pods: Vec<String> = stale.iter().map(|(p, i)| format!("{p} ({i})")).collect();
        out.push(
            Diagnostic::new(
                &RULE,
                ns.loc(),
                format!(
                    "pods of namespace {} run an older or other proxy image than the injector now injects ({expected}): {}",
                    ns.name(),
                    pods.join(", ")
                ),
            )
            .help(format!(
                "restart the workloads of namespace {} (kubectl rollout restart) so they get the current proxy",
                ns.name()
            ))
            .resource(Some(ns.resource_ref())),
        );
    }
}
