//! `security.istio.io` kinds.

use crate::model::networking::WorkloadSelector;
use crate::model::node::{Map, Spanned};
use crate::node_struct;
use thin_vec::ThinVec;

type S = Spanned<String>;

node_struct! {
    pub struct PeerAuthentication {
        "selector" => selector: Option<WorkloadSelector>,
        "mtls" => mtls: Option<MutualTls>,
        "portLevelMtls" => port_level_mtls: Map<MutualTls>,
    }
}

node_struct! {
    pub struct MutualTls {
        /// `UNSET`, `DISABLE`, `PERMISSIVE` or `STRICT`.
        "mode" => mode: Option<S>,
    }
}

node_struct! {
    /// A policy attachment to a Gateway API resource or a Service (`targetRef`/`targetRefs`).
    pub struct PolicyTargetReference {
        "group" => group: Option<S>,
        "kind" => kind: Option<S>,
        "name" => name: Option<S>,
        "namespace" => namespace: Option<S>,
    }
}

node_struct! {
    pub struct RequestAuthentication {
        "selector" => selector: Option<WorkloadSelector>,
        "targetRef" => target_ref: Option<Box<PolicyTargetReference>>,
        "targetRefs" => target_refs: ThinVec<PolicyTargetReference>,
        "jwtRules" => jwt_rules: ThinVec<JwtRule>,
    }
}

node_struct! {
    pub struct JwtRule {
        "issuer" => issuer: Option<S>,
        "audiences" => audiences: ThinVec<S>,
        "jwksUri" => jwks_uri: Option<S>,
        /// The deprecated snake_case spelling the CRD still accepts.
        "jwks_uri" => jwks_uri_snake: Option<S>,
        "jwks" => jwks: Option<S>,
        "fromHeaders" => from_headers: ThinVec<JwtHeader>,
        "fromParams" => from_params: ThinVec<S>,
        "fromCookies" => from_cookies: ThinVec<S>,
        "outputPayloadToHeader" => output_payload_to_header: Option<S>,
        "forwardOriginalToken" => forward_original_token: Option<Spanned<bool>>,
        "outputClaimToHeaders" => output_claim_to_headers: ThinVec<ClaimToHeader>,
        "timeout" => timeout: Option<S>,
        "presence" => presence: Option<S>,
        "spaceDelimitedClaims" => space_delimited_claims: ThinVec<S>,
    }
}

node_struct! {
    pub struct JwtHeader {
        "name" => name: Option<S>,
        "prefix" => prefix: Option<S>,
    }
}

node_struct! {
    pub struct ClaimToHeader {
        "header" => header: Option<S>,
        "claim" => claim: Option<S>,
    }
}

node_struct! {
    pub struct AuthorizationPolicy {
        "selector" => selector: Option<WorkloadSelector>,
        "targetRef" => target_ref: Option<Box<PolicyTargetReference>>,
        "targetRefs" => target_refs: ThinVec<PolicyTargetReference>,
        /// Absent and empty are the same (proto3): an ALLOW policy without rules matches no
        /// request, so it denies every request to the workloads it selects.
        "rules" => rules: ThinVec<AuthzRule>,
        /// `ALLOW` (default), `DENY`, `AUDIT` or `CUSTOM`.
        "action" => action: Option<S>,
        "provider" => provider: Option<Box<ExtensionProviderRef>>,
    }
}

node_struct! {
    pub struct ExtensionProviderRef {
        "name" => name: Option<S>,
    }
}

node_struct! {
    /// One rule: it matches when every present section (`from`, `to`, `when`) matches.
    pub struct AuthzRule {
        "from" => from: ThinVec<RuleFrom>,
        "to" => to: ThinVec<RuleTo>,
        "when" => when: ThinVec<Condition>,
    }
}

node_struct! {
    pub struct RuleFrom {
        "source" => source: Option<Source>,
    }
}

node_struct! {
    /// Absent and empty lists are the same (proto3 repeated fields have no presence).
    pub struct Source {
        "principals" => principals: ThinVec<S>,
        "notPrincipals" => not_principals: ThinVec<S>,
        "requestPrincipals" => request_principals: ThinVec<S>,
        "notRequestPrincipals" => not_request_principals: ThinVec<S>,
        "namespaces" => namespaces: ThinVec<S>,
        "notNamespaces" => not_namespaces: ThinVec<S>,
        "ipBlocks" => ip_blocks: ThinVec<S>,
        "notIpBlocks" => not_ip_blocks: ThinVec<S>,
        "remoteIpBlocks" => remote_ip_blocks: ThinVec<S>,
        "notRemoteIpBlocks" => not_remote_ip_blocks: ThinVec<S>,
        "serviceAccounts" => service_accounts: ThinVec<S>,
        "notServiceAccounts" => not_service_accounts: ThinVec<S>,
        "trustDomains" => trust_domains: ThinVec<S>,
        "notTrustDomains" => not_trust_domains: ThinVec<S>,
    }
}

node_struct! {
    pub struct RuleTo {
        "operation" => operation: Option<Operation>,
    }
}

node_struct! {
    pub struct Operation {
        "hosts" => hosts: ThinVec<S>,
        "notHosts" => not_hosts: ThinVec<S>,
        "ports" => ports: ThinVec<S>,
        "notPorts" => not_ports: ThinVec<S>,
        "methods" => methods: ThinVec<S>,
        "notMethods" => not_methods: ThinVec<S>,
        "paths" => paths: ThinVec<S>,
        "notPaths" => not_paths: ThinVec<S>,
    }
}

node_struct! {
    pub struct Condition {
        "key" => key: Option<S>,
        "values" => values: ThinVec<S>,
        "notValues" => not_values: ThinVec<S>,
    }
}

impl JwtRule {
    /// `jwksUri`, or its snake_case spelling.
    pub fn jwks_uri(&self) -> Option<&S> {
        self.jwks_uri.as_ref().or(self.jwks_uri_snake.as_ref())
    }
}

impl AuthorizationPolicy {
    /// The action as written, `ALLOW` when absent.
    pub fn action(&self) -> &str {
        self.action.as_ref().map_or("ALLOW", |a| a.value.as_str())
    }
}
