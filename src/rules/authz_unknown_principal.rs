//! `authz-unknown-principal` (info; Kiali KIA0106): a `principals`, `notPrincipals` or
//! `serviceAccounts` entry naming a service account that is not in the inputs (neither a
//! ServiceAccount nor the account of a workload). Wildcard patterns and other trust domains are
//! left alone; the `default` account exists in every namespace.

use std::collections::BTreeSet;

use crate::authz::Peer;
use crate::diag::{self, Diagnostic, Severity};
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "authz-unknown-principal",
    code: None,
    codes: &["KIA0106"],
    severity: Severity::Info,
    summary: "an AuthorizationPolicy principal whose service account is not in the inputs",
    doc: include_str!("../../rules/authz-unknown-principal.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let (model, mesh) = (cx.model, cx.mesh);
    if model.authorization_policies.is_empty() {
        return;
    }
    let mut accounts: BTreeSet<(&str, &str)> = model
        .service_accounts
        .iter()
        .map(|s| (s.namespace(), s.name()))
        .collect();
    accounts.extend(
        mesh.workloads
            .iter()
            .map(|w| (w.namespace.as_str(), w.service_account.as_str())),
    );
    let td = mesh.mtls.trust_domain.as_str();
    let aliases = &model.mesh_config.trust_domain_aliases;
    for p in &model.authorization_policies {
        for rule in &p.spec.rules {
            for source in rule.from.iter().filter_map(|f| f.source.as_ref()) {
                let principals = source
                    .principals
                    .iter()
                    .chain(source.not_principals.iter());
                for entry in principals {
                    if entry.value.contains('*') {
                        continue;
                    }
                    let Some(peer) = Peer::parse(&entry.value) else {
                        continue;
                    };
                    if peer.trust_domain != td && !aliases.contains(&peer.trust_domain) {
                        continue;
                    }
                    check_account(&accounts, &peer.namespace, &peer.service_account, entry, p, out);
                }
                for entry in source
                    .service_accounts
                    .iter()
                    .chain(source.not_service_accounts.iter())
                {
                    let Some((ns, sa)) = entry.value.split_once('/') else {
                        continue;
                    };
                    check_account(&accounts, ns, sa, entry, p, out);
                }
            }
        }
    }
}

fn check_account(
    accounts: &BTreeSet<(&str, &str)>,
    ns: &str,
    sa: &str,
    entry: &crate::model::Spanned<String>,
    p: &crate::model::Res<crate::model::security::AuthorizationPolicy>,
    out: &mut Vec<Diagnostic>,
) {
    if sa == "default" || accounts.contains(&(ns, sa)) {
        return;
    }
    let in_ns: Vec<&str> = accounts
        .iter()
        .filter(|(n, _)| *n == ns)
        .map(|(_, s)| *s)
        .collect();
    let help = match diag::did_you_mean(sa, in_ns.iter().copied()) {
        Some(s) => format!("did you mean service account {s:?}?"),
        None => format!(
            "add the ServiceAccount {ns}/{sa} to the inputs (or check the name); until a workload runs as it, this principal matches no caller"
        ),
    };
    out.push(
        Diagnostic::new(
            &RULE,
            entry.loc,
            format!("service account {ns}/{sa} is not in the inputs: no workload analyzed here runs as it"),
        )
        .help(help)
        .resource(Some(p.resource_ref())),
    );
}
