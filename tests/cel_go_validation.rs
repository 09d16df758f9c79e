//! Istio's Go validation where the CRDs' CEL rules stop (`src/model/schema/walk/go.rs`): for
//! every check a resource that breaks it (an `invalid-value` whose message names the problem,
//! at the offending line) and the same resource fixed (no `invalid-value` at all).

use meshlint::engine::{self, Options};

struct Case {
    name: &'static str,
    /// The resource up to `spec:`.
    head: &'static str,
    bad: &'static str,
    /// A fragment of the message, and the line it points at (1-based) in `bad`.
    says: &'static str,
    line: usize,
    good: &'static str,
}

const SE: &str = "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: e\n  namespace: default\nspec:\n";
const WE: &str = "apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata:\n  name: w\n  namespace: default\nspec:\n";
const TEL: &str = "apiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata:\n  name: t\n  namespace: default\nspec:\n";
const EF: &str = "apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata:\n  name: f\n  namespace: default\nspec:\n";

const CASES: &[Case] = &[
    Case {
        name: "serviceentry address is no IP or CIDR",
        head: SE,
        bad: "  hosts: [db.example.com]\n  addresses: [db.example.com]\n  ports: [{number: 5432, name: tcp, protocol: TCP}]\n  resolution: STATIC\n  endpoints: [{address: 10.0.0.1}]\n",
        says: "address \"db.example.com\" is not an IP address or CIDR block",
        line: 8,
        good: "  hosts: [db.example.com]\n  addresses: [10.0.0.0/24]\n  ports: [{number: 5432, name: tcp, protocol: TCP}]\n  resolution: STATIC\n  endpoints: [{address: 10.0.0.1}]\n",
    },
    Case {
        name: "serviceentry CIDR out of range",
        head: SE,
        bad: "  hosts: [db.example.com]\n  addresses: [10.0.0.0/33]\n  ports: [{number: 5432, name: tcp, protocol: TCP}]\n",
        says: "is not a valid CIDR block",
        line: 8,
        good: "  hosts: [db.example.com]\n  addresses: [10.0.0.0/8]\n  ports: [{number: 5432, name: tcp, protocol: TCP}]\n",
    },
    Case {
        name: "DNS without endpoints and a wildcard host",
        head: SE,
        bad: "  hosts: [\"*.example.com\"]\n  ports: [{number: 443, name: tls, protocol: TLS}]\n  resolution: DNS\n",
        says: "with resolution DNS and no endpoints, every host must be a DNS name",
        line: 7,
        good: "  hosts: [\"api.example.com\"]\n  ports: [{number: 443, name: tls, protocol: TLS}]\n  resolution: DNS\n",
    },
    Case {
        name: "DYNAMIC_DNS with a plain host",
        head: SE,
        bad: "  hosts: [api.example.com]\n  ports: [{number: 443, name: tls, protocol: TLS}]\n  resolution: DYNAMIC_DNS\n",
        says: "must be a wildcard (e.g. \"*.example.com\") for resolution DYNAMIC_DNS",
        line: 7,
        good: "  hosts: [\"*.example.com\"]\n  ports: [{number: 443, name: tls, protocol: TLS}]\n  resolution: DYNAMIC_DNS\n",
    },
    Case {
        name: "DYNAMIC_DNS with addresses",
        head: SE,
        bad: "  hosts: [\"*.example.com\"]\n  addresses: [10.0.0.1]\n  ports: [{number: 443, name: tls, protocol: TLS}]\n  resolution: DYNAMIC_DNS\n",
        says: "addresses cannot be set for resolution DYNAMIC_DNS",
        line: 8,
        good: "  hosts: [\"*.example.com\"]\n  ports: [{number: 443, name: tls, protocol: TLS}]\n  resolution: DYNAMIC_DNS\n",
    },
    Case {
        name: "DYNAMIC_DNS with endpoints",
        head: SE,
        bad: "  hosts: [\"*.example.com\"]\n  ports: [{number: 443, name: tls, protocol: TLS}]\n  resolution: DYNAMIC_DNS\n  endpoints:\n  - address: 10.0.0.1\n",
        says: "endpoints cannot be set for resolution DYNAMIC_DNS",
        line: 11,
        good: "  hosts: [\"*.example.com\"]\n  ports: [{number: 443, name: tls, protocol: TLS}]\n  resolution: DYNAMIC_DNS\n",
    },
    Case {
        name: "DYNAMIC_DNS with a TCP port",
        head: SE,
        bad: "  hosts: [\"*.example.com\"]\n  ports:\n  - number: 5432\n    name: tcp\n    protocol: TCP\n  resolution: DYNAMIC_DNS\n",
        says: "protocol \"TCP\" is not supported for resolution DYNAMIC_DNS",
        line: 11,
        good: "  hosts: [\"*.example.com\"]\n  ports:\n  - number: 443\n    name: tls\n    protocol: TLS\n  resolution: DYNAMIC_DNS\n",
    },
    Case {
        name: "STATIC endpoint with a host name",
        head: SE,
        bad: "  hosts: [db.example.com]\n  addresses: [10.1.0.1]\n  ports: [{number: 5432, name: tcp, protocol: TCP}]\n  resolution: STATIC\n  endpoints:\n  - address: db.internal\n",
        says: "endpoint address \"db.internal\" is not a valid IP address, which resolution STATIC needs",
        line: 12,
        good: "  hosts: [db.example.com]\n  addresses: [10.1.0.1]\n  ports: [{number: 5432, name: tcp, protocol: TCP}]\n  resolution: DNS\n  endpoints:\n  - address: db.internal\n",
    },
    Case {
        name: "DNS endpoint that is no FQDN",
        head: SE,
        bad: "  hosts: [db.example.com]\n  ports: [{number: 443, name: tls, protocol: TLS}]\n  resolution: DNS\n  endpoints:\n  - address: db_primary.internal\n",
        says: "endpoint address \"db_primary.internal\" is not a valid FQDN or an IP address",
        line: 11,
        good: "  hosts: [db.example.com]\n  ports: [{number: 443, name: tls, protocol: TLS}]\n  resolution: DNS\n  endpoints:\n  - address: db-primary.internal\n",
    },
    Case {
        name: "endpoint port the ServiceEntry does not declare",
        head: SE,
        bad: "  hosts: [api.example.com]\n  ports: [{number: 443, name: https, protocol: HTTPS}]\n  resolution: STATIC\n  endpoints:\n  - address: 10.0.0.1\n    ports: {htps: 8443}\n",
        says: "endpoint port \"htps\" is not defined by the service entry (its ports: https)",
        line: 12,
        good: "  hosts: [api.example.com]\n  ports: [{number: 443, name: https, protocol: HTTPS}]\n  resolution: STATIC\n  endpoints:\n  - address: 10.0.0.1\n    ports: {https: 8443}\n",
    },
    Case {
        name: "unix endpoint with two service ports",
        head: SE,
        bad: "  hosts: [local.example.com]\n  ports:\n  - {number: 80, name: http, protocol: HTTP}\n  - {number: 81, name: http2, protocol: HTTP}\n  resolution: STATIC\n  endpoints:\n  - address: unix:///var/run/app.sock\n",
        says: "needs exactly one service port, and the ServiceEntry has 2",
        line: 13,
        good: "  hosts: [local.example.com]\n  ports:\n  - {number: 80, name: http, protocol: HTTP}\n  resolution: STATIC\n  endpoints:\n  - address: unix:///var/run/app.sock\n",
    },
    Case {
        name: "several hosts with a TCP port",
        head: SE,
        bad: "  hosts: [a.example.com, b.example.com]\n  ports:\n  - number: 5432\n    name: tcp\n    protocol: TCP\n  resolution: DNS\n",
        says: "for plain TCP the proxy cannot tell the hosts apart",
        line: 11,
        good: "  hosts: [a.example.com, b.example.com]\n  ports:\n  - number: 443\n    name: tls\n    protocol: TLS\n  resolution: DNS\n",
    },
    Case {
        name: "workloadentry address that is no IP or FQDN",
        head: WE,
        bad: "  address: vm_1.internal\n",
        says: "WorkloadEntry address \"vm_1.internal\" is not a valid FQDN or an IP address",
        line: 7,
        good: "  address: vm-1.internal\n",
    },
    Case {
        name: "telemetry tag override without operation or value",
        head: TEL,
        bad: "  metrics:\n  - providers: [{name: prometheus}]\n    overrides:\n    - tagOverrides:\n        request_host: {}\n",
        says: "tag override \"request_host\" has no value: its operation defaults to UPSERT",
        line: 11,
        good: "  metrics:\n  - providers: [{name: prometheus}]\n    overrides:\n    - tagOverrides:\n        request_host: {operation: REMOVE}\n",
    },
    Case {
        name: "telemetry with two tracing entries",
        head: TEL,
        bad: "  tracing:\n  - providers: [{name: zipkin}]\n  - providers: [{name: otel}]\n",
        says: "Telemetry has several tracing entries",
        line: 9,
        good: "  tracing:\n  - providers: [{name: zipkin}]\n",
    },
    Case {
        name: "telemetry tracing with two providers",
        head: TEL,
        bad: "  tracing:\n  - providers:\n    - name: zipkin\n    - name: otel\n",
        says: "a tracing entry names several providers",
        line: 10,
        good: "  tracing:\n  - providers:\n    - name: zipkin\n",
    },
    Case {
        name: "envoyfilter proxyVersion that is no regex",
        head: EF,
        bad: "  configPatches:\n  - applyTo: CLUSTER\n    match:\n      proxy: {proxyVersion: '^1\\.2[0-9'}\n    patch: {operation: MERGE, value: {}}\n",
        says: "is not a valid regular expression",
        line: 10,
        good: "  configPatches:\n  - applyTo: CLUSTER\n    match:\n      proxy: {proxyVersion: '^1\\.2[0-9].*'}\n    patch: {operation: MERGE, value: {}}\n",
    },
    Case {
        name: "envoyfilter cluster patch with a listener match",
        head: EF,
        bad: "  configPatches:\n  - applyTo: CLUSTER\n    match:\n      listener: {portNumber: 80}\n    patch: {operation: MERGE, value: {}}\n",
        says: "applyTo CLUSTER patches cluster objects, but the match is on a listener",
        line: 10,
        good: "  configPatches:\n  - applyTo: CLUSTER\n    match:\n      cluster: {portNumber: 80}\n    patch: {operation: MERGE, value: {}}\n",
    },
    Case {
        name: "envoyfilter route patch with a cluster match",
        head: EF,
        bad: "  configPatches:\n  - applyTo: HTTP_ROUTE\n    match:\n      cluster: {portNumber: 80}\n    patch: {operation: MERGE, value: {}}\n",
        says: "applyTo HTTP_ROUTE patches http route objects, but the match is on a cluster",
        line: 10,
        good: "  configPatches:\n  - applyTo: HTTP_ROUTE\n    match:\n      routeConfiguration: {portNumber: 80}\n    patch: {operation: MERGE, value: {}}\n",
    },
    Case {
        name: "envoyfilter filter match without name",
        head: EF,
        bad: "  configPatches:\n  - applyTo: NETWORK_FILTER\n    match:\n      listener:\n        filterChain:\n          filter: {subFilter: {name: x}}\n    patch: {operation: MERGE, value: {}}\n",
        says: "the filter match has no name to match on",
        line: 12,
        good: "  configPatches:\n  - applyTo: NETWORK_FILTER\n    match:\n      listener:\n        filterChain:\n          filter: {name: envoy.filters.network.tcp_proxy}\n    patch: {operation: MERGE, value: {}}\n",
    },
    Case {
        name: "envoyfilter subFilter with applyTo NETWORK_FILTER",
        head: EF,
        bad: "  configPatches:\n  - applyTo: NETWORK_FILTER\n    match:\n      listener:\n        filterChain:\n          filter:\n            name: envoy.filters.network.http_connection_manager\n            subFilter: {name: envoy.filters.http.router}\n    patch: {operation: MERGE, value: {}}\n",
        says: "a subFilter match can be used with applyTo HTTP_FILTER only, not NETWORK_FILTER",
        line: 14,
        good: "  configPatches:\n  - applyTo: HTTP_FILTER\n    match:\n      listener:\n        filterChain:\n          filter:\n            name: envoy.filters.network.http_connection_manager\n            subFilter: {name: envoy.filters.http.router}\n    patch: {operation: MERGE, value: {}}\n",
    },
    Case {
        name: "envoyfilter subFilter under another filter",
        head: EF,
        bad: "  configPatches:\n  - applyTo: HTTP_FILTER\n    match:\n      listener:\n        filterChain:\n          filter:\n            name: envoy.filters.network.tcp_proxy\n            subFilter: {name: envoy.filters.http.router}\n    patch: {operation: MERGE, value: {}}\n",
        says: "a subFilter match needs the filter match to be envoy.filters.network.http_connection_manager",
        line: 14,
        good: "  configPatches:\n  - applyTo: HTTP_FILTER\n    match:\n      listener:\n        filterChain:\n          filter:\n            name: envoy.http_connection_manager\n            subFilter: {name: envoy.filters.http.router}\n    patch: {operation: MERGE, value: {}}\n",
    },
    Case {
        name: "envoyfilter subFilter without name",
        head: EF,
        bad: "  configPatches:\n  - applyTo: HTTP_FILTER\n    match:\n      listener:\n        filterChain:\n          filter:\n            name: envoy.filters.network.http_connection_manager\n            subFilter: {}\n    patch: {operation: MERGE, value: {}}\n",
        says: "the subFilter match has no name to match on",
        line: 14,
        good: "  configPatches:\n  - applyTo: HTTP_FILTER\n    match:\n      listener:\n        filterChain:\n          filter:\n            name: envoy.filters.network.http_connection_manager\n            subFilter: {name: envoy.filters.http.router}\n    patch: {operation: MERGE, value: {}}\n",
    },
    Case {
        name: "envoyfilter filter match with applyTo LISTENER",
        head: EF,
        bad: "  configPatches:\n  - applyTo: LISTENER\n    match:\n      listener:\n        filterChain:\n          filter: {name: envoy.filters.network.tcp_proxy}\n    patch: {operation: MERGE, value: {}}\n",
        says: "a filter match has no effect with applyTo LISTENER",
        line: 12,
        good: "  configPatches:\n  - applyTo: LISTENER\n    match:\n      listener: {portNumber: 80}\n    patch: {operation: MERGE, value: {}}\n",
    },
];

/// (message, line) of every `invalid-value`.
fn invalid_values(yaml: &str) -> Vec<(String, usize)> {
    let bytes = yaml.as_bytes().to_vec();
    let analysis = engine::analyze(
        &["-".to_string()],
        &mut || Ok(bytes.clone()),
        &Options::default(),
    )
    .expect("stdin loads");
    analysis
        .diagnostics
        .iter()
        .filter(|d| d.rule.name == "invalid-value")
        .map(|d| (d.message.clone(), analysis.model.sources.line_col(d.loc).0))
        .collect()
}

#[test]
fn every_go_check_has_a_failing_and_a_passing_case() {
    let mut problems = Vec::new();
    for c in CASES {
        let bad = format!("{}{}", c.head, c.bad);
        let found = invalid_values(&bad);
        if !found
            .iter()
            .any(|(m, l)| m.contains(c.says) && *l == c.line)
        {
            problems.push(format!(
                "{}: no invalid-value containing {:?} at line {}; found {found:#?}\n{bad}",
                c.name, c.says, c.line
            ));
        }
        let good = format!("{}{}", c.head, c.good);
        let found = invalid_values(&good);
        if !found.is_empty() {
            problems.push(format!(
                "{}: the fixed case is reported: {found:#?}\n{good}",
                c.name
            ));
        }
    }
    eprintln!(
        "{} Go-validation checks, each failing and passing",
        CASES.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
