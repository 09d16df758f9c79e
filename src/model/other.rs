//! `telemetry.istio.io`, `extensions.istio.io` and Gateway API kinds.
//!
//! The Gateway API structs follow the standard channel's CRDs (kubernetes-sigs/gateway-api
//! `config/crd/standard`), v1; the experimental fields meshlint does not read stay `Raw`.

use crate::model::networking::WorkloadSelector;
use crate::model::node::{Map, Raw, Spanned};
use crate::model::security::PolicyTargetReference;
use crate::node_struct;
use thin_vec::ThinVec;

type S = Spanned<String>;

// ---------------------------------------------------------------------------------------------
// telemetry.istio.io

node_struct! {
    pub struct Telemetry {
        "selector" => selector: Option<WorkloadSelector>,
        "targetRef" => target_ref: Option<Box<PolicyTargetReference>>,
        "targetRefs" => target_refs: ThinVec<PolicyTargetReference>,
        "tracing" => tracing: ThinVec<Tracing>,
        "metrics" => metrics: ThinVec<Metrics>,
        "accessLogging" => access_logging: ThinVec<AccessLogging>,
    }
}

node_struct! {
    /// A reference to a MeshConfig `extensionProviders[].name`.
    pub struct ProviderRef {
        "name" => name: Option<S>,
    }
}

node_struct! {
    pub struct WorkloadModeMatch {
        /// `CLIENT_AND_SERVER` (default), `CLIENT` or `SERVER`.
        "mode" => mode: Option<S>,
    }
}

node_struct! {
    pub struct Tracing {
        "match" => match_: Option<WorkloadModeMatch>,
        "providers" => providers: ThinVec<ProviderRef>,
        "randomSamplingPercentage" => random_sampling_percentage: Option<Spanned<f64>>,
        "disableSpanReporting" => disable_span_reporting: Option<Spanned<bool>>,
        "customTags" => custom_tags: Map<Raw>,
        "useRequestIdForTraceSampling" => use_request_id_for_trace_sampling: Option<Spanned<bool>>,
        "enableIstioTags" => enable_istio_tags: Option<Spanned<bool>>,
        "disableContextPropagation" => disable_context_propagation: Option<Spanned<bool>>,
    }
}

node_struct! {
    pub struct Metrics {
        "providers" => providers: ThinVec<ProviderRef>,
        "overrides" => overrides: ThinVec<MetricsOverride>,
        "reportingInterval" => reporting_interval: Option<S>,
    }
}

node_struct! {
    pub struct MetricsOverride {
        "match" => match_: Option<MetricSelector>,
        "disabled" => disabled: Option<Spanned<bool>>,
        "tagOverrides" => tag_overrides: Map<TagOverride>,
    }
}

node_struct! {
    pub struct MetricSelector {
        "metric" => metric: Option<S>,
        "customMetric" => custom_metric: Option<S>,
        "mode" => mode: Option<S>,
    }
}

node_struct! {
    pub struct TagOverride {
        /// `UPSERT` (default) or `REMOVE`.
        "operation" => operation: Option<S>,
        "value" => value: Option<S>,
    }
}

node_struct! {
    pub struct AccessLogging {
        "match" => match_: Option<WorkloadModeMatch>,
        "providers" => providers: ThinVec<ProviderRef>,
        "disabled" => disabled: Option<Spanned<bool>>,
        "filter" => filter: Option<AccessLogFilter>,
    }
}

node_struct! {
    pub struct AccessLogFilter {
        "expression" => expression: Option<S>,
    }
}

// ---------------------------------------------------------------------------------------------
// extensions.istio.io

node_struct! {
    pub struct WasmPlugin {
        "selector" => selector: Option<WorkloadSelector>,
        "targetRef" => target_ref: Option<Box<PolicyTargetReference>>,
        "targetRefs" => target_refs: ThinVec<PolicyTargetReference>,
        "url" => url: Option<S>,
        "sha256" => sha256: Option<S>,
        "imagePullPolicy" => image_pull_policy: Option<S>,
        "imagePullSecret" => image_pull_secret: Option<S>,
        "pluginConfig" => plugin_config: Option<Raw>,
        "pluginName" => plugin_name: Option<S>,
        /// `AUTHN`, `AUTHZ`, `STATS` or unset.
        "phase" => phase: Option<S>,
        "priority" => priority: Option<Spanned<i64>>,
        "failStrategy" => fail_strategy: Option<S>,
        "vmConfig" => vm_config: Option<VmConfig>,
        "match" => matches: ThinVec<TrafficSelector>,
        /// `HTTP` (default) or `NETWORK`.
        "type" => plugin_type: Option<S>,
        "verificationKey" => verification_key: Option<S>,
    }
}

node_struct! {
    pub struct VmConfig {
        "env" => env: ThinVec<EnvVar>,
    }
}

node_struct! {
    pub struct EnvVar {
        "name" => name: Option<S>,
        "value" => value: Option<S>,
        "valueFrom" => value_from: Option<S>,
    }
}

node_struct! {
    pub struct TrafficSelector {
        "mode" => mode: Option<S>,
        "ports" => ports: ThinVec<WasmPortSelector>,
    }
}

node_struct! {
    pub struct WasmPortSelector {
        "number" => number: Option<Spanned<u32>>,
    }
}

// ---------------------------------------------------------------------------------------------
// gateway.networking.k8s.io

node_struct! {
    /// A Gateway API Gateway (`gateway.networking.k8s.io`).
    pub struct K8sGateway {
        "gatewayClassName" => gateway_class_name: Option<S>,
        "listeners" => listeners: ThinVec<Listener>,
        "addresses" => addresses: ThinVec<GatewayAddress>,
        "infrastructure" => infrastructure: Option<Raw>,
        "allowedListeners" => allowed_listeners: Option<Raw>,
        "tls" => tls: Option<Raw>,
    }
}

node_struct! {
    pub struct GatewayAddress {
        /// `IPAddress` (default), `Hostname` or an implementation-specific type.
        "type" => address_type: Option<S>,
        "value" => value: Option<S>,
    }
}

node_struct! {
    pub struct Listener {
        "name" => name: Option<S>,
        "hostname" => hostname: Option<S>,
        "port" => port: Option<Spanned<u32>>,
        /// `HTTP`, `HTTPS`, `TLS`, `TCP`, `UDP` or a domain-prefixed protocol.
        "protocol" => protocol: Option<S>,
        "tls" => tls: Option<GatewayTlsConfig>,
        "allowedRoutes" => allowed_routes: Option<AllowedRoutes>,
    }
}

node_struct! {
    pub struct GatewayTlsConfig {
        /// `Terminate` (default) or `Passthrough`.
        "mode" => mode: Option<S>,
        "certificateRefs" => certificate_refs: ThinVec<ObjectReference>,
        "options" => options: Map<S>,
    }
}

node_struct! {
    /// `group`/`kind`/`name`/`namespace` of a referenced object (certificate Secrets, backends).
    pub struct ObjectReference {
        "group" => group: Option<S>,
        "kind" => kind: Option<S>,
        "name" => name: Option<S>,
        "namespace" => namespace: Option<S>,
    }
}

node_struct! {
    pub struct AllowedRoutes {
        "namespaces" => namespaces: Option<RouteNamespaces>,
        "kinds" => kinds: ThinVec<RouteGroupKind>,
    }
}

node_struct! {
    pub struct RouteNamespaces {
        /// `Same` (default), `All` or `Selector`.
        "from" => from: Option<S>,
        "selector" => selector: Option<crate::model::k8s::LabelSelector>,
    }
}

node_struct! {
    pub struct RouteGroupKind {
        "group" => group: Option<S>,
        "kind" => kind: Option<S>,
    }
}

node_struct! {
    pub struct ParentReference {
        "group" => group: Option<S>,
        "kind" => kind: Option<S>,
        "namespace" => namespace: Option<S>,
        "name" => name: Option<S>,
        "sectionName" => section_name: Option<S>,
        "port" => port: Option<Spanned<u32>>,
    }
}

node_struct! {
    pub struct HttpRoute {
        "parentRefs" => parent_refs: ThinVec<ParentReference>,
        "hostnames" => hostnames: ThinVec<S>,
        "rules" => rules: ThinVec<HttpRouteRule>,
    }
}

node_struct! {
    pub struct HttpRouteRule {
        "name" => name: Option<S>,
        "matches" => matches: ThinVec<HttpRouteMatch>,
        "filters" => filters: ThinVec<HttpRouteFilter>,
        "backendRefs" => backend_refs: ThinVec<HttpBackendRef>,
        "timeouts" => timeouts: Option<HttpRouteTimeouts>,
        "retry" => retry: Option<Raw>,
        "sessionPersistence" => session_persistence: Option<Raw>,
    }
}

node_struct! {
    /// With no `matches`, a rule matches every request (a `/` prefix).
    pub struct HttpRouteMatch {
        "path" => path: Option<HttpPathMatch>,
        "headers" => headers: ThinVec<NameValueMatch>,
        "queryParams" => query_params: ThinVec<NameValueMatch>,
        "method" => method: Option<S>,
    }
}

node_struct! {
    pub struct HttpPathMatch {
        /// `PathPrefix` (default), `Exact` or `RegularExpression`.
        "type" => match_type: Option<S>,
        /// Defaults to `/`.
        "value" => value: Option<S>,
    }
}

node_struct! {
    /// A header or query parameter match.
    pub struct NameValueMatch {
        /// `Exact` (default) or `RegularExpression`.
        "type" => match_type: Option<S>,
        "name" => name: Option<S>,
        "value" => value: Option<S>,
    }
}

node_struct! {
    pub struct HttpRouteFilter {
        /// `RequestHeaderModifier`, `ResponseHeaderModifier`, `RequestMirror`,
        /// `RequestRedirect`, `URLRewrite`, `CORS` or `ExtensionRef`.
        "type" => filter_type: Option<S>,
        "requestHeaderModifier" => request_header_modifier: Option<HeaderModifier>,
        "responseHeaderModifier" => response_header_modifier: Option<HeaderModifier>,
        "requestMirror" => request_mirror: Option<RequestMirror>,
        "requestRedirect" => request_redirect: Option<RequestRedirect>,
        "urlRewrite" => url_rewrite: Option<UrlRewrite>,
        "cors" => cors: Option<Raw>,
        "extensionRef" => extension_ref: Option<ObjectReference>,
    }
}

node_struct! {
    pub struct HeaderModifier {
        "set" => set: ThinVec<HttpHeader>,
        "add" => add: ThinVec<HttpHeader>,
        "remove" => remove: ThinVec<S>,
    }
}

node_struct! {
    pub struct HttpHeader {
        "name" => name: Option<S>,
        "value" => value: Option<S>,
    }
}

node_struct! {
    pub struct RequestMirror {
        "backendRef" => backend_ref: Option<BackendRef>,
        "percent" => percent: Option<Spanned<i64>>,
        "fraction" => fraction: Option<Fraction>,
    }
}

node_struct! {
    pub struct Fraction {
        "numerator" => numerator: Option<Spanned<i64>>,
        /// Defaults to 100.
        "denominator" => denominator: Option<Spanned<i64>>,
    }
}

node_struct! {
    pub struct RequestRedirect {
        "scheme" => scheme: Option<S>,
        "hostname" => hostname: Option<S>,
        "path" => path: Option<HttpPathModifier>,
        "port" => port: Option<Spanned<u32>>,
        /// 301 or 302 (default).
        "statusCode" => status_code: Option<Spanned<i64>>,
    }
}

node_struct! {
    pub struct UrlRewrite {
        "hostname" => hostname: Option<S>,
        "path" => path: Option<HttpPathModifier>,
    }
}

node_struct! {
    pub struct HttpPathModifier {
        /// `ReplaceFullPath` or `ReplacePrefixMatch`.
        "type" => modifier_type: Option<S>,
        "replaceFullPath" => replace_full_path: Option<S>,
        "replacePrefixMatch" => replace_prefix_match: Option<S>,
    }
}

node_struct! {
    /// A backend without per-backend filters (mirror targets).
    pub struct BackendRef {
        "group" => group: Option<S>,
        /// Defaults to `Service`.
        "kind" => kind: Option<S>,
        "name" => name: Option<S>,
        "namespace" => namespace: Option<S>,
        "port" => port: Option<Spanned<u32>>,
    }
}

node_struct! {
    pub struct HttpBackendRef {
        "group" => group: Option<S>,
        /// Defaults to `Service`.
        "kind" => kind: Option<S>,
        "name" => name: Option<S>,
        "namespace" => namespace: Option<S>,
        "port" => port: Option<Spanned<u32>>,
        /// Defaults to 1.
        "weight" => weight: Option<Spanned<i64>>,
        "filters" => filters: ThinVec<HttpRouteFilter>,
    }
}

node_struct! {
    pub struct HttpRouteTimeouts {
        "request" => request: Option<S>,
        "backendRequest" => backend_request: Option<S>,
    }
}

node_struct! {
    pub struct GrpcRoute {
        "parentRefs" => parent_refs: ThinVec<ParentReference>,
        "hostnames" => hostnames: ThinVec<S>,
        "rules" => rules: ThinVec<GrpcRouteRule>,
    }
}

node_struct! {
    pub struct GrpcRouteRule {
        "name" => name: Option<S>,
        "matches" => matches: ThinVec<GrpcRouteMatch>,
        "filters" => filters: ThinVec<HttpRouteFilter>,
        "backendRefs" => backend_refs: ThinVec<HttpBackendRef>,
        "sessionPersistence" => session_persistence: Option<Raw>,
    }
}

node_struct! {
    pub struct GrpcRouteMatch {
        "method" => method: Option<GrpcMethodMatch>,
        "headers" => headers: ThinVec<NameValueMatch>,
    }
}

node_struct! {
    pub struct GrpcMethodMatch {
        /// `Exact` (default) or `RegularExpression`.
        "type" => match_type: Option<S>,
        "service" => service: Option<S>,
        "method" => method: Option<S>,
    }
}

node_struct! {
    pub struct ReferenceGrant {
        "from" => from: ThinVec<ReferenceGrantFrom>,
        "to" => to: ThinVec<ReferenceGrantTo>,
    }
}

node_struct! {
    pub struct ReferenceGrantFrom {
        "group" => group: Option<S>,
        "kind" => kind: Option<S>,
        "namespace" => namespace: Option<S>,
    }
}

node_struct! {
    /// `name` absent means every object of the kind in the grant's namespace.
    pub struct ReferenceGrantTo {
        "group" => group: Option<S>,
        "kind" => kind: Option<S>,
        "name" => name: Option<S>,
    }
}

node_struct! {
    /// `status` of any object, read only where it is written: the allocated addresses of a
    /// ServiceEntry and the conditions controllers report (`conditions`, and per parent for
    /// Gateway API routes).
    pub struct Status {
        "addresses" => addresses: ThinVec<Raw>,
        "conditions" => conditions: ThinVec<Condition>,
        "parents" => parents: ThinVec<ParentStatus>,
    }
}

node_struct! {
    pub struct ParentStatus {
        "conditions" => conditions: ThinVec<Condition>,
    }
}

node_struct! {
    /// A `metav1.Condition`.
    pub struct Condition {
        "type" => condition_type: Option<S>,
        "status" => status: Option<S>,
        "reason" => reason: Option<S>,
        "message" => message: Option<S>,
    }
}
