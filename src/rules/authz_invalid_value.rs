//! `authz-invalid-value`: what Istio's validation webhook rejects in an AuthorizationPolicy
//! (`pkg/config/validation` `validateAuthorizationPolicy`), and methods that can never match
//! (Kiali KIA0102): an action other than ALLOW/DENY/AUDIT/CUSTOM; DENY, AUDIT or CUSTOM without
//! `rules`; CUSTOM without `provider`, or `provider` on another action; `targetRef.namespace`
//! (`selector` together with `targetRef(s)` is the schema's `invalid-value`); `serviceAccounts` together with `namespaces` or
//! `principals`; a method that is not an HTTP method (`GETS`, lower-case `get`: Envoy compares
//! `:method` exactly); a port that is no number in 1-65535.

use crate::authz::Action;
use crate::diag::{Diagnostic, Severity};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "authz-invalid-value",
    code: None,
    codes: &["KIA0102"],
    severity: Severity::Error,
    summary: "an AuthorizationPolicy that Istio's webhook rejects, or a method that never matches",
    doc: include_str!("../../rules/authz-invalid-value.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

const METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
];

fn method_ok(m: &str) -> bool {
    if m == "*" {
        return true;
    }
    if let Some(p) = m.strip_suffix('*') {
        return METHODS.iter().any(|x| x.starts_with(p));
    }
    if let Some(s) = m.strip_prefix('*') {
        return METHODS.iter().any(|x| x.ends_with(s));
    }
    METHODS.contains(&m)
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for p in &cx.model.authorization_policies {
        let spec = &p.spec;
        let res = Some(p.resource_ref());
        let mut push = |loc, msg: String, help: String, severity: Severity| {
            out.push(
                Diagnostic::new(&RULE, loc, msg)
                    .help(help)
                    .severity(severity)
                    .resource(res.clone()),
            );
        };
        let action = Action::of(spec);
        match (&spec.action, action) {
            (Some(a), None) => push(
                a.loc,
                format!("action {:?} is not one of ALLOW, DENY, AUDIT, CUSTOM: the webhook rejects the policy", a.value),
                "use ALLOW, DENY, AUDIT or CUSTOM (upper case)".into(),
                Severity::Error,
            ),
            (a, Some(Action::Deny | Action::Audit | Action::Custom)) if spec.rules.is_empty() => {
                let name = action.map_or("", Action::as_str);
                push(
                    a.as_ref().map_or(p.loc(), |a| a.loc),
                    format!("a {name} policy without rules is meaningless and the webhook rejects it"),
                    format!("add `rules: [{{}}]` to {name} every request, or rules saying which requests"),
                    Severity::Error,
                )
            }
            _ => {}
        }
        if action == Some(Action::Custom) && spec.provider.is_none() {
            push(
                spec.action.as_ref().map_or(p.loc(), |a| a.loc),
                "a CUSTOM policy needs `provider` (an extension provider of the MeshConfig): the webhook rejects it".into(),
                "add `provider: {name: <extensionProviders[].name>}`".into(),
                Severity::Error,
            );
        }
        if let Some(provider) = &spec.provider
            && action.is_some_and(|a| a != Action::Custom)
        {
            push(
                provider.at,
                "`provider` is only allowed with action CUSTOM: the webhook rejects the policy".into(),
                "remove `provider`, or set `action: CUSTOM`".into(),
                Severity::Error,
            );
        }
        let target_ref = spec.target_ref.as_deref().into_iter().chain(spec.target_refs.iter());
        for t in target_ref {
            if let Some(ns) = &t.namespace {
                push(
                    ns.loc,
                    "`targetRef.namespace` is not allowed: a policy only targets resources of its own namespace".into(),
                    "remove `namespace` and put the policy in the target's namespace".into(),
                    Severity::Error,
                );
            }
        }
        for rule in &spec.rules {
            for source in rule.from.iter().filter_map(|f| f.source.as_ref()) {
                let sa = !source.service_accounts.is_empty() || !source.not_service_accounts.is_empty();
                let other = !source.namespaces.is_empty()
                    || !source.not_namespaces.is_empty()
                    || !source.principals.is_empty()
                    || !source.not_principals.is_empty();
                if sa && other {
                    let loc = source
                        .service_accounts
                        .first()
                        .or(source.not_service_accounts.first())
                        .map_or(source.at, |s| s.key);
                    push(
                        loc,
                        "`serviceAccounts` cannot be combined with `namespaces` or `principals` in one source: the webhook rejects the policy".into(),
                        "move the service accounts to a source of their own (another `from` entry)".into(),
                        Severity::Error,
                    );
                }
            }
            for op in rule.to.iter().filter_map(|t| t.operation.as_ref()) {
                for m in op.methods.iter().chain(op.not_methods.iter()) {
                    if method_ok(&m.value) {
                        continue;
                    }
                    let upper = m.value.to_ascii_uppercase();
                    let help = if method_ok(&upper) {
                        format!("write {upper:?}: methods are compared exactly, in upper case")
                    } else {
                        format!("use one of {}", METHODS.join(", "))
                    };
                    push(
                        m.loc,
                        format!("{:?} is not an HTTP method, so this entry never matches a request", m.value),
                        help,
                        Severity::Warning,
                    );
                }
                for port in op.ports.iter().chain(op.not_ports.iter()) {
                    if port.value.parse::<u16>().is_ok_and(|n| n > 0) {
                        continue;
                    }
                    push(
                        port.loc,
                        format!("port {:?} is not a number in 1-65535: the webhook rejects the policy", port.value),
                        "write the port number as a string, e.g. \"8080\"".into(),
                        Severity::Error,
                    );
                }
            }
        }
    }
}
