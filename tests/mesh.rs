//! The index resolves names exactly as Istio does (reference §6 of istio-semantics-and-peers.md).

use meshlint::engine::{self, Analysis, Options};
use meshlint::mesh::{GatewayRef, resolve_gateway_name};

fn analyze(yaml: &str) -> Analysis {
    let dir = std::env::temp_dir().join(format!(
        "meshlint-mesh-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("mesh.yaml");
    std::fs::write(&file, yaml).unwrap();
    let analysis = engine::analyze(
        &[file.to_string_lossy().into_owned()],
        &mut || Ok(Vec::new()),
        &Options::default(),
    )
    .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    analysis
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

fn dr(name: &str, ns: &str, host: &str, extra: &str) -> String {
    format!(
        "---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  host: \"{host}\"\n{extra}"
    )
}

fn svc(name: &str, ns: &str, extra_meta: &str) -> String {
    format!(
        "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {ns}\n{extra_meta}spec:\n  selector:\n    app: {name}\n  ports:\n  - name: http\n    port: 9080\n"
    )
}

fn selected(
    a: &Analysis,
    client: &str,
    host: &str,
    service_ns: &str,
) -> Option<(String, Vec<String>)> {
    a.mesh
        .destination_rule_for(client, host, service_ns)
        .map(|s| {
            (
                s.namespace.clone(),
                s.rules
                    .iter()
                    .map(|&i| a.model.destination_rules[i].name().to_string())
                    .collect(),
            )
        })
}

#[test]
fn destination_rule_lookup_path() {
    let yaml = [
        svc("reviews", "shop", ""),
        dr("exact-in-service-ns", "shop", "reviews", ""),
        dr("wildcard-in-client-ns", "web", "*.svc.cluster.local", ""),
        dr("root-fallback", "istio-system", "*.local", ""),
        dr(
            "private",
            "shop",
            "reviews.shop.svc.cluster.local",
            "  exportTo: [\".\"]\n",
        ),
    ]
    .concat();
    let a = analyze(&yaml);
    let host = "reviews.shop.svc.cluster.local";
    // The client's own namespace wins, even with a wildcard against an exact host elsewhere.
    assert_eq!(
        selected(&a, "web", host, "shop"),
        Some(("web".into(), vec!["wildcard-in-client-ns".into()]))
    );
    // In the service's namespace, exact host DRs merge in input order; the private one is
    // visible to its own namespace only.
    assert_eq!(
        selected(&a, "shop", host, "shop"),
        Some((
            "shop".into(),
            vec!["exact-in-service-ns".into(), "private".into()]
        ))
    );
    assert_eq!(
        selected(&a, "other", host, "shop"),
        Some(("shop".into(), vec!["exact-in-service-ns".into()]))
    );
    // A host nobody in shop/other wrote a DR for falls back to the root namespace.
    assert_eq!(
        selected(
            &a,
            "other",
            "ratings.bookinfo.svc.cluster.local",
            "bookinfo"
        ),
        Some(("istio-system".into(), vec!["root-fallback".into()]))
    );
}

#[test]
fn more_specific_wildcards_win_and_subsets_merge_first_wins() {
    let yaml = [
        dr("broad", "shop", "*.local", ""),
        dr("narrow", "shop", "*.shop.svc.cluster.local", ""),
        dr("a", "shop", "cart", "  subsets:\n  - name: v1\n    labels: {version: v1}\n"),
        dr("b", "shop", "cart", "  subsets:\n  - name: v1\n    labels: {version: other}\n  - name: v2\n    labels: {version: v2}\n"),
    ]
    .concat();
    let a = analyze(&yaml);
    assert_eq!(
        selected(&a, "shop", "orders.shop.svc.cluster.local", "shop"),
        Some(("shop".into(), vec!["narrow".into()]))
    );
    let sel = a
        .mesh
        .destination_rule_for("shop", "cart.shop.svc.cluster.local", "shop")
        .unwrap();
    let subsets = a.mesh.subsets(&a.model, &sel);
    let names: Vec<(&str, String)> = subsets
        .iter()
        .map(|(n, r)| (*n, a.model.destination_rules[r.dr].name().to_string()))
        .collect();
    assert_eq!(
        names,
        vec![("v1", "a".to_string()), ("v2", "b".to_string())]
    );
}

#[test]
fn short_names_resolve_against_the_config_namespace() {
    let yaml = [
        svc("reviews", "bookinfo", ""),
        "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: r\n  namespace: web\nspec:\n  hosts: [reviews, reviews.bookinfo, \"*.example.com\"]\n".to_string(),
    ]
    .concat();
    let a = analyze(&yaml);
    assert_eq!(
        a.mesh.virtual_services[0].hosts,
        [
            "reviews.web.svc.cluster.local",
            "reviews.bookinfo",
            "*.example.com"
        ]
    );
    assert!(
        a.mesh
            .visible_services("reviews.web.svc.cluster.local", "web")
            .is_empty()
    );
    assert_eq!(
        a.mesh
            .visible_services("reviews.bookinfo.svc.cluster.local", "web")
            .len(),
        1
    );
}

#[test]
fn service_export_to_annotation_and_service_entries() {
    let yaml = [
        svc("hidden", "shop", "  annotations:\n    networking.istio.io/exportTo: \".\"\n"),
        "---\napiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: ext\n  namespace: shop\nspec:\n  hosts: [\"*.example.com\"]\n  location: MESH_EXTERNAL\n  ports:\n  - number: 443\n    name: https\n    protocol: TLS\n  exportTo: [\"web\"]\n".to_string(),
    ]
    .concat();
    let a = analyze(&yaml);
    let hidden = "hidden.shop.svc.cluster.local";
    assert_eq!(a.mesh.visible_services(hidden, "shop").len(), 1);
    assert!(a.mesh.visible_services(hidden, "web").is_empty());
    assert_eq!(a.mesh.visible_services("api.example.com", "web").len(), 1);
    assert!(
        a.mesh
            .visible_services("api.example.com", "other")
            .is_empty()
    );
    assert!(
        a.mesh.visible_services("example.com", "web").is_empty(),
        "*.example.com does not match example.com"
    );
}

#[test]
fn label_selectors_and_injection() {
    let yaml = "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: {istio-injection: enabled}\n\
---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a, namespace: shop}\nspec:\n  template:\n    metadata:\n      labels: {app: cart, version: v1}\n    spec:\n      containers: [{name: c, image: x}]\n\
---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b, namespace: shop}\nspec:\n  template:\n    metadata:\n      labels: {app: cart, version: v2, sidecar.istio.io/inject: \"false\"}\n    spec:\n      containers: [{name: c, image: x}]\n\
---\napiVersion: v1\nkind: Pod\nmetadata: {name: c, namespace: other, labels: {app: cart, version: v1}}\nspec:\n  containers: [{name: c, image: x}]\n";
    let a = analyze(yaml);
    let sel = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<meshlint::mesh::Labels>()
    };
    let names = |ids: Vec<meshlint::mesh::WorkloadId>| {
        ids.into_iter()
            .map(|i| a.mesh.workload(i).name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(a.mesh.select("shop", &sel(&[("app", "cart")]))),
        ["a", "b"]
    );
    assert_eq!(
        names(
            a.mesh
                .select("shop", &sel(&[("app", "cart"), ("version", "v1")]))
        ),
        ["a"]
    );
    assert!(a.mesh.select("shop", &sel(&[("app", "nope")])).is_empty());
    assert_eq!(
        names(a.mesh.select("other", &sel(&[("version", "v1")]))),
        ["c"]
    );
    use meshlint::mesh::Injection;
    let inj: Vec<Injection> = a.mesh.workloads.iter().map(|w| w.injection).collect();
    assert_eq!(
        inj,
        [
            Injection::Injected,
            Injection::NotInjected,
            Injection::Unknown
        ]
    );
}

#[test]
fn gateway_names_resolve_relative_to_the_virtual_service() {
    let named = |ns: &str, n: &str| GatewayRef::Named {
        namespace: ns.into(),
        name: n.into(),
    };
    assert_eq!(resolve_gateway_name("mesh", "shop"), GatewayRef::Mesh);
    assert_eq!(resolve_gateway_name("gw", "shop"), named("shop", "gw"));
    assert_eq!(
        resolve_gateway_name("istio-system/gw", "shop"),
        named("istio-system", "gw")
    );
    assert_eq!(
        resolve_gateway_name("gw.istio-system.svc.cluster.local", "shop"),
        named("istio-system", "gw")
    );
}

#[test]
fn sidecar_scope_and_egress_imports() {
    let yaml = [
        svc("cart", "shop", ""),
        svc("ratings", "bookinfo", ""),
        "---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: shop}\nspec:\n  egress:\n  - hosts: [\"./*\", \"istio-system/*\"]\n".to_string(),
        "---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: special, namespace: shop}\nspec:\n  workloadSelector:\n    labels: {app: special}\n  egress:\n  - hosts: [\"bookinfo/ratings.bookinfo.svc.cluster.local\"]\n".to_string(),
    ]
    .concat();
    let a = analyze(&yaml);
    let labels = |v: &str| {
        [("app".to_string(), v.to_string())]
            .into_iter()
            .collect::<meshlint::mesh::Labels>()
    };
    let plain = a
        .mesh
        .sidecar_for(&a.model, "shop", &labels("cart"))
        .unwrap();
    let special = a
        .mesh
        .sidecar_for(&a.model, "shop", &labels("special"))
        .unwrap();
    assert_eq!(a.model.sidecars[plain].name(), "default");
    assert_eq!(a.model.sidecars[special].name(), "special");
    assert!(
        a.mesh
            .sidecar_for(&a.model, "bookinfo", &labels("x"))
            .is_none()
    );
    let cart = a
        .mesh
        .visible_services("cart.shop.svc.cluster.local", "shop")[0];
    let ratings = a
        .mesh
        .visible_services("ratings.bookinfo.svc.cluster.local", "shop")[0];
    assert!(a.mesh.sidecar_imports(&a.model, plain, cart));
    assert!(!a.mesh.sidecar_imports(&a.model, plain, ratings));
    assert!(a.mesh.sidecar_imports(&a.model, special, ratings));
    assert!(!a.mesh.sidecar_imports(&a.model, special, cart));
}

// ---- issue #11: the DestinationRule lookup path ------------------------------------------------

fn deploy(name: &str, ns: &str, labels: &str, image: &str) -> String {
    format!(
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  template:\n    metadata:\n      labels: {{{labels}}}\n    spec:\n      containers: [{{name: c, image: {image}}}]\n"
    )
}

fn vs_to_subset(
    name: &str,
    ns: &str,
    host: &str,
    gateways: &str,
    dest: &str,
    subset: &str,
) -> String {
    format!(
        "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  hosts: [\"{host}\"]\n{gateways}  http:\n  - route:\n    - destination:\n        host: {dest}\n        subset: {subset}\n"
    )
}

fn findings<'a>(a: &'a Analysis, rule: &str) -> Vec<&'a str> {
    a.diagnostics
        .iter()
        .filter(|d| d.rule.name == rule)
        .map(|d| d.message.as_str())
        .collect()
}

const SUBSET_V1: &str = "  subsets:\n  - name: v1\n    labels: {version: v1}\n";

/// Class 1. `push_context.go` `destinationRule()`: a proxy in the root namespace tries only the
/// root's private (`exportTo: .`) rules first, then the service's namespace, and the root's
/// public rules last ("istio-ingressgateway" is the reason its comment gives). A mesh-wide
/// `*.local` rule in istio-system therefore does not hide a service's own subsets from the
/// ingress gateway there.
#[test]
fn root_namespace_clients_consult_the_service_namespace_before_public_root_rules() {
    let yaml = [
        svc("reviews", "shop", ""),
        dr("mesh-wide", "istio-system", "*.local", "  trafficPolicy:\n    tls: {mode: ISTIO_MUTUAL}\n"),
        dr("reviews", "shop", "reviews", SUBSET_V1),
        deploy("ingressgateway", "istio-system", "istio: ingressgateway", "istio/proxyv2"),
        "---\napiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: public, namespace: istio-system}\nspec:\n  selector: {istio: ingressgateway}\n  servers:\n  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: [\"*\"]\n".to_string(),
        vs_to_subset("reviews", "shop", "reviews.example.com", "  gateways: [istio-system/public]\n", "reviews", "v1"),
    ]
    .concat();
    let a = analyze(&yaml);
    let host = "reviews.shop.svc.cluster.local";
    assert_eq!(
        selected(&a, "istio-system", host, "shop"),
        Some(("shop".into(), vec!["reviews".into()]))
    );
    assert_eq!(findings(&a, "subset-not-found"), Vec::<&str>::new());
    // A host without a rule of its own still gets the public root rule, last.
    assert_eq!(
        selected(&a, "istio-system", "ratings.shop.svc.cluster.local", "shop"),
        Some(("istio-system".into(), vec!["mesh-wide".into()]))
    );
    // A private root rule is meant for the root's own proxies: it comes first for them.
    let yaml = [
        yaml,
        dr(
            "gateway-only",
            "istio-system",
            "*.local",
            "  exportTo: [\".\"]\n",
        ),
    ]
    .concat();
    let a = analyze(&yaml);
    assert_eq!(
        selected(&a, "istio-system", host, "shop"),
        Some(("istio-system".into(), vec!["gateway-only".into()]))
    );
    assert_eq!(findings(&a, "subset-not-found").len(), 1);
}

/// Class 6. `getExportedDestinationRuleFromNamespace`: `MostSpecificHostMatch` picks the host
/// first, then keeps the rules exported to the client; if none is, that namespace has nothing
/// for the client (no fallback to a less specific host there).
#[test]
fn the_most_specific_rule_is_chosen_before_export_to_with_no_fallback() {
    let yaml = [
        svc("reviews", "shop", ""),
        dr("exact", "shop", "reviews", "  exportTo: [\".\", \"billing\"]\n  subsets:\n  - name: v2\n    labels: {version: v2}\n"),
        dr("wildcard", "shop", "*.shop.svc.cluster.local", &format!("  exportTo: [\"web\"]\n{SUBSET_V1}")),
        vs_to_subset("reviews", "web", "reviews.shop.svc.cluster.local", "", "reviews.shop.svc.cluster.local", "v1"),
    ]
    .concat();
    let a = analyze(&yaml);
    assert_eq!(
        selected(&a, "web", "reviews.shop.svc.cluster.local", "shop"),
        None
    );
    let found = findings(&a, "subset-not-found");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("is hidden by"), "{}", found[0]);
    // Another host of shop, with no exact rule, does get the wildcard rule.
    assert_eq!(
        selected(&a, "web", "ratings.shop.svc.cluster.local", "shop"),
        Some(("shop".into(), vec!["wildcard".into()]))
    );
}

/// Class 7. `setDestinationRules`: a rule goes into its own namespace's local index only when
/// `exportTo` is absent, `*`, `.` or names that namespace. One exported only elsewhere is not
/// used by its own namespace's clients, which fall through to the service's namespace.
#[test]
fn a_rule_exported_away_from_its_namespace_is_not_used_there() {
    let yaml = [
        svc("reviews", "shop", ""),
        dr(
            "for-shop-only",
            "web",
            "reviews.shop.svc.cluster.local",
            "  exportTo: [\"shop\"]\n  subsets:\n  - name: v2\n    labels: {version: v2}\n",
        ),
        dr("reviews", "shop", "reviews", SUBSET_V1),
        vs_to_subset(
            "reviews",
            "web",
            "reviews.shop.svc.cluster.local",
            "",
            "reviews.shop.svc.cluster.local",
            "v1",
        ),
    ]
    .concat();
    let a = analyze(&yaml);
    assert_eq!(
        selected(&a, "web", "reviews.shop.svc.cluster.local", "shop"),
        Some(("shop".into(), vec!["reviews".into()]))
    );
    assert_eq!(findings(&a, "subset-not-found"), Vec::<&str>::new());
}

/// Class 8. `SidecarScope.DestinationRule` and `TestSetDestinationRuleWithWorkloadSelector`: a
/// `workloadSelector` rule is private to its namespace and, as the match there, ends the lookup;
/// the workloads it does not select get no rule at all (not the service namespace's).
#[test]
fn a_workload_selector_rule_ends_the_lookup_for_workloads_it_does_not_select() {
    let yaml = [
        svc("reviews", "bookinfo", ""),
        dr("reviews", "bookinfo", "reviews", SUBSET_V1),
        dr(
            "canary-only",
            "shop",
            "reviews.bookinfo.svc.cluster.local",
            &format!("  workloadSelector:\n    matchLabels: {{app: canary}}\n{SUBSET_V1}"),
        ),
        deploy("canary", "shop", "app: canary", "app"),
        deploy("web", "shop", "app: web", "app"),
        vs_to_subset(
            "reviews",
            "shop",
            "reviews.bookinfo.svc.cluster.local",
            "",
            "reviews.bookinfo.svc.cluster.local",
            "v1",
        ),
    ]
    .concat();
    let a = analyze(&yaml);
    assert_eq!(
        selected(&a, "shop", "reviews.bookinfo.svc.cluster.local", "bookinfo"),
        None
    );
    let found = findings(&a, "subset-not-found");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("workloads web"), "{}", found[0]);
    assert!(!found[0].contains("canary,"), "{}", found[0]);
    // Another namespace does not see the selector rule at all.
    assert_eq!(
        selected(
            &a,
            "other",
            "reviews.bookinfo.svc.cluster.local",
            "bookinfo"
        ),
        Some(("bookinfo".into(), vec!["reviews".into()]))
    );
}

// ---- issue #11: Sidecar scope -------------------------------------------------------------------

fn sidecar(name: &str, ns: &str, hosts: &str) -> String {
    format!(
        "---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  egress:\n  - hosts: [{hosts}]\n"
    )
}

fn plain_vs(name: &str, ns: &str, host: &str, dest: &str) -> String {
    format!(
        "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  hosts: [\"{host}\"]\n  http:\n  - route:\n    - destination:\n        host: {dest}\n"
    )
}

/// Class 2. `sidecar.go` `collectImportedServices`: every destination of an imported
/// VirtualService is added to the Sidecar's scope (Istio 1.5, istio/istio#20408,
/// `TestCreateSidecarScope`), so a route to a namespace the egress hosts do not list works.
#[test]
fn destinations_of_imported_virtual_services_are_in_scope() {
    let yaml = [
        svc("cart", "shop", ""),
        svc("payments", "billing", ""),
        sidecar("default", "shop", "\"./*\", \"istio-system/*\""),
        plain_vs("cart", "shop", "cart", "payments.billing.svc.cluster.local"),
    ]
    .concat();
    let a = analyze(&yaml);
    assert_eq!(findings(&a, "host-not-visible"), Vec::<&str>::new());
}

/// Class 3. `virtualservice.go` `SelectVirtualServices`: egress hosts are looked up under the
/// VirtualService's namespace (and `*`), not under the namespace of the services its hosts name.
#[test]
fn a_virtual_service_is_imported_by_its_own_namespace() {
    let yaml = [
        svc("payments", "billing", ""),
        sidecar("default", "shop", "\"./*\""),
        plain_vs(
            "retries",
            "shop",
            "payments.billing.svc.cluster.local",
            "payments.billing.svc.cluster.local",
        ),
    ]
    .concat();
    let a = analyze(&yaml);
    assert_eq!(findings(&a, "host-not-visible"), Vec::<&str>::new());
    assert!(a.mesh.sidecar_imports_vs(&a.model, 0, "shop", 0));
    // `billing/*` imports the payments service but not a VirtualService living in shop.
    let yaml = [
        svc("payments", "billing", ""),
        sidecar("default", "shop", "\"billing/*\""),
        plain_vs(
            "retries",
            "shop",
            "payments.billing.svc.cluster.local",
            "payments.billing.svc.cluster.local",
        ),
    ]
    .concat();
    let a = analyze(&yaml);
    assert!(!a.mesh.sidecar_imports_vs(&a.model, 0, "shop", 0));
    assert_eq!(findings(&a, "host-not-visible").len(), 1);
    // `*/<host>` imports it from any namespace.
    let yaml = [
        svc("payments", "billing", ""),
        sidecar(
            "default",
            "shop",
            "\"*/payments.billing.svc.cluster.local\"",
        ),
        plain_vs(
            "retries",
            "shop",
            "payments.billing.svc.cluster.local",
            "payments.billing.svc.cluster.local",
        ),
    ]
    .concat();
    assert_eq!(
        findings(&analyze(&yaml), "host-not-visible"),
        Vec::<&str>::new()
    );
}

/// Class 4. `push_context.go` `doGetSidecarScope` converts the root namespace's Sidecar for each
/// proxy namespace (`convertToSidecarScope(ps, rootConfig, proxy.ConfigNamespace)`), so its `.`
/// means the proxy's namespace (the worked example in istio/api `sidecar.proto`).
#[test]
fn dot_in_the_root_sidecar_means_the_proxy_namespace() {
    let yaml = [
        svc("frontend", "web", ""),
        sidecar("default", "istio-system", "\"./*\", \"istio-system/*\""),
        plain_vs("frontend", "web", "frontend", "frontend"),
    ]
    .concat();
    let a = analyze(&yaml);
    assert_eq!(findings(&a, "host-not-visible"), Vec::<&str>::new());
    let frontend = a
        .mesh
        .visible_services("frontend.web.svc.cluster.local", "web")[0];
    assert!(a.mesh.sidecar_imports_for(&a.model, 0, "web", frontend));
    assert!(!a.mesh.sidecar_imports_for(&a.model, 0, "other", frontend));
}

// ---- issue #11: gateways ------------------------------------------------------------------------

fn gateway(name: &str, ns: &str, servers: &str) -> String {
    format!(
        "---\napiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  selector: {{istio: ingressgateway}}\n  servers:\n{servers}"
    )
}

const INGRESS: &str = "istio: ingressgateway";

/// Class 9. `mergeGateways` / `CheckDuplicates` then `GetSNIHostsForServer`, which strips the
/// namespace part of `ns/host`: two TLS servers with `a/x` and `b/x` on one port of the same
/// workloads produce one SNI name twice (`gateway_simulation_test.go` "duplicate tls gateway",
/// istio/istio#24638).
#[test]
fn tls_gateway_hosts_differing_only_by_namespace_conflict() {
    let tls = |ns: &str| {
        format!(
            "  - port: {{number: 443, name: https, protocol: HTTPS}}\n    tls: {{mode: SIMPLE, credentialName: cert}}\n    hosts: [\"{ns}/shop.example.com\"]\n"
        )
    };
    let yaml = [
        deploy("ingressgateway", "istio-system", INGRESS, "istio/proxyv2"),
        gateway("a", "shop", &tls("shop")),
        gateway("b", "legacy", &tls("legacy")),
    ]
    .concat();
    let a = analyze(&yaml);
    assert_eq!(findings(&a, "conflicting-gateways").len(), 2);
    // Plain HTTP servers route by namespace-scoped virtual hosts: no conflict there.
    let http = |ns: &str| {
        format!(
            "  - port: {{number: 80, name: http, protocol: HTTP}}\n    hosts: [\"{ns}/shop.example.com\"]\n"
        )
    };
    let yaml = [
        deploy("ingressgateway", "istio-system", INGRESS, "istio/proxyv2"),
        gateway("a", "shop", &http("shop")),
        gateway("b", "legacy", &http("legacy")),
    ]
    .concat();
    assert_eq!(
        findings(&analyze(&yaml), "conflicting-gateways"),
        Vec::<&str>::new()
    );
}

/// Class 10. `mergeGateways`: a port already used with a protocol that cannot merge with the
/// new server's (HTTP and TCP) makes Istio skip the later server, whatever the hosts.
#[test]
fn http_and_tcp_servers_on_one_port_conflict_whatever_the_hosts() {
    let yaml = [
        deploy("ingressgateway", "istio-system", INGRESS, "istio/proxyv2"),
        gateway("web", "shop", "  - port: {number: 8080, name: http, protocol: HTTP}\n    hosts: [\"shop.example.com\"]\n"),
        gateway("db", "data", "  - port: {number: 8080, name: tcp, protocol: TCP}\n    hosts: [\"db.example.com\"]\n"),
    ]
    .concat();
    let a = analyze(&yaml);
    let found = findings(&a, "conflicting-gateways");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("one protocol"), "{}", found[0]);
    // Two servers of one Gateway are merged the same way.
    let yaml = [
        deploy("ingressgateway", "istio-system", INGRESS, "istio/proxyv2"),
        gateway("mixed", "shop", "  - port: {number: 8080, name: http, protocol: HTTP}\n    hosts: [\"shop.example.com\"]\n  - port: {number: 8080, name: tcp, protocol: TCP}\n    hosts: [\"db.example.com\"]\n"),
    ]
    .concat();
    let found = findings(&analyze(&yaml), "conflicting-gateways")
        .into_iter()
        .filter(|m| m.contains("another server of this Gateway"))
        .count();
    assert_eq!(found, 1);
}

/// Class 11. Only gateway proxies apply Gateway servers (`mergeGateways` is built for router
/// proxies); a selector matching only an application Deployment selects no gateway workload.
#[test]
fn a_gateway_selecting_only_application_pods_has_no_workload() {
    let yaml = [
        deploy("frontend", "shop", "app: frontend", "shop/frontend:1.0"),
        "---\napiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: public, namespace: shop}\nspec:\n  selector: {app: frontend}\n  servers:\n  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: [\"*\"]\n".to_string(),
    ]
    .concat();
    let a = analyze(&yaml);
    assert!(a.mesh.gateway_workloads[0].is_empty());
    let found = findings(&a, "gateway-no-workload");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("shop/frontend"), "{}", found[0]);
}

// ---- issue #11: delegates -----------------------------------------------------------------------

/// Class 12. `resolveVirtualServiceShortnames` resolves every VirtualService's gateway names,
/// `match.gateways` included, against its own namespace before `mergeVirtualServices` compares
/// root and delegate matches (`hasConflict`): `public` in a root in shop is shop/public, in a
/// delegate in products it is products/public, so the delegate route is dropped.
#[test]
fn delegate_match_gateways_resolve_against_the_delegate_namespace() {
    let root = "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: root, namespace: shop}\nspec:\n  hosts: [shop.example.com]\n  gateways: [public]\n  http:\n  - match:\n    - uri: {prefix: /products}\n      gateways: [public]\n    delegate: {name: products, namespace: products}\n";
    let leaf = |gw: &str| {
        format!(
            "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {{name: products, namespace: products}}\nspec:\n  http:\n  - match:\n    - uri: {{prefix: /products/list}}\n      gateways: [{gw}]\n    route:\n    - destination: {{host: products}}\n"
        )
    };
    let a = analyze(&format!("{root}{}", leaf("public")));
    let found = findings(&a, "delegate-conflict");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("products/public"), "{}", found[0]);
    let a = analyze(&format!("{root}{}", leaf("shop/public")));
    assert_eq!(findings(&a, "delegate-conflict"), Vec::<&str>::new());
}

// ---- issue #11: route shadowing -----------------------------------------------------------------

/// Class 13. Sidecars build one route table per listener port and `TranslateRoute` (`route.go`)
/// drops matches for other ports, so on the only port of the service a `port` match always holds:
/// a route gated only by it is a catch-all there and the routes after it are unreachable.
#[test]
fn a_route_gated_only_by_the_only_service_port_is_a_catch_all() {
    let vs = "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews, namespace: shop}\nspec:\n  hosts: [reviews]\n  http:\n  - match:\n    - port: 9080\n    route:\n    - destination: {host: reviews}\n  - match:\n    - uri: {prefix: /api}\n    route:\n    - destination: {host: reviews}\n";
    let a = analyze(&format!("{}{vs}", svc("reviews", "shop", "")));
    assert_eq!(a.mesh.vs_single_port(&a.model, 0), Some(9080));
    let found = findings(&a, "unreachable-route");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("http[1]"), "{}", found[0]);
    // With a second port the port match is a real condition.
    let two_ports = "---\napiVersion: v1\nkind: Service\nmetadata: {name: reviews, namespace: shop}\nspec:\n  selector: {app: reviews}\n  ports:\n  - {name: http, port: 9080}\n  - {name: http-admin, port: 9090}\n";
    let a = analyze(&format!("{two_ports}{vs}"));
    assert_eq!(a.mesh.vs_single_port(&a.model, 0), None);
    assert_eq!(findings(&a, "unreachable-route"), Vec::<&str>::new());
}

/// Class 14. `validation.go` `validateStringMatchRegexp`: the webhook compiles every `regex` of
/// an HTTP match with RE2 and rejects the VirtualService when it does not compile (`*`, `/api(`).
#[test]
fn regexes_the_webhook_rejects_are_invalid_values() {
    let vs = "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: r, namespace: shop}\nspec:\n  hosts: [reviews]\n  http:\n  - match:\n    - uri: {regex: \"/api(\"}\n      headers:\n        x-user: {regex: \"*\"}\n      authority: {regex: \"shop\\\\.example\\\\.com\"}\n    route:\n    - destination: {host: reviews}\n";
    let a = analyze(&format!("{}{vs}", svc("reviews", "shop", "")));
    let found: Vec<&str> = findings(&a, "invalid-value")
        .into_iter()
        .filter(|m| m.contains("RE2"))
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found.iter().any(|m| m.contains("uri.regex \"/api(\"")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|m| m.contains("headers.x-user.regex \"*\"")),
        "{found:?}"
    );
}

/// Class 15 (istio/istio#49482). `route.go` `GetDestinationCluster` names a route's cluster after
/// the destination host as written, and clusters exist per service host only, so a destination
/// that only a wildcard ServiceEntry covers has no cluster (`wildcard-destination`); istioctl's
/// IST0101 (`unknown-host`) accepts it, and so do we there.
#[test]
fn a_destination_covered_only_by_a_wildcard_service_entry_has_no_cluster() {
    let se = "---\napiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: googleapis, namespace: shop}\nspec:\n  hosts: [\"*.googleapis.com\"]\n  location: MESH_EXTERNAL\n  resolution: NONE\n  ports:\n  - {number: 443, name: https, protocol: HTTPS}\n";
    let a = analyze(&format!(
        "{se}{}{}",
        plain_vs(
            "storage",
            "shop",
            "storage.googleapis.com",
            "storage.googleapis.com"
        ),
        plain_vs("any", "shop", "*.googleapis.com", "\"*.googleapis.com\"")
    ));
    assert_eq!(findings(&a, "unknown-host"), Vec::<&str>::new());
    let found = findings(&a, "wildcard-destination");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("storage.googleapis.com"), "{}", found[0]);
}
