//! `networking.istio.io` kinds (v1alpha3, v1beta1 and v1 share one shape).

use crate::model::node::{Map, Raw, Spanned};
use crate::model::security::PolicyTargetReference;
use crate::node_struct;
use thin_vec::ThinVec;

type S = Spanned<String>;

node_struct! {
    pub struct VirtualService {
        "hosts" => hosts: ThinVec<S>,
        "gateways" => gateways: ThinVec<S>,
        "http" => http: ThinVec<HttpRoute>,
        "tls" => tls: ThinVec<TlsRoute>,
        "tcp" => tcp: ThinVec<TcpRoute>,
        "exportTo" => export_to: Option<ThinVec<S>>,
    }
}

node_struct! {
    pub struct HttpRoute {
        "name" => name: Option<S>,
        "match" => matches: ThinVec<HttpMatch>,
        "route" => route: ThinVec<HttpRouteDestination>,
        "redirect" => redirect: Option<Box<HttpRedirect>>,
        "directResponse" => direct_response: Option<Box<HttpDirectResponse>>,
        "delegate" => delegate: Option<Box<Delegate>>,
        "rewrite" => rewrite: Option<Box<HttpRewrite>>,
        "timeout" => timeout: Option<S>,
        "retries" => retries: Option<Box<HttpRetry>>,
        "fault" => fault: Option<Box<HttpFault>>,
        "mirror" => mirror: Option<Box<Destination>>,
        "mirrors" => mirrors: ThinVec<MirrorPolicy>,
        "mirrorPercentage" => mirror_percentage: Option<Box<Percent>>,
        /// Deprecated: an integer percentage; `mirrorPercentage` replaces it.
        "mirrorPercent" => mirror_percent: Option<Box<Spanned<i64>>>,
        /// The same, in the snake_case spelling the CRD also accepts.
        "mirror_percent" => mirror_percent_snake: Option<Box<Spanned<i64>>>,
        "corsPolicy" => cors_policy: Option<Box<CorsPolicy>>,
        "headers" => headers: Option<Box<Headers>>,
    }
}

node_struct! {
    pub struct HttpMatch {
        "name" => name: Option<S>,
        "uri" => uri: Option<Box<StringMatch>>,
        "scheme" => scheme: Option<Box<StringMatch>>,
        "method" => method: Option<Box<StringMatch>>,
        "authority" => authority: Option<Box<StringMatch>>,
        "headers" => headers: Map<StringMatch>,
        "port" => port: Option<Spanned<u32>>,
        "sourceLabels" => source_labels: Map<String>,
        "gateways" => gateways: ThinVec<S>,
        "queryParams" => query_params: Map<StringMatch>,
        "ignoreUriCase" => ignore_uri_case: Option<bool>,
        "withoutHeaders" => without_headers: Map<StringMatch>,
        "sourceNamespace" => source_namespace: Option<Box<S>>,
        "statPrefix" => stat_prefix: Option<Box<S>>,
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
        "headers" => headers: Option<Box<Headers>>,
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
        "match" => matches: ThinVec<TlsMatch>,
        "route" => route: ThinVec<RouteDestination>,
    }
}

node_struct! {
    pub struct TlsMatch {
        "sniHosts" => sni_hosts: ThinVec<S>,
        "destinationSubnets" => destination_subnets: ThinVec<S>,
        "port" => port: Option<Spanned<u32>>,
        "sourceLabels" => source_labels: Map<String>,
        "gateways" => gateways: ThinVec<S>,
        "sourceNamespace" => source_namespace: Option<S>,
    }
}

node_struct! {
    pub struct TcpRoute {
        "match" => matches: ThinVec<L4Match>,
        "route" => route: ThinVec<RouteDestination>,
    }
}

node_struct! {
    pub struct L4Match {
        "destinationSubnets" => destination_subnets: ThinVec<S>,
        "port" => port: Option<Spanned<u32>>,
        "sourceSubnet" => source_subnet: Option<S>,
        "sourceLabels" => source_labels: Map<String>,
        "gateways" => gateways: ThinVec<S>,
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
        "trafficPolicy" => traffic_policy: Option<Box<TrafficPolicy>>,
        "subsets" => subsets: ThinVec<Subset>,
        "exportTo" => export_to: Option<ThinVec<S>>,
        "workloadSelector" => workload_selector: Option<Box<WorkloadSelector>>,
    }
}

node_struct! {
    pub struct Subset {
        "name" => name: Option<S>,
        "labels" => labels: Map<S>,
        "trafficPolicy" => traffic_policy: Option<Box<TrafficPolicy>>,
    }
}

node_struct! {
    pub struct TrafficPolicy {
        "loadBalancer" => load_balancer: Option<Box<LoadBalancerSettings>>,
        "connectionPool" => connection_pool: Option<Box<ConnectionPoolSettings>>,
        "outlierDetection" => outlier_detection: Option<Box<OutlierDetection>>,
        "tls" => tls: Option<Box<ClientTls>>,
        "portLevelSettings" => port_level_settings: ThinVec<PortTrafficPolicy>,
        "tunnel" => tunnel: Option<Box<TunnelSettings>>,
        "proxyProtocol" => proxy_protocol: Option<Box<ProxyProtocol>>,
        "retryBudget" => retry_budget: Option<Box<RetryBudget>>,
    }
}

node_struct! {
    pub struct PortTrafficPolicy {
        "port" => port: Option<PortSelector>,
        "loadBalancer" => load_balancer: Option<Box<LoadBalancerSettings>>,
        "connectionPool" => connection_pool: Option<Box<ConnectionPoolSettings>>,
        "outlierDetection" => outlier_detection: Option<Box<OutlierDetection>>,
        "tls" => tls: Option<Box<ClientTls>>,
    }
}

node_struct! {
    pub struct ClientTls {
        "mode" => mode: Option<S>,
        "clientCertificate" => client_certificate: Option<S>,
        "privateKey" => private_key: Option<S>,
        "caCertificates" => ca_certificates: Option<S>,
        "credentialName" => credential_name: Option<S>,
        "subjectAltNames" => subject_alt_names: ThinVec<S>,
        "sni" => sni: Option<S>,
        "insecureSkipVerify" => insecure_skip_verify: Option<bool>,
        "caCrl" => ca_crl: Option<S>,
    }
}

node_struct! {
    /// `istio.type.v1beta1.WorkloadSelector` (DestinationRule, security and telemetry kinds).
    pub struct WorkloadSelector {
        "matchLabels" => match_labels: Map<S>,
    }
}

node_struct! {
    /// `networking.v1alpha3.WorkloadSelector` (Sidecar, ServiceEntry, EnvoyFilter): `labels`, not `matchLabels`.
    pub struct LabelsSelector {
        "labels" => labels: Map<S>,
    }
}

node_struct! {
    pub struct Gateway {
        "servers" => servers: ThinVec<Server>,
        "selector" => selector: Map<S>,
    }
}

node_struct! {
    pub struct Server {
        "port" => port: Option<GatewayPort>,
        "bind" => bind: Option<S>,
        "hosts" => hosts: ThinVec<S>,
        "tls" => tls: Option<Box<ServerTls>>,
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
        "credentialNames" => credential_names: ThinVec<S>,
        "serverCertificate" => server_certificate: Option<S>,
        "privateKey" => private_key: Option<S>,
        "caCertificates" => ca_certificates: Option<S>,
        "subjectAltNames" => subject_alt_names: ThinVec<S>,
        "minProtocolVersion" => min_protocol_version: Option<S>,
        "maxProtocolVersion" => max_protocol_version: Option<S>,
        "caCertCredentialName" => ca_cert_credential_name: Option<S>,
        "caCrl" => ca_crl: Option<S>,
        "cipherSuites" => cipher_suites: ThinVec<S>,
        "ecdhCurves" => ecdh_curves: ThinVec<S>,
        "insecureSkipVerify" => insecure_skip_verify: Option<bool>,
        "tlsCertificates" => tls_certificates: ThinVec<TlsCertificate>,
        "verifyCertificateHash" => verify_certificate_hash: ThinVec<S>,
        "verifyCertificateSpki" => verify_certificate_spki: ThinVec<S>,
    }
}

node_struct! {
    pub struct ServiceEntry {
        "hosts" => hosts: ThinVec<S>,
        "addresses" => addresses: ThinVec<S>,
        "ports" => ports: ThinVec<ServicePort>,
        "location" => location: Option<S>,
        "resolution" => resolution: Option<S>,
        "endpoints" => endpoints: ThinVec<WorkloadEntry>,
        "workloadSelector" => workload_selector: Option<LabelsSelector>,
        "exportTo" => export_to: Option<ThinVec<S>>,
        "subjectAltNames" => subject_alt_names: ThinVec<S>,
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
        "ports" => ports: Map<Spanned<u32>>,
        "labels" => labels: Map<S>,
        "network" => network: Option<S>,
        "locality" => locality: Option<S>,
        "weight" => weight: Option<Spanned<u32>>,
        "serviceAccount" => service_account: Option<S>,
    }
}

node_struct! {
    pub struct WorkloadGroup {
        "metadata" => metadata: Option<WorkloadGroupMeta>,
        "template" => template: Option<WorkloadEntry>,
        "probe" => probe: Option<Raw>,
    }
}

node_struct! {
    pub struct Sidecar {
        "workloadSelector" => workload_selector: Option<LabelsSelector>,
        "ingress" => ingress: ThinVec<IngressListener>,
        "egress" => egress: ThinVec<EgressListener>,
        "outboundTrafficPolicy" => outbound_traffic_policy: Option<Box<OutboundTrafficPolicy>>,
        "inboundConnectionPool" => inbound_connection_pool: Option<Box<ConnectionPoolSettings>>,
    }
}

node_struct! {
    pub struct EgressListener {
        "port" => port: Option<Box<SidecarPort>>,
        "bind" => bind: Option<S>,
        "captureMode" => capture_mode: Option<S>,
        "hosts" => hosts: ThinVec<S>,
    }
}

node_struct! {
    pub struct OutboundTrafficPolicy {
        "mode" => mode: Option<S>,
        "egressProxy" => egress_proxy: Option<Destination>,
    }
}

node_struct! {
    pub struct EnvoyFilter {
        "workloadSelector" => workload_selector: Option<LabelsSelector>,
        "targetRefs" => target_refs: ThinVec<PolicyTargetReference>,
        "configPatches" => config_patches: ThinVec<EnvoyConfigPatch>,
        "priority" => priority: Option<Spanned<i64>>,
    }
}

node_struct! {
    pub struct ProxyConfig {
        "selector" => selector: Option<WorkloadSelector>,
        "concurrency" => concurrency: Option<Spanned<i64>>,
        "environmentVariables" => environment_variables: Map<S>,
        "image" => image: Option<ProxyImage>,
    }
}

node_struct! {
    pub struct HttpRedirect {
        "uri" => uri: Option<S>,
        "authority" => authority: Option<S>,
        "port" => port: Option<Spanned<u32>>,
        /// `FROM_PROTOCOL_DEFAULT` or `FROM_REQUEST_PORT`.
        "derivePort" => derive_port: Option<S>,
        "scheme" => scheme: Option<S>,
        /// Defaults to 301.
        "redirectCode" => redirect_code: Option<Spanned<i64>>,
        "prefixRewrite" => prefix_rewrite: Option<S>,
    }
}

node_struct! {
    pub struct HttpRewrite {
        "uri" => uri: Option<S>,
        "authority" => authority: Option<S>,
        "uriRegexRewrite" => uri_regex_rewrite: Option<RegexRewrite>,
    }
}

node_struct! {
    pub struct RegexRewrite {
        "match" => match_: Option<S>,
        "rewrite" => rewrite: Option<S>,
    }
}

node_struct! {
    pub struct HttpDirectResponse {
        "status" => status: Option<Spanned<i64>>,
        "body" => body: Option<HttpBody>,
    }
}

node_struct! {
    pub struct HttpBody {
        "string" => string: Option<S>,
        "bytes" => bytes: Option<S>,
    }
}

node_struct! {
    pub struct Headers {
        "request" => request: Option<HeaderOperations>,
        "response" => response: Option<HeaderOperations>,
    }
}

node_struct! {
    pub struct HeaderOperations {
        "set" => set: Map<S>,
        "add" => add: Map<S>,
        "remove" => remove: ThinVec<S>,
    }
}

node_struct! {
    pub struct CorsPolicy {
        "allowOrigins" => allow_origins: ThinVec<StringMatch>,
        /// Deprecated: exact origins; `allowOrigins` replaces it.
        "allowOrigin" => allow_origin: ThinVec<S>,
        "allowMethods" => allow_methods: ThinVec<S>,
        "allowHeaders" => allow_headers: ThinVec<S>,
        "exposeHeaders" => expose_headers: ThinVec<S>,
        "maxAge" => max_age: Option<S>,
        "allowCredentials" => allow_credentials: Option<Spanned<bool>>,
        /// `FORWARD` or `IGNORE`.
        "unmatchedPreflights" => unmatched_preflights: Option<S>,
    }
}

node_struct! {
    pub struct LoadBalancerSettings {
        /// `UNSPECIFIED`, `RANDOM`, `PASSTHROUGH`, `ROUND_ROBIN`, `LEAST_REQUEST` or `LEAST_CONN`.
        "simple" => simple: Option<S>,
        "consistentHash" => consistent_hash: Option<ConsistentHash>,
        "localityLbSetting" => locality_lb_setting: Option<Raw>,
        "zoneAwareLbSetting" => zone_aware_lb_setting: Option<Raw>,
        "warmupDurationSecs" => warmup_duration_secs: Option<S>,
        "warmup" => warmup: Option<Raw>,
        "backendUtilization" => backend_utilization: Option<Raw>,
    }
}

node_struct! {
    pub struct ConsistentHash {
        "httpHeaderName" => http_header_name: Option<S>,
        "httpCookie" => http_cookie: Option<HttpCookie>,
        "useSourceIp" => use_source_ip: Option<Spanned<bool>>,
        "httpQueryParameterName" => http_query_parameter_name: Option<S>,
        "ringHash" => ring_hash: Option<Raw>,
        "maglev" => maglev: Option<Raw>,
        /// Deprecated: `ringHash.minimumRingSize` replaces it.
        "minimumRingSize" => minimum_ring_size: Option<Spanned<i64>>,
    }
}

node_struct! {
    pub struct HttpCookie {
        "name" => name: Option<S>,
        "path" => path: Option<S>,
        "ttl" => ttl: Option<S>,
        "attributes" => attributes: ThinVec<Raw>,
    }
}

node_struct! {
    pub struct ConnectionPoolSettings {
        "tcp" => tcp: Option<TcpSettings>,
        "http" => http: Option<HttpSettings>,
    }
}

node_struct! {
    pub struct TcpSettings {
        "maxConnections" => max_connections: Option<Spanned<i64>>,
        "connectTimeout" => connect_timeout: Option<S>,
        "tcpKeepalive" => tcp_keepalive: Option<Raw>,
        "maxConnectionDuration" => max_connection_duration: Option<S>,
        "idleTimeout" => idle_timeout: Option<S>,
    }
}

node_struct! {
    pub struct HttpSettings {
        "http1MaxPendingRequests" => http1_max_pending_requests: Option<Spanned<i64>>,
        "http2MaxRequests" => http2_max_requests: Option<Spanned<i64>>,
        "maxRequestsPerConnection" => max_requests_per_connection: Option<Spanned<i64>>,
        "maxRetries" => max_retries: Option<Spanned<i64>>,
        "idleTimeout" => idle_timeout: Option<S>,
        /// `DEFAULT`, `DO_NOT_UPGRADE` or `UPGRADE`.
        "h2UpgradePolicy" => h2_upgrade_policy: Option<S>,
        "useClientProtocol" => use_client_protocol: Option<Spanned<bool>>,
        "maxConcurrentStreams" => max_concurrent_streams: Option<Spanned<i64>>,
        "http2KeepAlive" => http2_keep_alive: Option<Raw>,
    }
}

node_struct! {
    pub struct OutlierDetection {
        "splitExternalLocalOriginErrors" => split_external_local_origin_errors: Option<Spanned<bool>>,
        "consecutiveLocalOriginFailures" => consecutive_local_origin_failures: Option<Spanned<i64>>,
        "consecutiveGatewayErrors" => consecutive_gateway_errors: Option<Spanned<i64>>,
        "consecutive5xxErrors" => consecutive_5xx_errors: Option<Spanned<i64>>,
        /// Deprecated: `consecutive5xxErrors` replaces it.
        "consecutiveErrors" => consecutive_errors: Option<Spanned<i64>>,
        "interval" => interval: Option<S>,
        "baseEjectionTime" => base_ejection_time: Option<S>,
        "maxEjectionPercent" => max_ejection_percent: Option<Spanned<i64>>,
        "minHealthPercent" => min_health_percent: Option<Spanned<i64>>,
        "outlierDetectionHttpErrorCodes" => outlier_detection_http_error_codes: ThinVec<Spanned<i64>>,
    }
}

node_struct! {
    pub struct TunnelSettings {
        /// `CONNECT` (default) or `POST`.
        "protocol" => protocol: Option<S>,
        "targetHost" => target_host: Option<S>,
        "targetPort" => target_port: Option<Spanned<u32>>,
    }
}

node_struct! {
    pub struct ProxyProtocol {
        /// `V1` or `V2`.
        "version" => version: Option<S>,
    }
}

node_struct! {
    pub struct RetryBudget {
        "percent" => percent: Option<Spanned<f64>>,
        "minRetryConcurrency" => min_retry_concurrency: Option<Spanned<i64>>,
        "budgetInterval" => budget_interval: Option<S>,
    }
}

node_struct! {
    pub struct TlsCertificate {
        "serverCertificate" => server_certificate: Option<S>,
        "privateKey" => private_key: Option<S>,
        "caCertificates" => ca_certificates: Option<S>,
    }
}

node_struct! {
    /// A Sidecar listener port (`ingress[].port`, `egress[].port`).
    pub struct SidecarPort {
        "number" => number: Option<Spanned<u32>>,
        "protocol" => protocol: Option<S>,
        "name" => name: Option<S>,
        "targetPort" => target_port: Option<Spanned<u32>>,
    }
}

node_struct! {
    pub struct IngressListener {
        "port" => port: Option<SidecarPort>,
        "bind" => bind: Option<S>,
        "captureMode" => capture_mode: Option<S>,
        /// `127.0.0.1:PORT`, `0.0.0.0:PORT` or `unix://...`.
        "defaultEndpoint" => default_endpoint: Option<S>,
        "tls" => tls: Option<Box<ServerTls>>,
        "connectionPool" => connection_pool: Option<Box<ConnectionPoolSettings>>,
    }
}

node_struct! {
    pub struct WorkloadGroupMeta {
        "labels" => labels: Map<S>,
        "annotations" => annotations: Map<S>,
    }
}

node_struct! {
    pub struct ProxyImage {
        /// `default`, `debug` or `distroless`.
        "imageType" => image_type: Option<S>,
    }
}

node_struct! {
    /// One `configPatches` entry: only what the analyzers read (the patch value stays untyped).
    pub struct EnvoyConfigPatch {
        "applyTo" => apply_to: Option<S>,
        "match" => match_: Option<EnvoyPatchMatch>,
        "patch" => patch: Option<EnvoyPatch>,
    }
}

node_struct! {
    pub struct EnvoyPatchMatch {
        "context" => context: Option<S>,
        "proxy" => proxy: Option<EnvoyProxyMatch>,
        "listener" => listener: Option<EnvoyListenerMatch>,
    }
}

node_struct! {
    pub struct EnvoyProxyMatch {
        "proxyVersion" => proxy_version: Option<S>,
    }
}

node_struct! {
    pub struct EnvoyListenerMatch {
        "filterChain" => filter_chain: Option<EnvoyFilterChainMatch>,
    }
}

node_struct! {
    pub struct EnvoyFilterChainMatch {
        "filter" => filter: Option<EnvoyFilterMatch>,
    }
}

node_struct! {
    pub struct EnvoyFilterMatch {
        "name" => name: Option<S>,
    }
}

node_struct! {
    pub struct EnvoyPatch {
        "operation" => operation: Option<S>,
        "value" => value: Option<EnvoyPatchValue>,
    }
}

node_struct! {
    /// The patch value: only its `name` (the filter or cluster it names).
    pub struct EnvoyPatchValue {
        "name" => name: Option<S>,
    }
}
