//! `external-webhook-url`: an Istio webhook configuration of a remote cluster (one managed by an
//! external control plane) with a webhook that has neither a URL nor a service to call (istioctl
//! `externalcontrolplane.ExternalControlPlaneAnalyzer`, IST0163 `InvalidExternalControlPlaneConfig`).
//! [`istio_webhooks`] is shared with `external-webhook-ip` (IST0164).

use crate::diag::{Diagnostic, Severity};
use crate::model::Res;
use crate::model::k8s::{Webhook, WebhookConfiguration};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "external-webhook-url",
    code: Some("IST0163"),
    codes: &["IST0163"],
    severity: Severity::Warning,
    summary: "an Istio webhook of a remote cluster without a URL to reach the external control plane",
    doc: include_str!("../../rules/external-webhook-url.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

/// Whether a webhook configuration is one of Istio's: the validators (`istio-validator-*`,
/// `istiod-default-validator`) and the injectors (`istio-sidecar-injector-*`).
fn is_istio(config: &Res<WebhookConfiguration>) -> bool {
    let name = config.name();
    match config.kind() {
        "ValidatingWebhookConfiguration" => {
            name.starts_with("istio-validator-") || name == "istiod-default-validator"
        }
        "MutatingWebhookConfiguration" => name.starts_with("istio-sidecar-injector-"),
        _ => false,
    }
}

/// Istio's webhook configurations, each with the webhooks that call a URL (or nothing) rather
/// than an in-cluster service: what a remote cluster of an external control plane uses.
pub fn istio_webhooks<'m>(
    cx: &Context<'m>,
) -> Vec<(&'m Res<WebhookConfiguration>, Vec<&'m Webhook>)> {
    cx.model
        .webhook_configurations
        .iter()
        .filter(|c| is_istio(c))
        .map(|c| {
            let hooks = c
                .spec
                .webhooks
                .iter()
                .filter(|h| h.client_config.as_ref().is_none_or(|cc| cc.service.is_none()))
                .collect();
            (&**c, hooks)
        })
        .collect()
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (config, hooks) in istio_webhooks(cx) {
        // Upstream reports a configuration once, at its first webhook without URL.
        let Some(hook) = hooks.into_iter().find(|h| {
            h.client_config
                .as_ref()
                .and_then(|cc| cc.url.as_ref())
                .is_none_or(|u| u.value.trim().is_empty())
        }) else {
            continue;
        };
        let name = hook.name.as_ref().map_or("(unnamed)", |n| n.value.as_str());
        let loc = hook
            .client_config
            .as_ref()
            .map_or(hook.at, |cc| cc.url.as_ref().map_or(cc.at, |u| u.loc));
        out.push(
            Diagnostic::new(
                &RULE,
                loc,
                format!(
                    "webhook {name} has no `clientConfig.url` and no service: the API server cannot reach the external \
                     control plane, so {} fails (or is skipped, with failurePolicy Ignore)",
                    if config.kind() == "MutatingWebhookConfiguration" {
                        "sidecar injection"
                    } else {
                        "config validation"
                    }
                ),
            )
            .help("set `clientConfig.url` to the external istiod's address, e.g. https://istiod.example.com:15017/inject/cluster/<cluster>/net/<network>")
            .resource(Some(config.resource_ref())),
        );
    }
}
