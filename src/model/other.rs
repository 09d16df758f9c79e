//! `telemetry.istio.io`, `extensions.istio.io` and Gateway API kinds.

use crate::model::networking::WorkloadSelector;
use crate::model::node::{Raw, Spanned};
use crate::node_struct;

type S = Spanned<String>;

node_struct! {
    pub struct Telemetry {
        "selector" => selector: Option<WorkloadSelector>,
        "targetRef" => target_ref: Option<Raw>,
        "targetRefs" => target_refs: Vec<Raw>,
        "tracing" => tracing: Vec<Raw>,
        "metrics" => metrics: Vec<Raw>,
        "accessLogging" => access_logging: Vec<Raw>,
    }
}

node_struct! {
    pub struct WasmPlugin {
        "selector" => selector: Option<WorkloadSelector>,
        "targetRef" => target_ref: Option<Raw>,
        "targetRefs" => target_refs: Vec<Raw>,
        "url" => url: Option<S>,
        "phase" => phase: Option<S>,
    }
}

node_struct! {
    pub struct K8sGateway {
        "gatewayClassName" => gateway_class_name: Option<S>,
        "listeners" => listeners: Vec<Raw>,
        "addresses" => addresses: Vec<Raw>,
    }
}

node_struct! {
    pub struct HttpRoute {
        "parentRefs" => parent_refs: Vec<Raw>,
        "hostnames" => hostnames: Vec<S>,
        "rules" => rules: Vec<Raw>,
    }
}

node_struct! {
    pub struct GrpcRoute {
        "parentRefs" => parent_refs: Vec<Raw>,
        "hostnames" => hostnames: Vec<S>,
        "rules" => rules: Vec<Raw>,
    }
}

node_struct! {
    pub struct ReferenceGrant {
        "from" => from: Vec<Raw>,
        "to" => to: Vec<Raw>,
    }
}
