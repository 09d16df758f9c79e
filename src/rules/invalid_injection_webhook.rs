//! `invalid-injection-webhook`: Istio's sidecar-injection webhooks that would inject a pod twice
//! (two of them admit the same namespace and pod labels), or that call a Service which is not in
//! the inputs (istioctl `webhook.Analyzer`, IST0139 `InvalidWebhook`).
//!
//! The webhooks considered are those of MutatingWebhookConfigurations that carry a revision
//! (`istio.io/rev`, as a label or in a selector) or have a webhook named `*istio.io`. Overlaps are
//! looked for the way upstream does: over the namespace labels {none, `istio-injection:
//! enabled|disabled`} and pod labels {none, `sidecar.istio.io/inject: "true"|"false"`}, each also
//! with `istio.io/rev` set to every revision the webhooks name.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::diag::{Diagnostic, Severity};
use crate::model::Res;
use crate::model::k8s::{LabelSelector, Webhook, WebhookConfiguration};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "invalid-injection-webhook",
    code: Some("IST0139"),
    codes: &["IST0139"],
    severity: Severity::Error,
    summary: "Istio injection webhooks that overlap (a pod injected twice) or call a Service not in the inputs",
    doc: include_str!("../../rules/invalid-injection-webhook.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

const REV: &str = "istio.io/rev";

/// The revisions a configuration names: its `istio.io/rev` label and the `istio.io/rev` values
/// of its webhooks' selectors.
fn revisions(config: &Res<WebhookConfiguration>) -> BTreeSet<&str> {
    let mut out = BTreeSet::new();
    if let Some(r) = config.meta.labels.get(REV) {
        out.insert(r.value.as_str());
    }
    let selectors = config
        .spec
        .webhooks
        .iter()
        .flat_map(|w| [w.namespace_selector.as_ref(), w.object_selector.as_ref()])
        .flatten();
    for s in selectors {
        if let Some(r) = s.match_labels.get(REV) {
            out.insert(r.value.as_str());
        }
        for e in &s.match_expressions {
            if e.key.as_ref().is_some_and(|k| k.value == REV) {
                out.extend(e.values.iter().map(|v| v.value.as_str()));
            }
        }
    }
    out
}

fn matches(selector: Option<&LabelSelector>, labels: &BTreeMap<&str, &str>) -> bool {
    selector.is_none_or(|s| s.matches(|k| labels.get(k).copied()))
}

/// The label sets to try: none, `key: a`, `key: b`, and each again with every revision.
fn permutations<'a>(
    key: &'a str,
    values: [&'a str; 2],
    revs: &BTreeSet<&'a str>,
) -> Vec<BTreeMap<&'a str, &'a str>> {
    let base: Vec<BTreeMap<&str, &str>> = std::iter::once(BTreeMap::new())
        .chain(values.iter().map(|v| BTreeMap::from([(key, *v)])))
        .collect();
    let mut out = base.clone();
    for rev in revs {
        for b in &base {
            let mut with = b.clone();
            with.insert(REV, rev);
            out.push(with);
        }
    }
    out
}

fn name_of(config: &Res<WebhookConfiguration>, hook: &Webhook) -> String {
    format!(
        "{}/{}",
        config.name(),
        hook.name.as_ref().map_or("", |n| n.value.as_str())
    )
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let model = cx.model;
    let mut revs: BTreeSet<&str> = BTreeSet::new();
    let mut hooks: Vec<(&Res<WebhookConfiguration>, &Webhook)> = Vec::new();
    for config in model
        .webhook_configurations
        .iter()
        .filter(|c| c.kind() == "MutatingWebhookConfiguration")
    {
        let r = revisions(config);
        let istio = config
            .spec
            .webhooks
            .iter()
            .any(|w| w.name.as_ref().is_some_and(|n| n.value.ends_with("istio.io")));
        if r.is_empty() && !istio {
            continue;
        }
        revs.extend(r);
        hooks.extend(config.spec.webhooks.iter().map(|h| (&**config, h)));
    }
    if hooks.is_empty() {
        return;
    }
    // Per webhook: the distinct sets of others it overlaps with (upstream reports each once).
    let mut overlaps: BTreeMap<usize, BTreeSet<Vec<usize>>> = BTreeMap::new();
    let namespaces = permutations("istio-injection", ["enabled", "disabled"], &revs);
    let objects = permutations("sidecar.istio.io/inject", ["true", "false"], &revs);
    for nl in &namespaces {
        for ol in &objects {
            let hit: Vec<usize> = hooks
                .iter()
                .enumerate()
                .filter(|(_, (_, h))| {
                    matches(h.namespace_selector.as_ref(), nl)
                        && matches(h.object_selector.as_ref(), ol)
                })
                .map(|(i, _)| i)
                .collect();
            if hit.len() < 2 {
                continue;
            }
            for &i in &hit {
                let others = hit.iter().copied().filter(|&o| o != i).collect();
                overlaps.entry(i).or_default().insert(others);
            }
        }
    }
    for (i, sets) in overlaps {
        let (config, hook) = hooks[i];
        for others in sets {
            let names: Vec<String> = others
                .iter()
                .map(|&o| name_of(hooks[o].0, hooks[o].1))
                .collect();
            let mut d = Diagnostic::new(
                &RULE,
                hook.name.as_ref().map_or(hook.at, |n| n.loc),
                format!(
                    "webhook {} admits the same pods as {}: a pod they both select is injected twice, and its creation fails or its sidecar breaks",
                    name_of(config, hook),
                    names.join(", ")
                ),
            )
            .help("make the webhooks' namespaceSelector and objectSelector exclusive (each revision its own istio.io/rev), or delete the leftover configuration of an old revision")
            .resource(Some(config.resource_ref()));
            for &o in &others {
                let (c, h) = hooks[o];
                d = d.related(
                    h.name.as_ref().map_or(h.at, |n| n.loc),
                    format!("overlapping webhook {}", name_of(c, h)),
                );
            }
            out.push(d);
        }
    }
    let services: HashSet<(&str, &str)> = model
        .services
        .iter()
        .map(|s| (s.namespace(), s.name()))
        .collect();
    for (config, hook) in &hooks {
        let Some(svc) = hook.client_config.as_ref().and_then(|c| c.service.as_ref()) else {
            continue;
        };
        let name = svc.name.as_ref().map_or("", |n| n.value.as_str());
        let ns = svc.namespace.as_ref().map_or("", |n| n.value.as_str());
        if services.contains(&(ns, name)) {
            continue;
        }
        let loc = svc.name.as_ref().map_or(svc.at, |n| n.loc);
        out.push(
            Diagnostic::new(
                &RULE,
                loc,
                format!(
                    "webhook {} calls Service {ns}/{name}, which is not in the inputs: if it does not exist, the API server cannot reach the injector and pod creation fails (or pods start without a sidecar, with failurePolicy Ignore)",
                    name_of(config, hook)
                ),
            )
            .help(format!(
                "point clientConfig.service at the injector's Service (istiod, or istiod-<revision>, in the control-plane namespace), or add Service {ns}/{name} to the inputs"
            ))
            .resource(Some(config.resource_ref())),
        );
    }
}
