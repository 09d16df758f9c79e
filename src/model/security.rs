//! `security.istio.io` kinds.

use std::collections::BTreeMap;

use crate::model::networking::WorkloadSelector;
use crate::model::node::{Raw, Spanned};
use crate::node_struct;

type S = Spanned<String>;

node_struct! {
    pub struct PeerAuthentication {
        "selector" => selector: Option<WorkloadSelector>,
        "mtls" => mtls: Option<MutualTls>,
        "portLevelMtls" => port_level_mtls: BTreeMap<String, MutualTls>,
    }
}

node_struct! {
    pub struct MutualTls {
        "mode" => mode: Option<S>,
    }
}

node_struct! {
    pub struct RequestAuthentication {
        "selector" => selector: Option<WorkloadSelector>,
        "targetRef" => target_ref: Option<Raw>,
        "targetRefs" => target_refs: Vec<Raw>,
        "jwtRules" => jwt_rules: Vec<Raw>,
    }
}

node_struct! {
    pub struct AuthorizationPolicy {
        "selector" => selector: Option<WorkloadSelector>,
        "targetRef" => target_ref: Option<Raw>,
        "targetRefs" => target_refs: Vec<Raw>,
        "rules" => rules: Vec<Raw>,
        "action" => action: Option<S>,
        "provider" => provider: Option<Raw>,
    }
}
