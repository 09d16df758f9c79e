//! `authz-unknown-namespace` (istioctl IST0101 for namespaces, Kiali KIA0101): a
//! `from.source.namespaces` (or `notNamespaces`) entry that no namespace of the inputs matches.
//! Patterns (`prefix*`, `*suffix`, `*`) count as matching when any namespace fits them. Without
//! Namespace objects in the inputs the namespaces are only those resources live in, so the
//! finding is an info.

use std::collections::BTreeSet;

use crate::authz::conditions::str_match;
use crate::diag::{self, Diagnostic, Severity};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "authz-unknown-namespace",
    code: Some("IST0101"),
    codes: &["IST0101", "KIA0101"],
    severity: Severity::Warning,
    summary: "an AuthorizationPolicy source namespace that no namespace of the inputs matches",
    doc: include_str!("../../rules/authz-unknown-namespace.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let model = cx.model;
    if model.authorization_policies.is_empty() {
        return;
    }
    let mut known: BTreeSet<&str> = cx.mesh.namespaces.keys().map(String::as_str).collect();
    known.extend(model.authorization_policies.iter().map(|p| p.namespace()));
    known.extend(model.peer_authentications.iter().map(|p| p.namespace()));
    known.extend(model.request_authentications.iter().map(|p| p.namespace()));
    known.extend(model.service_accounts.iter().map(|p| p.namespace()));
    known.extend(model.sidecars.iter().map(|p| p.namespace()));
    known.insert(cx.mesh.root_namespace.as_str());
    known.remove("");
    let declared = !model.namespaces.is_empty();
    for p in &model.authorization_policies {
        for rule in &p.spec.rules {
            for source in rule.from.iter().filter_map(|f| f.source.as_ref()) {
                for (field, list) in [
                    ("namespaces", &source.namespaces),
                    ("notNamespaces", &source.not_namespaces),
                ] {
                    for entry in list.iter() {
                        let pattern = entry.value.as_str();
                        let found = if pattern.contains('*') {
                            known.iter().any(|ns| str_match(pattern, ns))
                        } else {
                            known.contains(pattern)
                        };
                        if found {
                            continue;
                        }
                        let help = match diag::did_you_mean(pattern, known.iter().copied()) {
                            Some(s) => format!("did you mean {s:?}?"),
                            None => format!(
                                "the namespaces in the inputs are: {}",
                                known.iter().copied().collect::<Vec<_>>().join(", ")
                            ),
                        };
                        let (severity, basis) = if declared {
                            (Severity::Warning, "no namespace of the inputs")
                        } else {
                            (
                                Severity::Info,
                                "no resource of the inputs lives in a namespace that",
                            )
                        };
                        let effect = if field == "namespaces" {
                            "this entry matches no caller"
                        } else {
                            "this exclusion excludes nothing"
                        };
                        out.push(
                            Diagnostic::new(
                                &RULE,
                                entry.loc,
                                format!("{field} entry {pattern:?}: {basis} matches it, so {effect}"),
                            )
                            .severity(severity)
                            .help(help)
                            .resource(Some(p.resource_ref())),
                        );
                    }
                }
            }
        }
    }
}
