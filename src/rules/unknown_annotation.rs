//! `unknown-annotation`: an annotation in Istio's namespace (`*istio.io/…`) that Istio does not
//! define, on a Namespace, Service, Pod, Deployment (or other pod controller) or pod template
//! (istioctl `annotations.K8sAnalyzer`, IST0108 `UnknownAnnotation`). Istio ignores it, so
//! whatever it was meant to configure is not configured.

use crate::diag::{Diagnostic, Severity};
use crate::model::annotations::{annotated, lookup, suggest};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "unknown-annotation",
    code: Some("IST0108"),
    codes: &["IST0108"],
    severity: Severity::Warning,
    summary: "an annotation in Istio's namespace that Istio does not define, so it has no effect",
    doc: include_str!("../../rules/unknown-annotation.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for object in annotated(cx.model) {
        for (key, value) in object.istio_annotations() {
            if lookup(key).is_some() {
                continue;
            }
            let help = match suggest(key) {
                Some(s) => format!("did you mean {s}?"),
                None => "remove it, or use an annotation Istio documents (https://istio.io/latest/docs/reference/config/annotations/)".to_string(),
            };
            out.push(
                Diagnostic::new(
                    &RULE,
                    value.key,
                    format!(
                        "{key} on {} is no annotation Istio defines: Istio ignores it",
                        object.describe()
                    ),
                )
                .help(help)
                .resource(Some(object.resource.clone())),
            );
        }
    }
}
