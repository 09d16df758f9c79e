//! `jwt-claim-route-without-authn`: a VirtualService bound to a gateway routes on a JWT claim
//! (`headers` or `withoutHeaders` keyed `@request.auth.claims.<name>` or
//! `@request.auth.claims[<name>]`), but no RequestAuthentication applies to the gateway's
//! workloads (istioctl `virtualservice.JWTClaimRouteAnalyzer`, IST0149
//! `JwtClaimBasedRoutingWithoutRequestAuthN`). Without one, the gateway validates no token, no
//! claim is available, and the match never holds. A RequestAuthentication applies when it is in
//! the root namespace or the workload's namespace and its selector is absent or matches the
//! workload's labels (one that attaches by `targetRef` is taken to apply, as upstream does).

use crate::authz::JwtCoverage;
use crate::diag::{Diagnostic, Severity};
use crate::mesh::GatewayRef;
use crate::model::networking::StringMatch;
use crate::rules::{Context, Rule};

pub const RULE: Rule = Rule {
    name: "jwt-claim-route-without-authn",
    code: Some("IST0149"),
    codes: &["IST0149"],
    severity: Severity::Error,
    summary: "a gateway route matches a JWT claim, but no RequestAuthentication applies to the gateway",
    doc: include_str!("../../rules/jwt-claim-route-without-authn.md"),
};

/// The pass over the mesh (`None`: the loader or the model phase report it).
pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

const CLAIM_PREFIX: &str = "@request.auth.claims";

/// Whether a header name is a JWT claim for routing (`@request.auth.claims.a.b` or
/// `@request.auth.claims[a][b]`; the prefix is matched case-insensitively, as Istio does).
pub fn is_claim_header(name: &str) -> bool {
    let Some(head) = name.get(..CLAIM_PREFIX.len()) else {
        return false;
    };
    if !head.eq_ignore_ascii_case(CLAIM_PREFIX) {
        return false;
    }
    let rest = &name[CLAIM_PREFIX.len()..];
    (rest.starts_with('.') && rest.len() > 1)
        || (rest.starts_with('[') && rest.ends_with(']') && rest.len() > 2)
}

fn where_written(m: &StringMatch) -> Option<crate::source::Loc> {
    m.exact
        .as_ref()
        .or(m.prefix.as_ref())
        .or(m.regex.as_ref())
        .map(|s| s.key)
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let (model, mesh) = (cx.model, cx.mesh);
    if model.virtual_services.is_empty() {
        return;
    }
    let coverage = JwtCoverage::of(model, mesh);
    for (i, vs) in model.virtual_services.iter().enumerate() {
        // The first claim key the routes match on.
        let Some((claim, at)) = vs
            .spec
            .http
            .iter()
            .flat_map(|r| r.matches.iter())
            .flat_map(|m| m.headers.iter().chain(m.without_headers.iter()))
            .find(|(k, _)| is_claim_header(k))
            .map(|(k, m)| (k.as_str(), where_written(m)))
        else {
            continue;
        };
        for (gref, gw_at) in &mesh.virtual_services[i].gateways {
            if *gref == GatewayRef::Mesh {
                continue;
            }
            let Some(g) = mesh.gateway(gref) else {
                continue; // unknown-gateway reports it
            };
            let mut bare: Vec<String> = Vec::new();
            for &w in &mesh.gateway_workloads[g] {
                let wl = mesh.workload(w);
                if !coverage.covers(mesh, w) {
                    bare.push(format!("{}/{}", wl.namespace, wl.name));
                }
            }
            if bare.is_empty() {
                continue;
            }
            let gw = &model.gateways[g];
            let loc = at.or(*gw_at).unwrap_or(vs.loc());
            out.push(
                Diagnostic::new(
                    &RULE,
                    loc,
                    format!(
                        "this route matches the JWT claim header {claim:?}, but no RequestAuthentication applies to the workload{} of gateway {gref} ({}): \
                         the gateway validates no token, so the claim is never set and the match never holds",
                        if bare.len() == 1 { "" } else { "s" },
                        bare.join(", ")
                    ),
                )
                .help({
                    let ns = &mesh.workload(mesh.gateway_workloads[g][0]).namespace;
                    let root = if *ns == mesh.root_namespace {
                        String::new()
                    } else {
                        format!(" (or the root namespace {})", mesh.root_namespace)
                    };
                    format!(
                        "add a RequestAuthentication with the issuer's jwtRules in namespace {ns}{root} whose selector matches the gateway's labels"
                    )
                })
                .related(gw.loc(), format!("gateway {gref}"))
                .resource(Some(vs.resource_ref())),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_claim_header;

    #[test]
    fn claim_headers_as_istio_reads_them() {
        assert!(is_claim_header("@request.auth.claims.groups"));
        assert!(is_claim_header("@request.auth.claims[nested][key]"));
        assert!(is_claim_header("@Request.Auth.Claims.sub"));
        assert!(!is_claim_header("@request.auth.claims."));
        assert!(!is_claim_header("@request.auth.claims[]"));
        assert!(!is_claim_header("x-user"));
        assert!(!is_claim_header("@request.auth"));
    }
}
