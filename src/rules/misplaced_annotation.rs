//! `misplaced-annotation`: an Istio annotation on a kind it does not belong on, e.g. a pod
//! annotation on a Deployment's own metadata instead of its pod template (istioctl
//! `annotations.K8sAnalyzer`, IST0107 `MisplacedAnnotation`). Istio reads it only where it
//! belongs, so here it has no effect.

use crate::diag::{Diagnostic, Severity};
use crate::model::annotations::{annotated, lookup};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "misplaced-annotation",
    code: Some("IST0107"),
    codes: &["IST0107"],
    severity: Severity::Warning,
    summary: "an Istio annotation on a kind it does not belong on, so Istio never reads it",
    doc: include_str!("../../rules/misplaced-annotation.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for object in annotated(cx.model) {
        for (key, value) in object.istio_annotations() {
            let Some(def) = lookup(key) else { continue };
            if def.resources.contains(&"Any") || def.resources.contains(&object.placement) {
                continue;
            }
            let belongs = def.resources.join(", ");
            let help = if def.resources.contains(&"Pod") && !object.template && object.kind != "Pod"
                && object.kind != "Namespace" && object.kind != "Service"
            {
                format!("move it to the pod template: spec.template.metadata.annotations of {} {}", object.kind, object.resource.name)
            } else {
                format!("move it to the {belongs} it is meant for, or remove it")
            };
            out.push(
                Diagnostic::new(
                    &RULE,
                    value.key,
                    format!(
                        "{key} belongs on {belongs}, not on {}: Istio does not read it here",
                        object.describe()
                    ),
                )
                .help(help)
                .resource(Some(object.resource.clone())),
            );
        }
    }
}
