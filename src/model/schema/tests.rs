//! Validator tests: YAML in, findings of the four schema rules out, with exact positions.

use crate::engine::{self, Options};

#[derive(Debug)]
struct Finding {
    rule: &'static str,
    line: usize,
    column: usize,
    message: String,
    help: String,
}

fn run(yaml: &str) -> Vec<Finding> {
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
        .filter(|d| {
            matches!(
                d.rule.name,
                "unknown-field" | "invalid-value" | "missing-field" | "deprecated-field"
            )
        })
        .map(|d| {
            let (line, column) = analysis.model.sources.line_col(d.loc);
            Finding {
                rule: d.rule.name,
                line,
                column,
                message: d.message.clone(),
                help: d.help.clone().unwrap_or_default(),
            }
        })
        .collect()
}

fn only(yaml: &str) -> Finding {
    let mut found = run(yaml);
    assert_eq!(found.len(), 1, "expected one finding, got {found:#?}");
    found.remove(0)
}

const DR: &str = "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: r\n  namespace: ns\nspec:\n  host: r\n";
const VS: &str = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: r\nspec:\n  hosts: [r]\n";
const SVC: &str = "apiVersion: v1\nkind: Service\nmetadata:\n  name: r\nspec:\n";

#[test]
fn acceptance_example() {
    let found = run(&format!(
        "{DR}  trafficPolicy:\n    tls:\n      mode: ISTIO_MUTAL\n  subsets:\n  - name: v1\n    lables:\n      version: v1\n"
    ));
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(
        (found[0].rule, found[0].line, found[0].column),
        ("invalid-value", 10, 13)
    );
    assert!(
        found[0].help.starts_with("did you mean \"ISTIO_MUTUAL\"?"),
        "{}",
        found[0].help
    );
    assert_eq!(
        (found[1].rule, found[1].line, found[1].column),
        ("unknown-field", 13, 5)
    );
    assert_eq!(
        found[1].message,
        "unknown field \"lables\" in DestinationRule spec.subsets[0]"
    );
    assert_eq!(found[1].help, "did you mean \"labels\"?");
}

#[test]
fn enum_suggestions() {
    let f = only(&format!(
        "{DR}  trafficPolicy:\n    tls:\n      mode: istio_mutual\n"
    ));
    assert!(
        f.help.starts_with("did you mean \"ISTIO_MUTUAL\"?"),
        "{}",
        f.help
    );
    let f = only(&format!(
        "{DR}  trafficPolicy:\n    tls:\n      mode: BANANA\n"
    ));
    assert_eq!(f.help, "use one of: DISABLE, SIMPLE, MUTUAL, ISTIO_MUTUAL");
}

#[test]
fn durations() {
    let route = "  http:\n  - route:\n    - destination:\n        host: r\n";
    let f = only(&format!("{VS}{route}    timeout: 7 s\n"));
    assert_eq!((f.rule, f.line, f.column), ("invalid-value", 11, 14));
    // The CRD's CEL rule `duration(self) >= duration('1ms')`, evaluated: its message, and why
    // the value is no duration.
    assert_eq!(
        f.message,
        "\"7 s\" is not valid for VirtualService spec.http[0].timeout: must be a valid duration greater than 1ms (not a valid duration: it contains a space)"
    );
    assert_eq!(f.help, "write \"7s\"");
    let f = only(&format!("{VS}{route}    timeout: 500us\n"));
    assert!(
        f.message
            .ends_with("must be a valid duration greater than 1ms"),
        "{}",
        f.message
    );
    assert!(f.help.contains("at least 1ms"), "{}", f.help);
    let f = only(&format!("{VS}{route}    timeout: 10\n"));
    assert!(f.message.contains("must be a string"), "{}", f.message);
    assert!(run(&format!("{VS}{route}    timeout: 1h2m3.5s\n")).is_empty());
    assert!(run(&format!("{VS}{route}    timeout: 1ms\n")).is_empty());
}

#[test]
fn port_ranges() {
    let se = "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: e\nspec:\n  hosts: [a.example.com]\n  ports:\n  - name: http\n    protocol: HTTP\n";
    let f = only(&format!("{se}    number: 70000\n"));
    assert_eq!((f.rule, f.line, f.column), ("invalid-value", 10, 13));
    // The CRD's CEL rule `0 < self && self <= 65535`, with its message.
    assert_eq!(
        f.message,
        "70000 is not valid for ServiceEntry spec.ports[0].number: port must be between 1-65535"
    );
    assert_eq!(f.help, "Istio's CRD requires `0 < self && self <= 65535`");
    assert!(run(&format!("{se}    number: 65535\n")).is_empty());
    // Istio's ValidatePort on a uint32 CRD field.
    let f = only(&format!(
        "{VS}  http:\n  - route:\n    - destination:\n        host: r\n        port:\n          number: 0\n"
    ));
    assert!(
        f.message.starts_with("port 0 is out of range"),
        "{}",
        f.message
    );
    // Kubernetes Service ports and target ports.
    let f = only(&format!("{SVC}  ports:\n  - port: 65536\n"));
    assert!(f.message.starts_with("port 65536"), "{}", f.message);
    let f = only(&format!(
        "{SVC}  ports:\n  - port: 80\n    targetPort: \"8080\"\n"
    ));
    assert_eq!(f.help, "remove the quotes: 8080");
    assert!(run(&format!("{SVC}  ports:\n  - name: a\n    port: 80\n    targetPort: http-web\n  - name: b\n    port: 81\n    targetPort: 8081\n")).is_empty());
}

#[test]
fn types() {
    // A quoted number for an integer.
    let f = only(&format!(
        "{DR}  trafficPolicy:\n    connectionPool:\n      tcp:\n        maxConnections: \"100\"\n"
    ));
    assert_eq!(
        f.message,
        "DestinationRule spec.trafficPolicy.connectionPool.tcp.maxConnections must be an integer, not the string \"100\""
    );
    assert_eq!(f.help, "remove the quotes: 100");
    // A mapping where a list is expected.
    let f = only(&format!("{DR}  subsets:\n    name: v1\n"));
    assert_eq!((f.line, f.column), (9, 5));
    assert!(f.help.contains("put `- `"), "{}", f.help);
    // A number where a string is expected (label values are strings).
    let f = only(&format!(
        "{DR}  subsets:\n  - name: v1\n    labels:\n      version: 1.0\n"
    ));
    assert_eq!(f.help, "quote it: \"1.0\"");
    // Null is "not set"; hexadecimal is an integer; a whole float is an integer.
    assert!(run(&format!("{DR}  trafficPolicy:\n  subsets:\n")).is_empty());
    assert!(
        run(&format!(
            "{DR}  trafficPolicy:\n    connectionPool:\n      tcp:\n        maxConnections: 0x1F\n"
        ))
        .is_empty()
    );
    assert!(
        run(&format!(
            "{DR}  trafficPolicy:\n    connectionPool:\n      tcp:\n        maxConnections: 1e3\n"
        ))
        .is_empty()
    );
}

#[test]
fn overflow() {
    let pool = "  trafficPolicy:\n    connectionPool:\n      tcp:\n        maxConnections:";
    let f = only(&format!("{DR}{pool} 1e309\n"));
    assert!(f.message.contains("overflows"), "{}", f.message);
    let f = only(&format!("{DR}{pool} 99999999999999999999999\n"));
    assert!(
        f.message.contains("does not fit in a 64-bit integer"),
        "{}",
        f.message
    );
    let f = only(&format!("{DR}{pool} 2147483648\n"));
    assert_eq!(f.help, "use a value between -2147483648 and 2147483647");
}

#[test]
fn tags_and_yaml11() {
    let secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n";
    assert!(run(&format!("{secret}  key: !!binary aGVsbG8=\n")).is_empty());
    let f = only(&format!("{secret}  key: not base64!\n"));
    assert!(f.message.contains("base64"), "{}", f.message);
    let ns = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  annotations:\n    example.com/enabled: yes\n";
    let f = only(ns);
    assert_eq!((f.rule, f.line, f.column), ("invalid-value", 6, 26));
    assert!(f.message.contains("YAML 1.1"), "{}", f.message);
    assert_eq!(f.help, "quote it: \"yes\"");
}

#[test]
fn metadata_names_and_labels() {
    let f = only("apiVersion: v1\nkind: Service\nmetadata:\n  name: My_Service\n");
    assert_eq!((f.rule, f.line, f.column), ("invalid-value", 4, 9));
    assert_eq!(f.help, "write \"my-service\"");
    let f =
        only("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    bad key: x\n");
    assert_eq!((f.line, f.column), (6, 5));
    assert!(
        f.message.starts_with("key \"bad key\" is not valid"),
        "{}",
        f.message
    );
    let f = only("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels:\n    app: x\n");
    assert_eq!((f.rule, f.line, f.column), ("missing-field", 3, 1));
    assert!(run("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: c-\n").is_empty());
}

#[test]
fn missing_and_exclusive_fields() {
    let f = only(
        "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: r\nspec:\n  subsets:\n  - name: v1\n",
    );
    assert_eq!((f.rule, f.line, f.column), ("missing-field", 5, 1));
    assert_eq!(f.help, "add `host:` under `spec`");
    let f = only(&format!(
        "{VS}  http:\n  - match:\n    - uri:\n        exact: /a\n        prefix: /b\n    route:\n    - destination:\n        host: r\n"
    ));
    assert_eq!((f.rule, f.line, f.column), ("invalid-value", 11, 9));
    assert!(
        f.message
            .starts_with("\"prefix\" cannot be set together with \"exact\""),
        "{}",
        f.message
    );
    let f = only(&format!("{VS}  http:\n  - route:\n    - weight: 100\n"));
    assert_eq!((f.rule, f.line, f.column), ("missing-field", 9, 5));
    assert_eq!(f.help, "add `destination:` to this list item");
}

#[test]
fn unknown_field_hints() {
    // Indented one level too deep: the key belongs to an ancestor.
    let f = only(&format!(
        "{VS}  http:\n  - route:\n    - destination:\n        host: r\n    exportTo: [\".\"]\n"
    ));
    assert_eq!((f.rule, f.line, f.column), ("unknown-field", 11, 5));
    assert_eq!(
        f.help,
        "\"exportTo\" is a field of VirtualService spec: check the indentation of this line"
    );
    // snake_case.
    let f = only(&format!(
        "{VS}  http:\n  - route:\n    - destination:\n        host: r\n    mirror_percentage:\n      value: 5\n"
    ));
    assert!(
        f.help.starts_with("did you mean \"mirrorPercentage\"?"),
        "{}",
        f.help
    );
    // Top level.
    let f = only("apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nsepc: {}\n");
    assert_eq!(f.message, "unknown field \"sepc\" in Service");
    assert_eq!(f.help, "did you mean \"spec\"?");
    // Open objects are not checked.
    assert!(run("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostNetwork: true\n  containers:\n  - name: c\n    anything: 1\n").is_empty());
}

#[test]
fn deprecated_fields() {
    let f = only(&format!(
        "{VS}  http:\n  - fault:\n      delay:\n        percent: 5\n        fixedDelay: 1s\n    route:\n    - destination:\n        host: r\n"
    ));
    assert_eq!((f.rule, f.line, f.column), ("deprecated-field", 10, 9));
    let f = only(&format!(
        "{DR}  trafficPolicy:\n    loadBalancer:\n      warmupDurationSecs: 10s\n"
    ));
    assert_eq!(f.help, "use `warmup` instead.");
}

#[test]
fn aliases_are_reported_once() {
    let yaml = format!(
        "{DR}  trafficPolicy: &p\n    tls:\n      mode: ISTIO_MUTAL\n  subsets:\n  - name: v1\n    trafficPolicy: *p\n  - name: v2\n    trafficPolicy: *p\n"
    );
    let found = run(&yaml);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].line, 10);
}

#[test]
fn virtual_service_rules_from_istio_validation() {
    let f = only(VS);
    assert_eq!((f.rule, f.line, f.column), ("missing-field", 5, 1));
    let mesh = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: r\nspec:\n  hosts:\n  - \"*\"\n  http:\n  - route:\n    - destination:\n        host: r\n";
    let f = only(mesh);
    assert_eq!((f.rule, f.line, f.column), ("invalid-value", 7, 5));
    let gateway = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: r\nspec:\n  hosts: [\"*\"]\n  gateways: [gw]\n  http:\n  - route:\n    - destination:\n        host: r\n";
    assert!(run(gateway).is_empty());
}

#[test]
fn gateway_api_and_workloads() {
    let route = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: r\nspec:\n  parentRefs:\n  - name: gw\n  rules:\n  - matches:\n    - path:\n        type: Prefix\n        value: /\n    timeouts:\n      request: 1.5s\n";
    let found = run(route);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found[0].help.contains("PathPrefix"), "{}", found[0].help);
    assert!(
        found[1].message.contains("Gateway API duration"),
        "{}",
        found[1].message
    );
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: \"2\"\n  selector:\n    matchLabels: {app: d}\n  template:\n    metadata:\n      labels: {app: d}\n    spec:\n      containers:\n      - name: d\n        image: x\n";
    let f = only(deployment);
    assert_eq!((f.rule, f.line, f.column), ("invalid-value", 6, 13));
}

#[test]
fn every_compiled_shape_is_reachable_and_sound() {
    let schema = super::Schema::get();
    assert!(
        schema.shapes.len() > 200,
        "the embedded Istio schema is loaded"
    );
    for (group, kind) in schema.kinds() {
        assert!(!kind.is_empty(), "kind without a name in group {group}");
    }
}

#[test]
fn duplicate_list_keys() {
    let se = "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: e\nspec:\n  hosts: [a.example.com]\n  ports:\n  - {number: 80, name: http, protocol: HTTP}\n  - {number: 80, name: http2, protocol: HTTP2}\n";
    let f = only(se);
    assert_eq!((f.rule, f.line, f.column), ("invalid-value", 9, 5));
    // The CRD's CEL rule `self.all(l1, self.exists_one(l2, l1.number == l2.number))`: the item
    // whose addition breaks it, and the one it conflicts with.
    assert_eq!(
        f.message,
        "ServiceEntry spec.ports[1]: port number cannot be duplicated (together with item 0)"
    );
    let svc = format!(
        "{SVC}  ports:\n  - {{name: a, port: 80}}\n  - {{name: b, port: 80, protocol: UDP}}\n"
    );
    assert!(run(&svc).is_empty(), "{:#?}", run(&svc));
}

#[test]
fn hostile_input_stays_linear() {
    // 20 000 aliases of one bad subset, and 20 000 duplicate ports: one finding each, quickly.
    let mut yaml = format!("{DR}  subsets:\n  - &s {{name: v1, lables: {{a: b}}}}\n");
    for _ in 0..20_000 {
        yaml.push_str("  - *s\n");
    }
    let started = std::time::Instant::now();
    let found = run(&yaml);
    assert_eq!(found.len(), 1, "{:#?}", &found[..found.len().min(3)]);
    let mut se = String::from(
        "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: e\nspec:\n  hosts: [a.example.com]\n  ports:\n",
    );
    for _ in 0..20_000 {
        se.push_str("  - {number: 80, name: http}\n");
    }
    // 19 999 repeats, and the list is longer than the CRD's maxItems (256).
    assert_eq!(run(&se).len(), 20_000);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn service_ports_need_names_when_several() {
    let f = only(&format!(
        "{SVC}  ports:\n  - name: http\n    port: 80\n  - port: 443\n"
    ));
    assert_eq!((f.rule, f.line, f.column), ("missing-field", 9, 3));
    assert!(
        f.message
            .starts_with("Service spec.ports[1] has no \"name\""),
        "{}",
        f.message
    );
    assert!(run(&format!("{SVC}  ports:\n  - port: 80\n")).is_empty());
}

#[test]
fn aliased_object_missing_a_field_is_reported_once() {
    let yaml = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: r\nspec:\n  hosts: [r]\n  http:\n  - route:\n    - &d {weight: 50}\n    - *d\n";
    let found = run(yaml);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (found[0].rule, found[0].line, found[0].column),
        ("missing-field", 9, 5)
    );
}
