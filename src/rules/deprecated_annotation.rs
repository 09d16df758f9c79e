//! `deprecated-annotation`: an Istio annotation that Istio has deprecated (istioctl
//! `annotations.K8sAnalyzer`, IST0135 `DeprecatedAnnotation`). It may stop working in a future
//! release. The `sidecar.istio.io/inject` annotation is not reported when the label of the same
//! name is set beside it (its replacement, kept for compatibility).

use crate::diag::{Diagnostic, Severity};
use crate::model::annotations::{annotated, lookup};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "deprecated-annotation",
    code: Some("IST0135"),
    codes: &["IST0135"],
    severity: Severity::Info,
    summary: "an Istio annotation that Istio has deprecated and may stop reading",
    doc: include_str!("../../rules/deprecated-annotation.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

const INJECT: &str = "sidecar.istio.io/inject";

/// What replaces a deprecated annotation, where Istio names a replacement.
fn replacement(key: &str) -> &'static str {
    match key {
        INJECT => "use the `sidecar.istio.io/inject` label on the pod (template) instead",
        "sidecar.istio.io/statsInclusionPrefixes"
        | "sidecar.istio.io/statsInclusionSuffixes"
        | "sidecar.istio.io/statsInclusionRegexps"
        | "sidecar.istio.io/statsCompression"
        | "sidecar.istio.io/extraStatTags" => {
            "set it in `proxy.istio.io/config` (proxyStatsMatcher, extraStatTags) or in the mesh config's defaultConfig instead"
        }
        "sidecar.istio.io/discoveryAddress" => {
            "set `discoveryAddress` in `proxy.istio.io/config` instead"
        }
        "traffic.sidecar.istio.io/kubevirtInterfaces" => {
            "use `istio.io/reroute-virtual-interfaces` instead"
        }
        _ => "remove it; see Istio's annotation reference for what replaces it",
    }
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for object in annotated(cx.model) {
        for (key, value) in object.istio_annotations() {
            if !lookup(key).is_some_and(|d| d.deprecated) {
                continue;
            }
            if key == INJECT && object.labels.contains_key(INJECT) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &RULE,
                    value.key,
                    format!(
                        "{key} on {} is deprecated and may not work in future Istio versions",
                        object.describe()
                    ),
                )
                .help(replacement(key))
                .resource(Some(object.resource.clone())),
            );
        }
    }
}
