//! `authz-requestprincipals-without-jwt`: `requestPrincipals`/`notRequestPrincipals` or a
//! `request.auth.*` condition in an AuthorizationPolicy for workloads that no
//! RequestAuthentication selects. Without one, no token is validated, requests carry no request
//! principal and no claims: an ALLOW rule on them allows nothing, a DENY rule on them never denies
//! (and `notRequestPrincipals: ["*"]` denies everything).

use crate::authz::{Action, JwtCoverage, PolicyIndex};
use crate::diag::{Diagnostic, Severity};
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
    let coverage = JwtCoverage::of(model, mesh);
    if coverage.everywhere {
        return;
    }
    for i in uses {
        let p = &model.authorization_policies[i];
        let workloads = PolicyIndex::selected_workloads(model, mesh, i);
        if workloads.is_empty() && !p.spec.target_refs.is_empty() {
            continue;
        }
        let uncovered = if workloads.is_empty() {
            !coverage.namespaces.contains(p.namespace())
                && !model
                    .request_authentications
                    .iter()
                    .any(|r| r.namespace() == p.namespace())
        } else {
            !workloads.iter().any(|&w| coverage.covers(mesh, w))
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
