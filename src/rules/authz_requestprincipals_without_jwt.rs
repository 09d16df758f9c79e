//! `authz-requestprincipals-without-jwt`: `requestPrincipals`/`notRequestPrincipals` or a
//! `request.auth.*` condition in an AuthorizationPolicy for workloads that no
//! RequestAuthentication selects. Without one, no token is validated, requests carry no request
//! principal and no claims: an ALLOW rule on them allows nothing, a DENY rule on them never denies
//! (and `notRequestPrincipals: ["*"]` denies everything).

use rustc_hash::FxHashSet as HashSet;

use crate::authz::{Action, PolicyIndex};
use crate::diag::{Diagnostic, Severity};
use crate::mesh::{Labels, WorkloadId};
use crate::model::Spanned;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "authz-requestprincipals-without-jwt",
    code: None,
    codes: &[],
    severity: Severity::Warning,
    summary: "request principals or request.auth conditions for workloads no RequestAuthentication selects",
    doc: include_str!("../../rules/authz-requestprincipals-without-jwt.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

/// The first JWT-dependent value of a policy: (location, what it is).
fn first_jwt_use(
    p: &crate::model::security::AuthorizationPolicy,
) -> Option<(&Spanned<String>, &'static str)> {
    for rule in &p.rules {
        for s in rule.from.iter().filter_map(|f| f.source.as_ref()) {
            if let Some(v) = s.request_principals.first() {
                return Some((v, "requestPrincipals"));
            }
            if let Some(v) = s.not_request_principals.first() {
                return Some((v, "notRequestPrincipals"));
            }
        }
        for c in &rule.when {
            if let Some(k) = c.key.as_ref().filter(|k| k.value.starts_with("request.auth.")) {
                return Some((k, "a request.auth condition"));
            }
        }
    }
    None
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let (model, mesh) = (cx.model, cx.mesh);
    let uses: Vec<usize> = (0..model.authorization_policies.len())
        .filter(|&i| first_jwt_use(&model.authorization_policies[i].spec).is_some())
        .collect();
    if uses.is_empty() {
        return;
    }
    let root = mesh.root_namespace.as_str();
    let mut everywhere = false;
    let mut namespaces: HashSet<&str> = HashSet::default();
    let mut selected: HashSet<WorkloadId> = HashSet::default();
    for ra in &model.request_authentications {
        let labels: Labels = ra
            .spec
            .selector
            .as_ref()
            .map(|s| {
                s.match_labels
                    .iter()
                    .map(|(k, v)| (k.clone(), v.value.clone()))
                    .collect()
            })
            .unwrap_or_default();
        match (labels.is_empty(), ra.namespace() == root) {
            (true, true) => everywhere = true,
            (true, false) => {
                namespaces.insert(ra.namespace());
            }
            (false, true) => selected.extend(mesh.select_in_any_namespace(&labels)),
            (false, false) => selected.extend(mesh.select(ra.namespace(), &labels)),
        }
    }
    if everywhere {
        return;
    }
    for i in uses {
        let p = &model.authorization_policies[i];
        let workloads = PolicyIndex::selected_workloads(model, mesh, i);
        if workloads.is_empty() && !p.spec.target_refs.is_empty() {
            continue;
        }
        let covered = |w: &WorkloadId| {
            selected.contains(w) || namespaces.contains(mesh.workload(*w).namespace.as_str())
        };
        let uncovered = if workloads.is_empty() {
            !namespaces.contains(p.namespace())
                && !model
                    .request_authentications
                    .iter()
                    .any(|r| r.namespace() == p.namespace())
        } else {
            !workloads.iter().any(covered)
        };
        if !uncovered {
            continue;
        }
        let Some((loc, what)) = first_jwt_use(&p.spec) else {
            continue;
        };
        let effect = match Action::of(&p.spec) {
            Some(Action::Allow) => "so requests carry no request principal and this ALLOW rule allows nothing",
            Some(Action::Deny) => "so requests carry no request principal: a positive match never denies, a negated one denies everything",
            _ => "so requests carry no request principal and the condition never holds",
        };
        out.push(
            Diagnostic::new(
                &RULE,
                loc.loc,
                format!("{what} needs a validated JWT, but no RequestAuthentication selects the workloads of this policy, {effect}"),
            )
            .help(format!(
                "add a RequestAuthentication with `jwtRules` (issuer, jwksUri) selecting these workloads in namespace {}",
                p.namespace()
            ))
            .resource(Some(p.resource_ref())),
        );
    }
}
