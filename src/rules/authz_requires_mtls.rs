//! `authz-requires-mtls` (Kiali KIA0105): identity conditions (`principals`, `namespaces`,
//! `serviceAccounts`, `trustDomains`, `source.principal`/`source.namespace` conditions) in a
//! rule for a workload that accepts plaintext (effective PeerAuthentication PERMISSIVE or
//! DISABLE, `mesh::mtls`). Plaintext callers have no identity: an ALLOW rule on identity denies
//! them, a DENY rule on identity lets them through (istio/istio#34355). Negated identity
//! (`notPrincipals`) does match plaintext and is not reported.

use std::collections::BTreeMap;

use crate::authz::{Action, PolicyIndex};
use crate::diag::{Diagnostic, Severity};
use crate::mesh::Injection;
use crate::mesh::mtls::ServerMode;
use crate::model::Spanned;
use crate::model::security::AuthzRule;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "authz-requires-mtls",
    code: None,
    codes: &["KIA0105"],
    severity: Severity::Warning,
    summary: "identity conditions on a workload that accepts plaintext (callers without mTLS have no identity)",
    doc: include_str!("../../rules/authz-requires-mtls.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

/// The first positive identity value of a rule.
fn first_identity(rule: &AuthzRule) -> Option<&Spanned<String>> {
    for s in rule.from.iter().filter_map(|f| f.source.as_ref()) {
        for list in [&s.principals, &s.namespaces, &s.service_accounts, &s.trust_domains] {
            if let Some(v) = list.first() {
                return Some(v);
            }
        }
    }
    rule.when
        .iter()
        .filter(|c| !c.values.is_empty())
        .filter_map(|c| c.key.as_ref())
        .find(|k| matches!(k.value.as_str(), "source.principal" | "source.namespace"))
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let (model, mesh) = (cx.model, cx.mesh);
    for (i, p) in model.authorization_policies.iter().enumerate() {
        let action = Action::of(&p.spec);
        if !matches!(action, Some(Action::Allow | Action::Deny))
            || crate::authz::is_dry_run(p)
            || crate::authz::has_target_ref(&p.spec)
        {
            continue;
        }
        let rules: Vec<(usize, &Spanned<String>)> = p
            .spec
            .rules
            .iter()
            .enumerate()
            .filter_map(|(r, rule)| first_identity(rule).map(|v| (r, v)))
            .collect();
        if rules.is_empty() {
            continue;
        }
        // Workload → the plaintext-accepting mode that decides it.
        let mut plaintext: BTreeMap<String, (ServerMode, Option<crate::source::Loc>, String)> =
            BTreeMap::new();
        for w in PolicyIndex::selected_workloads(model, mesh, i) {
            let info = mesh.workload(w);
            if info.injection != Injection::Injected || mesh.is_gateway_workload(model, w) {
                continue;
            }
            let base = mesh.server_mtls(w, None);
            let ports = mesh
                .workload_mtls(w)
                .map_or(&[][..], |m| m.ports.as_slice());
            let weak = std::iter::once((None, base))
                .chain(ports.iter().map(|&(n, m)| (Some(n), m)))
                .find(|(_, m)| m.mode.accepts_plaintext());
            if let Some((port, m)) = weak {
                let source = match m.policy {
                    Some(pa) => format!(
                        "{} ({} scope)",
                        crate::mesh::mtls::describe_pa(&model.peer_authentications[pa]),
                        m.scope.as_str()
                    ),
                    None => "no PeerAuthentication: Istio's default".to_string(),
                };
                let on = port.map_or(String::new(), |n| format!(" on port {n}"));
                plaintext.insert(
                    format!("{}/{}{on}", info.namespace, info.name),
                    (m.mode, m.loc, source),
                );
            }
        }
        let Some((first_w, (mode, loc, source))) = plaintext.iter().next() else {
            continue;
        };
        let more = plaintext.len().saturating_sub(1);
        let workloads = if more > 0 {
            format!("{first_w} and {more} more")
        } else {
            first_w.clone()
        };
        for (r, value) in &rules {
            let effect = if action == Some(Action::Allow) {
                "plaintext callers have no identity, so this ALLOW rule denies them"
            } else {
                "plaintext callers have no identity, so this DENY rule does not stop them (a caller without sidecar bypasses it, istio/istio#34355)"
            };
            let mut d = Diagnostic::new(
                &RULE,
                value.loc,
                format!(
                    "rules[{r}] matches on caller identity, but {workloads} accepts plaintext ({} from {source}): {effect}",
                    mode.as_str()
                ),
            )
            .help(if action == Some(Action::Allow) {
                "require mTLS with a STRICT PeerAuthentication for these workloads (or accept that plaintext callers are denied)"
            } else {
                "require mTLS with a STRICT PeerAuthentication, or add a DENY rule with `notPrincipals: [\"*\"]` to deny plaintext callers"
            })
            .resource(Some(p.resource_ref()));
            if let Some(l) = loc {
                d = d.related(*l, format!("{} set here", mode.as_str()));
            }
            out.push(d);
        }
    }
}
