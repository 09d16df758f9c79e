//! `gateway-secret-not-found`: a Gateway server's `credentialName` names a Secret that is not in
//! the namespace of the gateway workloads (istioctl `gateway.SecretAnalyzer`, IST0101
//! `ReferencedResourceNotFound` for `credentialName`). The gateway looks the Secret up in its own
//! namespace (the namespace of the pods the Gateway selects, not the Gateway's).
//!
//! Only said when the files can tell: the Gateway's workloads are in the inputs (Deployments or
//! Pods), and so is at least one Secret of their namespace. TLS Secrets are rarely kept with the
//! manifests (cert-manager or a vault creates them), so without any Secret of that namespace
//! nothing is reported. [`credentials`] is shared with `gateway-secret-invalid` (IST0161).

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::diag::{Diagnostic, Severity};
use crate::model::Res;
use crate::model::k8s::Secret;
use crate::rules::{Context, Rule};
use crate::source::Loc;

pub const RULE: Rule = Rule {
    name: "gateway-secret-not-found",
    code: Some("IST0101"),
    codes: &["IST0101"],
    severity: Severity::Error,
    summary: "a Gateway credentialName whose Secret is not in the gateway workloads' namespace",
    doc: include_str!("../../rules/gateway-secret-not-found.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

/// One credential a Gateway server names, resolved against a namespace of its workloads.
pub struct Credential<'m> {
    /// Index into `Model::gateways`.
    pub gateway: usize,
    pub written: &'m str,
    pub at: Loc,
    pub namespace: String,
    pub name: String,
    /// The Secret, when it is in the inputs.
    pub secret: Option<&'m Res<Secret>>,
    /// Whether any Secret of `namespace` is in the inputs.
    pub namespace_has_secrets: bool,
}

/// Every `credentialName` (and `credentialNames` entry) of every Gateway whose workloads are in
/// the inputs, once per namespace those workloads run in.
pub fn credentials<'m>(cx: &Context<'m>) -> Vec<Credential<'m>> {
    let (model, mesh) = (cx.model, cx.mesh);
    let mut out = Vec::new();
    if model.gateways.is_empty() {
        return out;
    }
    let secrets: HashMap<(&str, &str), &Res<Secret>> = model
        .secrets
        .iter()
        .map(|s| ((s.namespace(), s.name()), &**s))
        .collect();
    let with_secrets: HashSet<&str> = model.secrets.iter().map(|s| s.namespace()).collect();
    for (g, gw) in model.gateways.iter().enumerate() {
        let namespaces: BTreeSet<&str> = mesh.gateway_workloads[g]
            .iter()
            .map(|&w| mesh.workload(w).namespace.as_str())
            .collect();
        if namespaces.is_empty() {
            continue; // gateway-no-workload reports it
        }
        let names = gw
            .spec
            .servers
            .iter()
            .filter_map(|s| s.tls.as_ref())
            .flat_map(|t| t.credential_name.iter().chain(t.credential_names.iter()))
            .filter(|c| !c.value.trim().is_empty());
        for written in names {
            let bare = written
                .value
                .strip_prefix("kubernetes://")
                .unwrap_or(&written.value);
            for ns in &namespaces {
                let (namespace, name) = bare.split_once('/').unwrap_or((ns, bare));
                out.push(Credential {
                    gateway: g,
                    written: &written.value,
                    at: written.loc,
                    namespace: namespace.to_string(),
                    name: name.to_string(),
                    secret: secrets.get(&(namespace, name)).copied(),
                    namespace_has_secrets: with_secrets.contains(namespace),
                });
            }
        }
    }
    out
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for c in credentials(cx) {
        if c.secret.is_some() || !c.namespace_has_secrets {
            continue;
        }
        let gw = &cx.model.gateways[c.gateway];
        let in_ns: Vec<&str> = cx
            .model
            .secrets
            .iter()
            .filter(|s| s.namespace() == c.namespace)
            .map(|s| s.name())
            .collect();
        let help = match crate::diag::did_you_mean(&c.name, in_ns.iter().copied()) {
            Some(s) => format!("did you mean {s:?}?"),
            None => format!(
                "create the TLS Secret {} in namespace {} (where the gateway pods run), or fix the name",
                c.name, c.namespace
            ),
        };
        let mut message = format!(
            "credentialName {:?}: Secret {}/{} is not in the inputs, so the gateway has no certificate for this server and TLS handshakes on it fail",
            c.written, c.namespace, c.name
        );
        if c.namespace != gw.namespace() && !c.written.contains('/') {
            message.push_str(&format!(
                " (the gateway reads Secrets of its workloads' namespace {}, not of the Gateway's namespace {})",
                c.namespace,
                gw.namespace()
            ));
        }
        out.push(
            Diagnostic::new(&RULE, c.at, message)
                .help(help)
                .resource(Some(gw.resource_ref())),
        );
    }
}
