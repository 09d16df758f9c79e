//! `networking.istio.io` kinds (v1alpha3, v1beta1 and v1 share one shape).

use std::collections::BTreeMap;

use crate::model::node::{Raw, Spanned};
use crate::node_struct;

type S = Spanned<String>;

node_struct! {
    pub struct VirtualService {
        "hosts" => hosts: Vec<S>,
        "gateways" => gateways: Vec<S>,
        "http" => http: Vec<HttpRoute>,
        "tls" => tls: Vec<TlsRoute>,
        "tcp" => tcp: Vec<TcpRoute>,
        "exportTo" => export_to: Option<Vec<S>>,
    }
}

node_struct! {
    pub struct HttpRoute {
        "name" => name: Option<S>,
        "match" => matches: Vec<HttpMatch>,
        "route" => route: Vec<HttpRouteDestination>,
        "redirect" => redirect: Option<Raw>,
        "directResponse" => direct_response: Option<Raw>,
        "delegate" => delegate: Option<Delegate>,
        "rewrite" => rewrite: Option<Raw>,
        "timeout" => timeout: Option<S>,
        "retries" => retries: Option<HttpRetry>,
        "fault" => fault: Option<HttpFault>,
        "mirror" => mirror: Option<Destination>,
        "mirrors" => mirrors: Vec<MirrorPolicy>,
        "mirrorPercentage" => mirror_percentage: Option<Raw>,
        "mirrorPercent" => mirror_percent: Option<Raw>,
        "corsPolicy" => cors_policy: Option<Raw>,
        "headers" => headers: Option<Raw>,
    }
}

node_struct! {
    pub struct HttpMatch {
        "name" => name: Option<S>,
        "uri" => uri: Option<StringMatch>,
        "scheme" => scheme: Option<StringMatch>,
        "method" => method: Option<StringMatch>,
        "authority" => authority: Option<StringMatch>,
        "headers" => headers: BTreeMap<String, StringMatch>,
        "port" => port: Option<Spanned<u32>>,
        "sourceLabels" => source_labels: BTreeMap<String, String>,
        "gateways" => gateways: Vec<S>,
        "queryParams" => query_params: BTreeMap<String, StringMatch>,
        "ignoreUriCase" => ignore_uri_case: Option<bool>,
        "withoutHeaders" => without_headers: BTreeMap<String, StringMatch>,
        "sourceNamespace" => source_namespace: Option<S>,
        "statPrefix" => stat_prefix: Option<S>,
    }
}

node_struct! {
    /// One of `exact`, `prefix` or `regex`; an empty StringMatch matches anything present.
    pub struct StringMatch {
        "exact" => exact: Option<S>,
        "prefix" => prefix: Option<S>,
        "regex" => regex: Option<S>,
    }
}

node_struct! {
    pub struct HttpRouteDestination {
        "destination" => destination: Option<Destination>,
        "weight" => weight: Option<Spanned<i64>>,
        "headers" => headers: Option<Raw>,
    }
}

node_struct! {
    pub struct Destination {
        "host" => host: Option<S>,
        "subset" => subset: Option<S>,
        "port" => port: Option<PortSelector>,
    }
}

node_struct! {
    pub struct PortSelector {
        "number" => number: Option<Spanned<u32>>,
    }
}

node_struct! {
    pub struct Delegate {
        "name" => name: Option<S>,
        "namespace" => namespace: Option<S>,
    }
}

node_struct! {
    pub struct HttpRetry {
        "attempts" => attempts: Option<Spanned<i64>>,
        "perTryTimeout" => per_try_timeout: Option<S>,
        "retryOn" => retry_on: Option<S>,
        "retryRemoteLocalities" => retry_remote_localities: Option<bool>,
        "retryIgnorePreviousHosts" => retry_ignore_previous_hosts: Option<bool>,
        "backoff" => backoff: Option<S>,
    }
}

node_struct! {
    pub struct HttpFault {
        "delay" => delay: Option<FaultDelay>,
        "abort" => abort: Option<FaultAbort>,
    }
}

node_struct! {
    pub struct FaultDelay {
        "fixedDelay" => fixed_delay: Option<S>,
        "exponentialDelay" => exponential_delay: Option<S>,
        "percentage" => percentage: Option<Percent>,
        "percent" => percent: Option<Spanned<i64>>,
    }
}

node_struct! {
    pub struct FaultAbort {
        "httpStatus" => http_status: Option<Spanned<i64>>,
        "grpcStatus" => grpc_status: Option<S>,
        "http2Error" => http2_error: Option<S>,
        "percentage" => percentage: Option<Percent>,
    }
}

node_struct! {
    pub struct Percent {
        "value" => value: Option<Spanned<f64>>,
    }
}

node_struct! {
    pub struct MirrorPolicy {
        "destination" => destination: Option<Destination>,
        "percentage" => percentage: Option<Percent>,
    }
}

node_struct! {
    pub struct TlsRoute {
        "match" => matches: Vec<TlsMatch>,
        "route" => route: Vec<RouteDestination>,
    }
}

node_struct! {
    pub struct TlsMatch {
        "sniHosts" => sni_hosts: Vec<S>,
        "destinationSubnets" => destination_subnets: Vec<S>,
        "port" => port: Option<Spanned<u32>>,
        "sourceLabels" => source_labels: BTreeMap<String, String>,
        "gateways" => gateways: Vec<S>,
        "sourceNamespace" => source_namespace: Option<S>,
    }
}

node_struct! {
    pub struct TcpRoute {
        "match" => matches: Vec<L4Match>,
        "route" => route: Vec<RouteDestination>,
    }
}

node_struct! {
    pub struct L4Match {
        "destinationSubnets" => destination_subnets: Vec<S>,
        "port" => port: Option<Spanned<u32>>,
        "sourceSubnet" => source_subnet: Option<S>,
        "sourceLabels" => source_labels: BTreeMap<String, String>,
        "gateways" => gateways: Vec<S>,
        "sourceNamespace" => source_namespace: Option<S>,
    }
}

node_struct! {
    pub struct RouteDestination {
        "destination" => destination: Option<Destination>,
        "weight" => weight: Option<Spanned<i64>>,
    }
}

node_struct! {
    pub struct DestinationRule {
        "host" => host: Option<S>,
        "trafficPolicy" => traffic_policy: Option<TrafficPolicy>,
        "subsets" => subsets: Vec<Subset>,
        "exportTo" => export_to: Option<Vec<S>>,
        "workloadSelector" => workload_selector: Option<WorkloadSelector>,
    }
}

node_struct! {
    pub struct Subset {
        "name" => name: Option<S>,
        "labels" => labels: BTreeMap<String, S>,
        "trafficPolicy" => traffic_policy: Option<TrafficPolicy>,
    }
}

node_struct! {
    pub struct TrafficPolicy {
        "loadBalancer" => load_balancer: Option<Raw>,
        "connectionPool" => connection_pool: Option<Raw>,
        "outlierDetection" => outlier_detection: Option<Raw>,
        "tls" => tls: Option<ClientTls>,
        "portLevelSettings" => port_level_settings: Vec<PortTrafficPolicy>,
        "tunnel" => tunnel: Option<Raw>,
        "proxyProtocol" => proxy_protocol: Option<Raw>,
        "retryBudget" => retry_budget: Option<Raw>,
    }
}

node_struct! {
    pub struct PortTrafficPolicy {
        "port" => port: Option<PortSelector>,
        "loadBalancer" => load_balancer: Option<Raw>,
        "connectionPool" => connection_pool: Option<Raw>,
        "outlierDetection" => outlier_detection: Option<Raw>,
        "tls" => tls: Option<ClientTls>,
    }
}

node_struct! {
    pub struct ClientTls {
        "mode" => mode: Option<S>,
        "clientCertificate" => client_certificate: Option<S>,
        "privateKey" => private_key: Option<S>,
        "caCertificates" => ca_certificates: Option<S>,
        "credentialName" => credential_name: Option<S>,
        "subjectAltNames" => subject_alt_names: Vec<S>,
        "sni" => sni: Option<S>,
        "insecureSkipVerify" => insecure_skip_verify: Option<bool>,
    }
}

node_struct! {
    /// `istio.type.v1beta1.WorkloadSelector` (DestinationRule, security and telemetry kinds).
    pub struct WorkloadSelector {
        "matchLabels" => match_labels: BTreeMap<String, S>,
    }
}

node_struct! {
    /// `networking.v1alpha3.WorkloadSelector` (Sidecar, ServiceEntry, EnvoyFilter): `labels`, not `matchLabels`.
    pub struct LabelsSelector {
        "labels" => labels: BTreeMap<String, S>,
    }
}

node_struct! {
    pub struct Gateway {
        "servers" => servers: Vec<Server>,
        "selector" => selector: BTreeMap<String, S>,
    }
}

node_struct! {
    pub struct Server {
        "port" => port: Option<GatewayPort>,
        "bind" => bind: Option<S>,
        "hosts" => hosts: Vec<S>,
        "tls" => tls: Option<ServerTls>,
        "defaultEndpoint" => default_endpoint: Option<S>,
        "name" => name: Option<S>,
    }
}

node_struct! {
    pub struct GatewayPort {
        "number" => number: Option<Spanned<u32>>,
        "protocol" => protocol: Option<S>,
        "name" => name: Option<S>,
        "targetPort" => target_port: Option<Spanned<u32>>,
    }
}

node_struct! {
    pub struct ServerTls {
        "httpsRedirect" => https_redirect: Option<bool>,
        "mode" => mode: Option<S>,
        "credentialName" => credential_name: Option<S>,
        "credentialNames" => credential_names: Vec<S>,
        "serverCertificate" => server_certificate: Option<S>,
        "privateKey" => private_key: Option<S>,
        "caCertificates" => ca_certificates: Option<S>,
        "subjectAltNames" => subject_alt_names: Vec<S>,
        "minProtocolVersion" => min_protocol_version: Option<S>,
        "maxProtocolVersion" => max_protocol_version: Option<S>,
    }
}

node_struct! {
    pub struct ServiceEntry {
        "hosts" => hosts: Vec<S>,
        "addresses" => addresses: Vec<S>,
        "ports" => ports: Vec<ServicePort>,
        "location" => location: Option<S>,
        "resolution" => resolution: Option<S>,
        "endpoints" => endpoints: Vec<WorkloadEntry>,
        "workloadSelector" => workload_selector: Option<LabelsSelector>,
        "exportTo" => export_to: Option<Vec<S>>,
        "subjectAltNames" => subject_alt_names: Vec<S>,
    }
}

node_struct! {
    pub struct ServicePort {
        "number" => number: Option<Spanned<u32>>,
        "protocol" => protocol: Option<S>,
        "name" => name: Option<S>,
        "targetPort" => target_port: Option<Spanned<u32>>,
    }
}

node_struct! {
    pub struct WorkloadEntry {
        "address" => address: Option<S>,
        "ports" => ports: BTreeMap<String, Spanned<u32>>,
        "labels" => labels: BTreeMap<String, S>,
        "network" => network: Option<S>,
        "locality" => locality: Option<S>,
        "weight" => weight: Option<Spanned<u32>>,
        "serviceAccount" => service_account: Option<S>,
    }
}

node_struct! {
    pub struct WorkloadGroup {
        "metadata" => metadata: Option<Raw>,
        "template" => template: Option<WorkloadEntry>,
        "probe" => probe: Option<Raw>,
    }
}

node_struct! {
    pub struct Sidecar {
        "workloadSelector" => workload_selector: Option<LabelsSelector>,
        "ingress" => ingress: Vec<Raw>,
        "egress" => egress: Vec<EgressListener>,
        "outboundTrafficPolicy" => outbound_traffic_policy: Option<OutboundTrafficPolicy>,
        "inboundConnectionPool" => inbound_connection_pool: Option<Raw>,
    }
}

node_struct! {
    pub struct EgressListener {
        "port" => port: Option<Raw>,
        "bind" => bind: Option<S>,
        "captureMode" => capture_mode: Option<S>,
        "hosts" => hosts: Vec<S>,
    }
}

node_struct! {
    pub struct OutboundTrafficPolicy {
        "mode" => mode: Option<S>,
        "egressProxy" => egress_proxy: Option<Raw>,
    }
}

node_struct! {
    pub struct EnvoyFilter {
        "workloadSelector" => workload_selector: Option<LabelsSelector>,
        "targetRefs" => target_refs: Vec<Raw>,
        "configPatches" => config_patches: Vec<Raw>,
        "priority" => priority: Option<Spanned<i64>>,
    }
}

node_struct! {
    pub struct ProxyConfig {
        "selector" => selector: Option<WorkloadSelector>,
        "concurrency" => concurrency: Option<Spanned<i64>>,
        "environmentVariables" => environment_variables: BTreeMap<String, S>,
        "image" => image: Option<Raw>,
    }
}
