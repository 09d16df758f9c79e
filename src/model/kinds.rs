//! Every kind meshlint knows: its API group, served versions and scope, plus the removed kinds
//! it recognises so it can say what replaced them.

use crate::catalog::{invalid_value, removed_api};
use crate::diag::Diagnostic;
use crate::load::yaml::{Document, NodeId};
use crate::model::Meta;

#[derive(Debug)]
pub struct KindInfo {
    pub group: &'static str,
    pub kind: &'static str,
    pub versions: &'static [&'static str],
    pub namespaced: bool,
    /// For removed kinds: what replaces them.
    pub legacy: Option<&'static str>,
    /// Versions no longer served, with the version to use instead.
    pub removed_versions: &'static [&'static str],
}

/// Index into `KINDS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KindId(pub u16);

impl Default for KindId {
    fn default() -> Self {
        KindId::OPAQUE
    }
}

impl KindId {
    /// A kind meshlint does not model.
    pub const OPAQUE: KindId = KindId(0);
    pub fn info(self) -> &'static KindInfo {
        &KINDS[self.0 as usize]
    }
    /// The kind a manifest names. The placeholder of unmodelled kinds is no kind a manifest can
    /// name: `kind: (unknown)` is just another unknown kind.
    pub fn by_name(group: &str, kind: &str) -> Option<KindId> {
        KINDS
            .iter()
            .enumerate()
            .find(|&(i, k)| i != KindId::OPAQUE.0 as usize && k.group == group && k.kind == kind)
            .map(|(i, _)| KindId(i as u16))
    }
}

const NET: &[&str] = &["v1", "v1beta1", "v1alpha3"];
const SEC: &[&str] = &["v1", "v1beta1"];
const GW_API: &[&str] = &["v1", "v1beta1", "v1alpha2"];
const APPS_REMOVED: &[&str] = &["v1beta1", "v1beta2"];

macro_rules! kind {
    ($group:literal, $kind:literal, $versions:expr, $namespaced:literal) => {
        kind!($group, $kind, $versions, $namespaced, removed & [])
    };
    ($group:literal, $kind:literal, $versions:expr, $namespaced:literal, removed $removed:expr) => {
        KindInfo {
            group: $group,
            kind: $kind,
            versions: $versions,
            namespaced: $namespaced,
            legacy: None,
            removed_versions: $removed,
        }
    };
    (legacy $group:literal, $kind:literal, $namespaced:literal, $instead:literal) => {
        KindInfo {
            group: $group,
            kind: $kind,
            versions: &[],
            namespaced: $namespaced,
            legacy: Some($instead),
            removed_versions: &[],
        }
    };
}

pub static KINDS: &[KindInfo] = &[
    KindInfo {
        group: "",
        kind: "(unknown)",
        versions: &[],
        namespaced: true,
        legacy: None,
        removed_versions: &[],
    },
    kind!("", "Namespace", &["v1"], false),
    kind!("", "Service", &["v1"], true),
    kind!("", "ServiceAccount", &["v1"], true),
    kind!("", "Pod", &["v1"], true),
    kind!("", "ConfigMap", &["v1"], true),
    kind!("", "Secret", &["v1"], true),
    kind!("apps", "Deployment", &["v1"], true, removed APPS_REMOVED),
    kind!("apps", "StatefulSet", &["v1"], true, removed APPS_REMOVED),
    kind!("apps", "DaemonSet", &["v1"], true, removed APPS_REMOVED),
    kind!("apps", "ReplicaSet", &["v1"], true, removed APPS_REMOVED),
    kind!("batch", "Job", &["v1"], true),
    kind!(
        "batch",
        "CronJob",
        &["v1"],
        true,
        removed & ["v1beta1", "v2alpha1"]
    ),
    kind!("networking.istio.io", "Gateway", NET, true),
    kind!("networking.istio.io", "VirtualService", NET, true),
    kind!("networking.istio.io", "DestinationRule", NET, true),
    kind!("networking.istio.io", "ServiceEntry", NET, true),
    kind!("networking.istio.io", "Sidecar", NET, true),
    kind!("networking.istio.io", "WorkloadEntry", NET, true),
    kind!("networking.istio.io", "WorkloadGroup", NET, true),
    kind!("networking.istio.io", "EnvoyFilter", &["v1alpha3"], true),
    kind!("networking.istio.io", "ProxyConfig", &["v1beta1"], true),
    kind!("security.istio.io", "PeerAuthentication", SEC, true),
    kind!("security.istio.io", "RequestAuthentication", SEC, true),
    kind!("security.istio.io", "AuthorizationPolicy", SEC, true),
    kind!("telemetry.istio.io", "Telemetry", &["v1", "v1alpha1"], true),
    kind!("extensions.istio.io", "WasmPlugin", &["v1alpha1"], true),
    // Validated against its CRD (its CEL rules included); no rule reads it yet.
    kind!(
        "extensions.istio.io",
        "TrafficExtension",
        &["v1alpha1"],
        true
    ),
    kind!("gateway.networking.k8s.io", "Gateway", GW_API, true),
    kind!("gateway.networking.k8s.io", "HTTPRoute", GW_API, true),
    kind!("gateway.networking.k8s.io", "GRPCRoute", GW_API, true),
    kind!("gateway.networking.k8s.io", "ReferenceGrant", GW_API, true),
    kind!(
        "admissionregistration.k8s.io",
        "MutatingWebhookConfiguration",
        &["v1"],
        false
    ),
    kind!(
        "admissionregistration.k8s.io",
        "ValidatingWebhookConfiguration",
        &["v1"],
        false
    ),
    kind!(
        "apiextensions.k8s.io",
        "CustomResourceDefinition",
        &["v1"],
        false
    ),
    kind!(legacy "authentication.istio.io", "Policy", true,
        "a PeerAuthentication (its `peers` mTLS, with `selector` for `targets`) and a RequestAuthentication (its `origins` JWT rules) in security.istio.io/v1; removed in Istio 1.6"),
    kind!(legacy "authentication.istio.io", "MeshPolicy", false,
        "a PeerAuthentication in the root namespace (istio-system) without a selector; removed in Istio 1.6"),
    kind!(legacy "rbac.istio.io", "ServiceRole", true, "an AuthorizationPolicy (security.istio.io/v1): the role's `rules` (services, methods, paths) become `rules[].to[].operation`, with `selector` for the workloads; removed in Istio 1.6"),
    kind!(legacy "rbac.istio.io", "ServiceRoleBinding", true, "the `rules[].from[].source` of an AuthorizationPolicy (security.istio.io/v1): `subjects` user becomes `principals`, `properties` source.namespace becomes `namespaces`; removed in Istio 1.6"),
    kind!(legacy "rbac.istio.io", "ClusterRbacConfig", false, "AuthorizationPolicies (security.istio.io/v1): `mode: ON` is an allow-nothing policy (`spec: {}`) in the root namespace, `ON_WITH_INCLUSION` one per included namespace; removed in Istio 1.6"),
    kind!(legacy "rbac.istio.io", "RbacConfig", true, "AuthorizationPolicies (security.istio.io/v1): `mode: ON` is an allow-nothing policy (`spec: {}`) in the root namespace, `ON_WITH_INCLUSION` one per included namespace; removed in Istio 1.6"),
    kind!(legacy "networking.istio.io", "Policy", true, "PeerAuthentication (security.istio.io/v1)"),
];

/// Mixer's `config.istio.io` kinds were removed in Istio 1.8.
const MIXER_REPLACEMENT: &str = "the Telemetry API (telemetry.istio.io/v1) or a WasmPlugin (extensions.istio.io); Mixer was removed in Istio 1.8";

pub enum Resolved {
    Known(KindId),
    /// A known kind at a version no longer (or never) served.
    UnservedVersion(KindId),
    Legacy(KindId),
    Unknown,
}

pub fn resolve(group: &str, version: &str, kind: &str) -> Resolved {
    match KindId::by_name(group, kind) {
        Some(id) if id.info().legacy.is_some() => Resolved::Legacy(id),
        Some(id) if id.info().versions.contains(&version) => Resolved::Known(id),
        Some(id) => Resolved::UnservedVersion(id),
        None if group == "extensions"
            && matches!(kind, "Deployment" | "DaemonSet" | "ReplicaSet") =>
        {
            KindId::by_name("apps", kind).map_or(Resolved::Unknown, Resolved::UnservedVersion)
        }
        None if group == "config.istio.io" => Resolved::Legacy(KindId::OPAQUE),
        None => Resolved::Unknown,
    }
}

/// Reports removed kinds and versions that the API server would not accept.
pub fn check_version(
    resolved: &Resolved,
    doc: &Document,
    root: NodeId,
    meta: &Meta,
    out: &mut Vec<Diagnostic>,
) {
    let api_version = &meta.api_version;
    let kind = doc.get_str(root, "kind").unwrap_or("");
    // Built only for a finding: nearly every resource has none.
    let resource = || {
        let mut resource = crate::model::resource_ref(meta);
        if meta.kind == KindId::OPAQUE {
            // Mixer kinds have no entry of their own: name them as written.
            resource.kind = kind.to_string();
        }
        Some(resource)
    };
    match resolved {
        Resolved::Legacy(id) => {
            let instead = id.info().legacy.unwrap_or(MIXER_REPLACEMENT);
            out.push(
                Diagnostic::new(
                    &removed_api::RULE,
                    api_version.loc,
                    format!(
                        "{kind} ({}) was removed from Istio: no cluster serves it any more, so it configures nothing",
                        api_version.value
                    ),
                )
                .help(format!("replace it with {instead}"))
                .resource(resource()),
            );
        }
        Resolved::UnservedVersion(id) => {
            let info = id.info();
            let version = api_version.value.rsplit('/').next().unwrap_or("");
            let group_of = |g: &str| {
                if g.is_empty() {
                    String::new()
                } else {
                    format!("{g}/")
                }
            };
            let current = format!(
                "{}{}",
                group_of(info.group),
                info.versions.first().unwrap_or(&"v1")
            );
            let removed = info.removed_versions.contains(&version)
                || api_version.value.starts_with("extensions/");
            if removed {
                out.push(
                    Diagnostic::new(
                        &removed_api::RULE,
                        api_version.loc,
                        format!(
                            "{kind} {} {}; the API server rejects it",
                            api_version.value,
                            removed_in(info.group, &api_version.value)
                        ),
                    )
                    .help(format!(
                        "use apiVersion: {current}{}",
                        selector_note(info, doc, root)
                    ))
                    .resource(resource()),
                );
            } else {
                out.push(
                    Diagnostic::new(
                        &invalid_value::RULE,
                        api_version.loc,
                        format!("{kind} is not served at {}", api_version.value),
                    )
                    .help(format!(
                        "use one of: {}",
                        info.versions
                            .iter()
                            .map(|v| format!("{}{v}", group_of(info.group)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                    .resource(resource()),
                );
            }
        }
        _ => {}
    }
}

/// The Kubernetes release that stopped serving a removed version, for the message.
fn removed_in(group: &str, api_version: &str) -> &'static str {
    match (group, api_version) {
        ("apps", "extensions/v1beta1" | "apps/v1beta1" | "apps/v1beta2") => {
            "was removed in Kubernetes 1.16"
        }
        ("batch", "batch/v1beta1") => "was removed in Kubernetes 1.25",
        ("batch", "batch/v2alpha1") => "was removed in Kubernetes 1.21",
        _ => "is no longer served by Kubernetes",
    }
}

/// apps/v1 controllers require `spec.selector` (the old versions defaulted it to the template's
/// labels), so the version bump alone is not enough.
fn selector_note(info: &KindInfo, doc: &Document, root: NodeId) -> &'static str {
    let has_selector = doc
        .get(root, "spec")
        .and_then(|s| doc.get(s, "selector"))
        .is_some();
    if info.group == "apps" && !has_selector {
        ", and add spec.selector.matchLabels with the pod template's labels (apps/v1 requires it)"
    } else {
        ""
    }
}
