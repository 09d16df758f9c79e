//! The model phase: how documents become resources (`kind: List`, helm `# Source:`, namespaces,
//! skipped and unknown documents), the typed fields of the newer kinds, and MeshConfig
//! resolution (`--mesh-config`, the `istio` ConfigMap, Istio's defaults).

use std::path::{Path, PathBuf};

use meshlint::diag::Diagnostic;
use meshlint::load::{self, LoadOptions};
use meshlint::model::{Model, ModelOptions};
use meshlint::source::Loc;

/// A scratch directory per test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("model-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
    fn file(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().into_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

fn build(paths: &[String], options: ModelOptions) -> (Model, Vec<Diagnostic>) {
    let loaded =
        load::load(paths, &mut || Ok(Vec::new()), &LoadOptions::default()).expect("inputs load");
    let mut diagnostics = Vec::new();
    let model = Model::from_documents(loaded, &options, &mut diagnostics);
    (model, diagnostics)
}

fn model_of(name: &str, yaml: &str) -> (Model, Vec<Diagnostic>) {
    let scratch = Scratch::new(name);
    let path = scratch.file("input.yaml", yaml);
    build(&[path], ModelOptions::default())
}

fn with_mesh_config(name: &str, inputs: &str, mesh: &str) -> (Model, Vec<Diagnostic>) {
    let scratch = Scratch::new(name);
    let input = scratch.file("input.yaml", inputs);
    let mesh_path = scratch.file("mesh.yaml", mesh);
    let mesh = load::load(
        &[mesh_path],
        &mut || Ok(Vec::new()),
        &LoadOptions::default(),
    )
    .unwrap();
    build(
        &[input],
        ModelOptions {
            mesh_config: Some(mesh),
            ..ModelOptions::default()
        },
    )
}

/// The text a location covers, and its 1-based line and column.
fn at(model: &Model, loc: Loc) -> (String, usize, usize) {
    let file = model.sources.get(loc.file);
    let text = file.text[loc.span.start as usize..loc.span.end as usize].to_string();
    let (line, col) = file.line_col(loc.span.start);
    (text, line, col)
}

fn rules(diagnostics: &[Diagnostic]) -> Vec<&'static str> {
    diagnostics.iter().map(|d| d.rule.name).collect()
}

// ---------------------------------------------------------------------------------------------
// Documents to resources

#[test]
fn kind_list_is_unwrapped_and_items_without_a_kind_are_skipped() {
    let (model, diagnostics) = model_of(
        "list",
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata:\n    name: reviews\n    namespace: shop\n  spec:\n    ports:\n    - port: 9080\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: reviews\n- just: a value\n",
    );
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert_eq!(model.services.len(), 1);
    assert_eq!(model.service_accounts.len(), 1);
    assert_eq!(
        model.stats.resources, 2,
        "the List itself is not a resource"
    );
    assert_eq!(model.stats.skipped_documents, 1);
    let svc = &model.services[0];
    assert_eq!((svc.name(), svc.namespace()), ("reviews", "shop"));
    // The origin is the item, not the List.
    let (_, line, col) = at(&model, svc.origin.at);
    assert_eq!((line, col), (4, 3));
    assert_eq!(
        svc.spec.spec.ports[0].port.as_ref().map(|p| p.value),
        Some(9080)
    );
    // Items keep their own namespace rule: the ServiceAccount gets the default.
    assert_eq!(model.service_accounts[0].namespace(), "default");
}

#[test]
fn helm_source_comment_is_kept_with_the_resource() {
    let (model, _) = model_of(
        "helm",
        "---\n# Source: reviews/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: reviews\n---\n# Source: reviews/templates/sa.yaml\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: reviews\n",
    );
    assert_eq!(
        model.document(&model.services[0]).helm_source.as_deref(),
        Some("reviews/templates/service.yaml")
    );
    assert_eq!(
        model
            .document(&model.service_accounts[0])
            .helm_source
            .as_deref(),
        Some("reviews/templates/sa.yaml")
    );
}

#[test]
fn namespaced_kinds_default_their_namespace_and_cluster_scoped_kinds_have_none() {
    let yaml = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: a\nspec:\n  hosts: [a]\n---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: b\n  namespace: shop\nspec:\n  hosts: [b]\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  namespace: ignored\n  labels:\n    istio-injection: enabled\n";
    let (model, _) = model_of("ns-default", yaml);
    let vs: Vec<(&str, &str)> = model
        .virtual_services
        .iter()
        .map(|r| (r.name(), r.namespace()))
        .collect();
    assert_eq!(vs, [("a", "default"), ("b", "shop")]);
    assert!(model.virtual_services[0].meta.namespace_loc.is_none());
    assert!(model.virtual_services[1].meta.namespace_loc.is_some());
    let ns = &model.namespaces[0];
    assert_eq!(ns.namespace(), "", "Namespace is cluster-scoped");
    assert_eq!(
        ns.meta.labels.get("istio-injection").unwrap().value,
        "enabled"
    );

    // `-n` changes the default.
    let scratch = Scratch::new("ns-flag");
    let path = scratch.file("input.yaml", yaml);
    let (model, _) = build(
        &[path],
        ModelOptions {
            default_namespace: "team".into(),
            ..ModelOptions::default()
        },
    );
    assert_eq!(model.virtual_services[0].namespace(), "team");
    assert_eq!(model.virtual_services[1].namespace(), "shop");
}

#[test]
fn removed_cluster_scoped_kinds_are_legacy_without_a_namespace() {
    let (model, diagnostics) = model_of(
        "legacy",
        "apiVersion: authentication.istio.io/v1alpha1\nkind: MeshPolicy\nmetadata:\n  name: default\nspec:\n  peers:\n  - mtls: {}\n",
    );
    assert_eq!(model.legacy.len(), 1);
    assert_eq!(model.legacy[0].namespace(), "");
    assert_eq!(rules(&diagnostics), ["removed-api"]);
    let (text, line, col) = at(&model, diagnostics[0].loc);
    assert_eq!(
        (text.as_str(), line, col),
        ("authentication.istio.io/v1alpha1", 1, 13)
    );
}

#[test]
fn mixer_kinds_are_reported_under_their_own_kind() {
    let (_, diagnostics) = model_of(
        "mixer",
        "apiVersion: config.istio.io/v1alpha2\nkind: handler\nmetadata:\n  name: prom\n  namespace: istio-system\n",
    );
    assert_eq!(rules(&diagnostics), ["removed-api"]);
    assert_eq!(diagnostics[0].resource.as_ref().unwrap().kind, "handler");
}

#[test]
fn documents_without_api_version_or_kind_are_skipped_and_counted() {
    let (model, diagnostics) = model_of(
        "skipped",
        "replicaCount: 2\nimage:\n  tag: latest\n---\napiVersion: v2\nname: chart\nversion: 0.1.0\n---\nkind: Service\nmetadata:\n  name: no-version\n---\n# only a comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: real\n",
    );
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert_eq!(model.stats.skipped_documents, 3);
    assert_eq!(model.stats.resources, 1);
    assert_eq!(model.config_maps.len(), 1);
    assert!(model.services.is_empty());
}

#[test]
fn unknown_kinds_are_opaque_counted_and_not_reported() {
    let (model, diagnostics) = model_of(
        "opaque",
        "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  secretName: web-tls\n---\napiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: web\n",
    );
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert_eq!(model.opaque.len(), 2);
    assert_eq!(model.stats.resources, 2);
    assert_eq!(model.opaque[0].name(), "web");
    assert_eq!(model.opaque[0].namespace(), "shop");
}

// ---------------------------------------------------------------------------------------------
// Typed fields of the newer kinds

#[test]
fn authorization_policy_is_typed_with_spans() {
    let (model, _) = model_of(
        "authz",
        r#"apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: allow-get
  namespace: shop
spec:
  targetRefs:
  - kind: Gateway
    group: gateway.networking.k8s.io
    name: web
  action: DENY
  rules:
  - from:
    - source:
        principals: ["cluster.local/ns/shop/sa/web"]
        notNamespaces: [dev]
        ipBlocks: [10.0.0.0/8]
    to:
    - operation:
        methods: [GET]
        notPaths: ["/admin/*"]
        ports: [8080]
    when:
    - key: request.auth.claims[iss]
      notValues: ["https://evil"]
"#,
    );
    let ap = &model.authorization_policies[0].spec;
    assert_eq!(ap.action(), "DENY");
    assert_eq!(ap.target_refs[0].kind.as_ref().unwrap().value, "Gateway");
    let rule = &ap.rules[0];
    let source = rule.from[0].source.as_ref().unwrap();
    assert_eq!(source.principals[0].value, "cluster.local/ns/shop/sa/web");
    assert_eq!(source.not_namespaces[0].value, "dev");
    assert_eq!(source.ip_blocks[0].value, "10.0.0.0/8");
    let op = rule.to[0].operation.as_ref().unwrap();
    assert_eq!(op.methods[0].value, "GET");
    assert_eq!(
        op.ports[0].value, "8080",
        "integer ports read as their text"
    );
    let (text, line, col) = at(&model, op.not_paths[0].loc);
    assert_eq!((text.as_str(), line, col), ("\"/admin/*\"", 21, 20));
    assert_eq!(
        rule.when[0].key.as_ref().unwrap().value,
        "request.auth.claims[iss]"
    );
    assert_eq!(rule.when[0].not_values[0].value, "https://evil");
}

#[test]
fn request_authentication_jwt_rules_are_typed() {
    let (model, _) = model_of(
        "jwt",
        "apiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata:\n  name: jwt\nspec:\n  jwtRules:\n  - issuer: https://issuer\n    jwks_uri: https://issuer/jwks\n    audiences: [web]\n    forwardOriginalToken: true\n    fromHeaders:\n    - name: x-token\n      prefix: 'Bearer '\n    outputClaimToHeaders:\n    - header: x-sub\n      claim: sub\n",
    );
    let rule = &model.request_authentications[0].spec.jwt_rules[0];
    assert_eq!(rule.issuer.as_ref().unwrap().value, "https://issuer");
    assert_eq!(rule.jwks_uri().unwrap().value, "https://issuer/jwks");
    assert_eq!(
        rule.forward_original_token.as_ref().map(|b| b.value),
        Some(true)
    );
    assert_eq!(
        rule.from_headers[0].prefix.as_ref().unwrap().value,
        "Bearer "
    );
    assert_eq!(
        rule.output_claim_to_headers[0]
            .claim
            .as_ref()
            .unwrap()
            .value,
        "sub"
    );
}

#[test]
fn gateway_api_routes_are_typed() {
    let (model, _) = model_of(
        "gwapi",
        r#"apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: web
spec:
  gatewayClassName: istio
  listeners:
  - name: http
    hostname: "*.example.com"
    port: 80
    protocol: HTTP
    allowedRoutes:
      namespaces:
        from: Selector
        selector:
          matchLabels:
            shared: "true"
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: reviews
spec:
  parentRefs:
  - name: web
    sectionName: http
  hostnames: [reviews.example.com]
  rules:
  - matches:
    - path:
        type: PathPrefix
        value: /api
      headers:
      - name: x-canary
        value: "true"
      method: GET
    filters:
    - type: URLRewrite
      urlRewrite:
        path:
          type: ReplacePrefixMatch
          replacePrefixMatch: /
    backendRefs:
    - name: reviews-v2
      port: 9080
      weight: 90
    timeouts:
      request: 5s
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata:
  name: grpc
spec:
  rules:
  - matches:
    - method:
        service: helloworld.Greeter
  - backendRefs:
    - name: greeter
      port: 50051
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata:
  name: allow
spec:
  from:
  - group: gateway.networking.k8s.io
    kind: HTTPRoute
    namespace: web
  to:
  - group: ""
    kind: Service
"#,
    );
    let listener = &model.k8s_gateways[0].spec.listeners[0];
    assert_eq!(listener.port.as_ref().map(|p| p.value), Some(80));
    let namespaces = listener
        .allowed_routes
        .as_ref()
        .unwrap()
        .namespaces
        .as_ref()
        .unwrap();
    assert_eq!(namespaces.from.as_ref().unwrap().value, "Selector");
    assert_eq!(
        namespaces
            .selector
            .as_ref()
            .unwrap()
            .match_labels
            .get("shared")
            .unwrap()
            .value,
        "true"
    );

    let route = &model.http_routes[0].spec;
    assert_eq!(
        route.parent_refs[0].section_name.as_ref().unwrap().value,
        "http"
    );
    let rule = &route.rules[0];
    assert_eq!(
        rule.matches[0]
            .path
            .as_ref()
            .unwrap()
            .value
            .as_ref()
            .unwrap()
            .value,
        "/api"
    );
    assert_eq!(
        rule.matches[0].headers[0].name.as_ref().unwrap().value,
        "x-canary"
    );
    let rewrite = rule.filters[0]
        .url_rewrite
        .as_ref()
        .unwrap()
        .path
        .as_ref()
        .unwrap();
    assert_eq!(rewrite.replace_prefix_match.as_ref().unwrap().value, "/");
    let backend = &rule.backend_refs[0];
    assert_eq!(
        (
            backend.port.as_ref().unwrap().value,
            backend.weight.as_ref().unwrap().value
        ),
        (9080, 90)
    );
    assert_eq!(
        rule.timeouts
            .as_ref()
            .unwrap()
            .request
            .as_ref()
            .unwrap()
            .value,
        "5s"
    );

    let grpc = &model.grpc_routes[0].spec;
    assert_eq!(
        grpc.rules[0].matches[0]
            .method
            .as_ref()
            .unwrap()
            .service
            .as_ref()
            .unwrap()
            .value,
        "helloworld.Greeter"
    );
    assert_eq!(
        grpc.rules[1].backend_refs[0].name.as_ref().unwrap().value,
        "greeter"
    );

    let grant = &model.reference_grants[0].spec;
    assert_eq!(grant.from[0].namespace.as_ref().unwrap().value, "web");
    assert_eq!(grant.to[0].kind.as_ref().unwrap().value, "Service");
    assert!(grant.to[0].name.is_none());
}

#[test]
fn networking_sub_structures_are_typed() {
    let (model, _) = model_of(
        "net",
        r#"apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: r
spec:
  hosts: [r]
  http:
  - redirect:
      uri: /new
      redirectCode: 308
    headers:
      request:
        set:
          x-a: "1"
        remove: [x-b]
  - directResponse:
      status: 503
      body:
        string: down
    corsPolicy:
      allowOrigins:
      - prefix: https://
    rewrite:
      uriRegexRewrite:
        match: ^/a(.*)
        rewrite: /b\1
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: r
spec:
  host: r
  trafficPolicy:
    loadBalancer:
      consistentHash:
        httpHeaderName: x-user
    connectionPool:
      http:
        http1MaxPendingRequests: 1
    outlierDetection:
      consecutive5xxErrors: 3
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: s
spec:
  workloadSelector:
    labels:
      app: r
  ingress:
  - port:
      number: 9080
      protocol: HTTP
      name: http
    defaultEndpoint: 127.0.0.1:8080
  egress:
  - port:
      number: 80
    hosts: ["./*"]
"#,
    );
    let http = &model.virtual_services[0].spec.http;
    let redirect = http[0].redirect.as_ref().unwrap();
    assert_eq!(redirect.redirect_code.as_ref().unwrap().value, 308);
    let request = http[0].headers.as_ref().unwrap().request.as_ref().unwrap();
    assert_eq!(request.set.get("x-a").unwrap().value, "1");
    assert_eq!(request.remove[0].value, "x-b");
    assert_eq!(
        http[1]
            .direct_response
            .as_ref()
            .unwrap()
            .status
            .as_ref()
            .unwrap()
            .value,
        503
    );
    assert_eq!(
        http[1].cors_policy.as_ref().unwrap().allow_origins[0]
            .prefix
            .as_ref()
            .unwrap()
            .value,
        "https://"
    );
    assert_eq!(
        http[1]
            .rewrite
            .as_ref()
            .unwrap()
            .uri_regex_rewrite
            .as_ref()
            .unwrap()
            .rewrite
            .as_ref()
            .unwrap()
            .value,
        "/b\\1"
    );

    let tp = model.destination_rules[0]
        .spec
        .traffic_policy
        .as_ref()
        .unwrap();
    let hash = tp
        .load_balancer
        .as_ref()
        .unwrap()
        .consistent_hash
        .as_ref()
        .unwrap();
    assert_eq!(hash.http_header_name.as_ref().unwrap().value, "x-user");
    let pending = tp
        .connection_pool
        .as_ref()
        .unwrap()
        .http
        .as_ref()
        .unwrap()
        .http1_max_pending_requests
        .as_ref();
    assert_eq!(pending.map(|p| p.value), Some(1));
    assert_eq!(
        tp.outlier_detection
            .as_ref()
            .unwrap()
            .consecutive_5xx_errors
            .as_ref()
            .map(|p| p.value),
        Some(3)
    );

    let sidecar = &model.sidecars[0].spec;
    assert_eq!(
        sidecar
            .workload_selector
            .as_ref()
            .unwrap()
            .labels
            .get("app")
            .unwrap()
            .value,
        "r"
    );
    let ingress = &sidecar.ingress[0];
    assert_eq!(
        ingress
            .port
            .as_ref()
            .unwrap()
            .number
            .as_ref()
            .unwrap()
            .value,
        9080
    );
    assert_eq!(
        ingress.default_endpoint.as_ref().unwrap().value,
        "127.0.0.1:8080"
    );
    assert_eq!(
        sidecar.egress[0]
            .port
            .as_ref()
            .unwrap()
            .number
            .as_ref()
            .unwrap()
            .value,
        80
    );
}

// ---------------------------------------------------------------------------------------------
// MeshConfig

fn config_map(name: &str, namespace: &str, mesh_block: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: {namespace}\ndata:\n{mesh_block}"
    )
}

#[test]
fn mesh_config_defaults_to_istios() {
    let (model, _) = model_of(
        "mc-default",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n",
    );
    let mc = &model.mesh_config;
    assert_eq!(mc.root_namespace, "istio-system");
    assert!(mc.enable_auto_mtls);
    assert_eq!(mc.outbound_traffic_policy, "ALLOW_ANY");
    assert_eq!(mc.default_service_export_to, ["*"]);
    assert_eq!(mc.trust_domain, "cluster.local");
    assert_eq!(mc.ingress_controller_mode, "STRICT");
    assert!(mc.source.is_none());
    let providers: Vec<(&str, &str)> = mc
        .extension_providers
        .iter()
        .map(|p| (p.name.as_str(), p.kind.as_str()))
        .collect();
    assert_eq!(
        providers,
        [
            ("prometheus", "prometheus"),
            ("stackdriver", "stackdriver"),
            ("envoy", "envoyFileAccessLog")
        ]
    );
}

#[test]
fn mesh_config_from_the_scenario_configmap_turns_auto_mtls_off_with_exact_spans() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/scenarios/mtls-override/mesh.yaml");
    if !path.exists() {
        eprintln!("notice: ../shared is absent; the scenario MeshConfig test is skipped");
        return;
    }
    let (model, diagnostics) = build(
        &[path.to_string_lossy().into_owned()],
        ModelOptions::default(),
    );
    let mc = &model.mesh_config;
    assert!(!mc.enable_auto_mtls);
    assert_eq!(mc.root_namespace, "istio-system");
    assert_eq!(mc.config_map.as_ref().unwrap().name, "istio");
    assert!(
        !diagnostics
            .iter()
            .any(|d| matches!(d.rule.name, "unknown-field" | "invalid-value")),
        "{diagnostics:?}"
    );
    // The literal block maps exactly into the file: `enableAutoMtls: false` is line 8.
    let (text, line, col) = at(&model, mc.loc_of("enableAutoMtls").unwrap());
    assert_eq!((text.as_str(), line, col), ("false", 8, 21));
}

#[test]
fn mesh_config_literal_block_errors_point_into_the_block() {
    let cm = config_map(
        "istio",
        "istio-system",
        "  mesh: |-\n    # tuned for the shop\n    enableAutoMtls: \"false\"\n    rootNamespce: mesh-root\n    outboundTrafficPolicy:\n      mode: REGISTRY_ONLY\n      bogus: 1\n    mixerCheckServer: old:9091\n",
    );
    let (model, diagnostics) = model_of("mc-errors", &cm);
    let found: Vec<(&str, String, usize, usize)> = diagnostics
        .iter()
        .map(|d| {
            let (text, line, col) = at(&model, d.loc);
            (d.rule.name, text, line, col)
        })
        .collect();
    assert_eq!(
        found,
        [
            ("invalid-value", "\"false\"".to_string(), 9, 21),
            ("unknown-field", "rootNamespce".to_string(), 10, 5),
            ("unknown-field", "bogus".to_string(), 13, 7),
            ("unknown-field", "mixerCheckServer".to_string(), 14, 5),
        ]
    );
    assert!(
        diagnostics[1]
            .help
            .as_deref()
            .unwrap()
            .contains("rootNamespace")
    );
    assert!(diagnostics[3].message.contains("removed"));
    assert_eq!(
        diagnostics[0].resource.as_ref().unwrap().to_string(),
        "ConfigMap istio-system/istio"
    );
    // A wrong type makes Istio reject the whole MeshConfig: the defaults stay.
    assert!(model.mesh_config.enable_auto_mtls);
    assert_eq!(model.mesh_config.outbound_traffic_policy, "ALLOW_ANY");
    assert!(model.mesh_config.source.is_some());
}

#[test]
fn mesh_config_unknown_fields_alone_do_not_reject_it() {
    let cm = config_map(
        "istio",
        "istio-system",
        "  mesh: |\n    outboundTrafficPolicy:\n      mode: REGISTRY_ONLY\n    enable_auto_mtls: false\n    madeUp: 1\n    defaultServiceExportTo: [\".\"]\n    trustDomainAliases: [b.local, a.local]\n",
    );
    let (model, diagnostics) = model_of("mc-unknown", &cm);
    assert_eq!(rules(&diagnostics), ["unknown-field"]);
    let mc = &model.mesh_config;
    assert_eq!(mc.outbound_traffic_policy, "REGISTRY_ONLY");
    assert!(!mc.enable_auto_mtls, "protojson accepts proto field names");
    assert_eq!(mc.default_service_export_to, ["."]);
    assert_eq!(mc.trust_domain_aliases, ["a.local", "b.local"]);
    let (text, line, _) = at(&model, mc.loc_of("outboundTrafficPolicy.mode").unwrap());
    assert_eq!((text.as_str(), line), ("REGISTRY_ONLY", 9));
}

#[test]
fn mesh_config_in_a_quoted_string_points_at_the_mesh_value() {
    let cm = config_map(
        "istio",
        "istio-system",
        "  mesh: \"enableAutoMtls: false\\nbogus: 1\\n\"\n",
    );
    let (model, diagnostics) = model_of("mc-quoted", &cm);
    assert!(!model.mesh_config.enable_auto_mtls);
    assert_eq!(rules(&diagnostics), ["unknown-field"]);
    let (text, line, col) = at(&model, diagnostics[0].loc);
    assert_eq!(
        (text.as_str(), line, col),
        ("\"enableAutoMtls: false\\nbogus: 1\\n\"", 7, 9)
    );
}

#[test]
fn mesh_config_yaml_errors_in_the_block_are_reported_where_they_are() {
    let cm = config_map(
        "istio",
        "istio-system",
        "  mesh: |\n    enableAutoMtls: false\n    trustDomain: [a\n",
    );
    let (model, diagnostics) = model_of("mc-syntax", &cm);
    assert_eq!(rules(&diagnostics), ["yaml-syntax"]);
    let (_, line, _) = at(&model, diagnostics[0].loc);
    assert!(
        (8..=10).contains(&line),
        "points into the block, got line {line}"
    );
    assert!(
        model.mesh_config.enable_auto_mtls,
        "a broken MeshConfig leaves the defaults"
    );

    let cm = config_map(
        "istio",
        "istio-system",
        "  mesh: |\n    rootNamespace: a\n    rootNamespace: b\n",
    );
    let (model, diagnostics) = model_of("mc-dup", &cm);
    assert_eq!(rules(&diagnostics), ["duplicate-key"]);
    let (text, line, col) = at(&model, diagnostics[0].loc);
    assert_eq!((text.as_str(), line, col), ("rootNamespace", 9, 5));
}

#[test]
fn mesh_config_configmap_choice_prefers_istio_in_istio_system() {
    let inputs = [
        config_map(
            "istio-canary",
            "istio-system",
            "  mesh: |\n    rootNamespace: canary\n",
        ),
        config_map("istio", "other", "  mesh: |\n    rootNamespace: other\n"),
        config_map(
            "istio",
            "istio-system",
            "  mesh: |\n    rootNamespace: main\n",
        ),
        config_map(
            "istio-sidecar-injector",
            "istio-system",
            "  values: |\n    x: 1\n",
        ),
    ];
    let (model, _) = model_of("mc-choice", &inputs.join("---\n"));
    assert_eq!(model.mesh_config.root_namespace, "main");
    let (model, _) = model_of("mc-choice-rev", &inputs[..2].join("---\n"));
    assert_eq!(
        model.mesh_config.root_namespace, "canary",
        "a revision's ConfigMap in istio-system"
    );
    let (model, _) = model_of("mc-choice-other", &inputs[1]);
    assert_eq!(
        model.mesh_config.root_namespace, "other",
        "istiod installed in another namespace"
    );
    let (model, _) = model_of("mc-choice-none", &inputs[3]);
    assert!(model.mesh_config.source.is_none());
}

#[test]
fn mesh_config_file_overrides_the_configmap_and_can_be_bare_or_a_configmap() {
    let inputs = config_map(
        "istio",
        "istio-system",
        "  mesh: |\n    rootNamespace: from-configmap\n",
    );
    let (model, diagnostics) = with_mesh_config(
        "mc-file-bare",
        &inputs,
        "rootNamespace: from-file\ndefaultConfig:\n  holdApplicationUntilProxyStarts: true\n  proxyMetadata:\n    ISTIO_META_DNS_CAPTURE: \"true\"\nmeshMTLS:\n  minProtocolVersion: TLSV1_3\nnotAField: 1\n",
    );
    let mc = &model.mesh_config;
    assert_eq!(mc.root_namespace, "from-file");
    assert_eq!(
        mc.default_config_str(&["holdApplicationUntilProxyStarts"]),
        Some("true")
    );
    assert_eq!(
        mc.default_config_str(&["proxyMetadata", "ISTIO_META_DNS_CAPTURE"]),
        Some("true")
    );
    assert_eq!(
        mc.mesh_mtls_min_protocol_version.as_deref(),
        Some("TLSV1_3")
    );
    // The file is one of the run's sources, so diagnostics point into it.
    assert_eq!(rules(&diagnostics), ["unknown-field"]);
    let file = model.sources.get(diagnostics[0].loc.file);
    assert!(file.path.ends_with("mesh.yaml"), "{}", file.path);
    let (text, line, col) = at(&model, diagnostics[0].loc);
    assert_eq!((text.as_str(), line, col), ("notAField", 8, 1));
    assert_eq!(model.stats.files, 1, "the mesh config is not an input");

    let (model, diagnostics) = with_mesh_config(
        "mc-file-cm",
        "",
        &config_map(
            "istio",
            "istio-system",
            "  mesh: |-\n    enableAutoMtls: false\n",
        ),
    );
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert!(!model.mesh_config.enable_auto_mtls);
    let (text, line, _) = at(&model, model.mesh_config.loc_of("enableAutoMtls").unwrap());
    assert_eq!((text.as_str(), line), ("false", 8));

    let (_, diagnostics) = with_mesh_config(
        "mc-file-nomesh",
        "",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  other: y\n",
    );
    assert_eq!(rules(&diagnostics), ["missing-field"]);
}

#[test]
fn mesh_config_extension_providers_merge_with_the_builtins() {
    let (model, diagnostics) = with_mesh_config(
        "mc-providers",
        "",
        "extensionProviders:\n- name: ext-authz\n  envoyExtAuthzGrpc:\n    service: authz.foo.svc.cluster.local\n    port: 9000\n- name: envoy\n  envoyFileAccessLog:\n    path: /dev/stderr\ndefaultProviders:\n  accessLogging: [envoy]\n",
    );
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let mc = &model.mesh_config;
    let names: Vec<&str> = mc
        .extension_providers
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names, ["prometheus", "stackdriver", "envoy", "ext-authz"]);
    let authz = mc.extension_provider("ext-authz").unwrap();
    assert_eq!(authz.kind, "envoyExtAuthzGrpc");
    assert!(authz.loc.is_some() && mc.extension_provider("envoy").unwrap().loc.is_some());
    assert_eq!(mc.default_providers.access_logging, ["envoy"]);

    let (model, diagnostics) = with_mesh_config(
        "mc-providers-bad",
        "",
        "extensionProviders:\n- name: two\n  zipkin: {}\n  datadog: {}\n- zipkin: {}\n",
    );
    assert_eq!(rules(&diagnostics), ["invalid-value", "missing-field"]);
    assert_eq!(
        model.mesh_config.extension_providers.len(),
        3,
        "rejected: the defaults stay"
    );
}

#[test]
fn mesh_config_files_of_the_conformance_cases_load_cleanly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/istio-analyze");
    let Ok(cases) = std::fs::read_to_string(dir.join("cases.json")) else {
        eprintln!("notice: ../shared is absent; the conformance MeshConfig test is skipped");
        return;
    };
    let cases: serde_json::Value = serde_json::from_str(&cases).unwrap();
    let mut seen = 0;
    for case in cases.as_array().unwrap() {
        let Some(file) = case["mesh_config_file"].as_str() else {
            continue;
        };
        let path = dir
            .join("testdata")
            .join(file)
            .to_string_lossy()
            .into_owned();
        let mesh = load::load(&[path], &mut || Ok(Vec::new()), &LoadOptions::default()).unwrap();
        let (model, diagnostics) = build(
            &[],
            ModelOptions {
                mesh_config: Some(mesh),
                ..ModelOptions::default()
            },
        );
        assert!(diagnostics.is_empty(), "{file}: {diagnostics:?}");
        assert!(model.mesh_config.source.is_some(), "{file}");
        seen += 1;
        match file {
            "telemetry-lightstep-meshconfig.yaml" => {
                assert_eq!(
                    model
                        .mesh_config
                        .extension_provider("lightstep")
                        .map(|p| p.kind.as_str()),
                    Some("lightstep")
                )
            }
            "common/meshconfig.yaml" => {
                assert_eq!(
                    model
                        .mesh_config
                        .default_config_str(&["image", "imageType"]),
                    Some("distroless")
                )
            }
            "serviceentry-missing-addresses-protocol-mesh-cfg.yaml" => assert_eq!(
                model
                    .mesh_config
                    .default_config_str(&["proxyMetadata", "ISTIO_META_DNS_AUTO_ALLOCATE"]),
                Some("true")
            ),
            _ => {}
        }
    }
    assert!(
        seen >= 4,
        "expected the conformance cases with a mesh config, saw {seen}"
    );
}

#[test]
fn secrets_keep_their_keys_but_not_their_values() {
    let (model, _) = model_of(
        "secret",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: web-tls\n  namespace: istio-system\ntype: kubernetes.io/tls\ndata:\n  tls.crt: Zm9v\nstringData:\n  tls.key: bar\n",
    );
    let secret = &model.secrets[0].spec;
    assert_eq!(
        secret.secret_type.as_ref().unwrap().value,
        "kubernetes.io/tls"
    );
    assert!(secret.has_key("tls.crt") && secret.has_key("tls.key") && !secret.has_key("ca.crt"));
}

#[test]
fn mesh_config_block_with_a_document_marker_is_read_like_istio_reads_it() {
    // In the decoded string `---` starts the document; in the file it is indented text.
    let cm = config_map(
        "istio",
        "istio-system",
        "  mesh: |\n    ---\n    enableAutoMtls: false\n",
    );
    let (model, diagnostics) = model_of("mc-marker", &cm);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert!(!model.mesh_config.enable_auto_mtls);

    let cm = config_map("istio", "istio-system", "  mesh: [not, a, string]\n");
    let (_, mut diagnostics) = model_of("mc-not-string", &cm);
    // The schema (data values are strings) and the MeshConfig reader both notice; the run
    // reports it once.
    meshlint::diag::finish(&mut diagnostics);
    assert_eq!(rules(&diagnostics), ["invalid-value"]);
}
