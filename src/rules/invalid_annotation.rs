//! `invalid-annotation`: an Istio annotation whose value Istio rejects (istioctl
//! `annotations.K8sAnalyzer`, IST0125 `InvalidAnnotation`): a readiness probe setting that is no
//! integer, a port list or CIDR list that does not parse, an unknown interception mode, a
//! resource quantity Kubernetes cannot read, a `proxy.istio.io/config` that is no mapping. The
//! injector refuses such a pod (or injects it without the setting).

use crate::diag::{Diagnostic, Severity};
use crate::model::annotations::{annotated, invalid_value, lookup};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "invalid-annotation",
    code: Some("IST0125"),
    codes: &["IST0125"],
    severity: Severity::Warning,
    summary: "an Istio annotation whose value Istio rejects",
    doc: include_str!("../../rules/invalid-annotation.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for object in annotated(cx.model) {
        for (key, value) in object.istio_annotations() {
            let Some(def) = lookup(key) else { continue };
            // Where it does not belong, `misplaced-annotation` reports it instead.
            if !def.resources.contains(&object.placement) {
                continue;
            }
            let Some(why) = invalid_value(key, &value.value) else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    &RULE,
                    value.loc,
                    format!(
                        "{key} on {} has a value Istio rejects: {why}",
                        object.describe()
                    ),
                )
                .help("fix the value; the injector fails to inject a pod whose annotations do not validate")
                .resource(Some(object.resource.clone())),
            );
        }
    }
}
